"""Pairs of ``.npy`` files (features, labels), the features memory-mapped: nothing is read from
disk until a minibatch touches its rows.

Layouts: a directory holding ``x_train.npy, y_train.npy`` (optionally ``x_val/y_val``,
``x_test/y_test``) or ``x.npy, y.npy``; or a path to one features file ``x….npy`` whose labels
file has the same name with ``y`` for the first ``x`` (``x_train.npy`` → ``y_train.npy``).
"""

from pathlib import Path

import numpy as np

from mlplab.data.files import require_file
from mlplab.data.npy_header import read_npy_header
from mlplab.errors import FileFormatError

SPLITS = ("train", "val", "test")


def open_npy(path, mmap: bool = True):
    """One ``.npy`` file, memory-mapped read-only (or read whole), its header checked against
    its size (``read_npy_header``): a truncated file or one whose header lies is a
    FileFormatError, and nothing is allocated before the check."""
    path = require_file(path)
    with open(path, "rb") as f:
        header = read_npy_header(f, str(path), path.stat().st_size)
        if not mmap or header.data_bytes == 0:
            count = header.data_bytes // header.dtype.itemsize
            array = np.fromfile(f, dtype=header.dtype, count=count)
            return array.reshape(header.shape, order=header.order)
    return np.memmap(
        path, dtype=header.dtype, mode="r", offset=header.offset, shape=header.shape,
        order=header.order,
    )  # fmt: skip


def labels_path_for(x_path: Path) -> Path:
    """``x_train.npy`` → ``y_train.npy``, ``X.npy`` → ``Y.npy``."""
    name = x_path.name
    i = name.lower().find("x")
    if i < 0:
        raise FileFormatError(
            f"{x_path}: cannot tell the labels file: name has no 'x' to swap for 'y'"
        )
    swapped = name[:i] + ("Y" if name[i] == "X" else "y") + name[i + 1 :]
    return x_path.with_name(swapped)


def is_npy_dir(directory: Path) -> bool:
    return (directory / "x_train.npy").exists() or (directory / "x.npy").exists()


def read_npy_pairs(path) -> dict:
    """Arrays by key (``x_train``, ``y_train``, maybe ``x_val``… ``y_test``); features memory
    maps, labels read into memory."""
    path = Path(path)
    pairs = {}
    if path.is_dir():
        if (path / "x_train.npy").exists():
            for split in SPLITS:
                x = path / f"x_{split}.npy"
                if x.exists():
                    pairs[split] = (x, path / f"y_{split}.npy")
        elif (path / "x.npy").exists():
            pairs["train"] = (path / "x.npy", path / "y.npy")
        else:
            raise FileFormatError(f"{path}: no x_train.npy or x.npy in this directory")
    else:
        pairs["train"] = (path, labels_path_for(path))
    arrays = {}
    for split, (x_path, y_path) in pairs.items():
        if not y_path.exists():
            raise FileFormatError(f"{x_path}: labels file {y_path.name} not found beside it")
        arrays[f"x_{split}"] = open_npy(x_path, mmap=True)
        arrays[f"y_{split}"] = np.asarray(open_npy(y_path, mmap=False))
    return arrays
