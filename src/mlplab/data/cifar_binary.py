"""CIFAR-10's binary version (Krizhevsky, "Learning Multiple Layers of Features from Tiny
Images", 2009): ``data_batch_1.bin`` … ``data_batch_5.bin`` and ``test_batch.bin``.

Each record is 1 label byte (0..9) then 3072 pixel bytes: the 1024 red, then green, then blue
values of a 32×32 image in row order. Images come back as (N, 32, 32, 3), height × width ×
channels, the lecture's [32, 32, 3]. The pickled Python version is never read.
"""

from pathlib import Path

import numpy as np

from mlplab.data.files import read_bytes
from mlplab.errors import FileFormatError

RECORD_BYTES = 1 + 3 * 32 * 32
TRAIN_FILES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
TEST_FILE = "test_batch.bin"
META_FILE = "batches.meta.txt"


def read_cifar_batch(path):
    """(images (N, 32, 32, 3) uint8, labels (N,) uint8) from one binary batch file."""
    data = read_bytes(path)
    if len(data) % RECORD_BYTES:
        raise FileFormatError(
            f"{path}: {len(data)} bytes is not a whole number of {RECORD_BYTES}-byte records "
            f"(truncated after record {len(data) // RECORD_BYTES}?)"
        )
    records = np.frombuffer(data, np.uint8).reshape(-1, RECORD_BYTES)
    labels = records[:, 0].copy()
    if labels.size and labels.max() > 9:
        row = int(np.argmax(labels > 9))
        raise FileFormatError(
            f"{path}: record {row}: label byte {labels[row]} is not a CIFAR-10 class 0..9 "
            "(corrupt file, or not CIFAR-10's binary version)"
        )
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy()
    return images, labels


def is_cifar(path) -> bool:
    path = Path(path)
    directory = path if path.is_dir() else path.parent
    return (directory / TEST_FILE).exists() or (directory / TRAIN_FILES[0]).exists()


def read_cifar10(path) -> dict:
    """``x_train`` (50000, 32, 32, 3), ``y_train``, ``x_test``, ``y_test`` and the class names
    (from ``batches.meta.txt`` when present) from the directory of binary batches."""
    path = Path(path)
    directory = path if path.is_dir() else path.parent
    train = [directory / name for name in TRAIN_FILES if (directory / name).exists()]
    if not train:
        raise FileFormatError(f"{directory}: no CIFAR-10 data_batch_*.bin files")
    if not (directory / TEST_FILE).exists():
        raise FileFormatError(f"{directory}: CIFAR-10 {TEST_FILE} not found")
    parts = [read_cifar_batch(p) for p in train]
    x_test, y_test = read_cifar_batch(directory / TEST_FILE)
    arrays = {
        "x_train": np.concatenate([p[0] for p in parts]),
        "y_train": np.concatenate([p[1] for p in parts]),
        "x_test": x_test,
        "y_test": y_test,
    }
    meta = directory / META_FILE
    names = None
    if meta.exists():
        names = [line.strip() for line in meta.read_text().splitlines() if line.strip()]
        if len(names) != 10:
            raise FileFormatError(f"{meta}: expected 10 class names, got {len(names)}")
    return arrays, names
