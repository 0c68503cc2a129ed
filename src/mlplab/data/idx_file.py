"""MNIST's IDX files, gzipped or not (LeCun et al., "Gradient-based learning applied to document
recognition", 1998; the format is described on the MNIST page).

Layout: two zero bytes, a type byte (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
0x0E float64), the number of dimensions, then one big-endian uint32 per dimension, then the data
in C order, big-endian. The declared size, prod(dims) × itemsize, is computed without overflow; a
header that promises more data than the file holds (truncated) or less (header lies) is a
FileFormatError.
"""

import math
from pathlib import Path

import numpy as np

from mlplab.data.files import read_bytes
from mlplab.errors import FileFormatError, ShapeError

IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}

MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def read_idx(path) -> np.ndarray:
    """The array in one IDX file (native byte order)."""
    data = read_bytes(path)
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] not in IDX_TYPES:
        raise FileFormatError(
            f"{path}: not an IDX file (magic bytes {data[:4].hex(' ') or 'none'}; "
            "expected 00 00 <type> <ndim>)"
        )
    dtype = np.dtype(IDX_TYPES[data[2]])
    ndim = data[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise FileFormatError(
            f"{path}: truncated IDX header ({len(data)} bytes, {ndim} dimensions)"
        )
    shape = tuple(int(d) for d in np.frombuffer(data, ">u4", count=ndim, offset=4))
    declared = math.prod(shape) * dtype.itemsize  # Python integers: no wrap-around
    actual = len(data) - header
    if actual < declared:
        raise FileFormatError(
            f"{path}: truncated: header declares shape {shape} ({declared} bytes of data), "
            f"file holds {actual}"
        )
    if actual > declared:
        raise FileFormatError(
            f"{path}: header declares shape {shape} ({declared} bytes of data) but the file "
            f"holds {actual}: header and data disagree"
        )
    return np.frombuffer(data, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def find_mnist_files(path) -> dict:
    """The four MNIST files (``.gz`` or not) in a directory, or beside one of them."""
    path = Path(path)
    directory = path if path.is_dir() else path.parent
    found = {}
    for names in MNIST_FILES.values():
        for name in names:
            for candidate in (directory / name, directory / f"{name}.gz"):
                if candidate.exists():
                    found[name] = candidate
                    break
            else:
                raise FileFormatError(f"{directory}: MNIST file {name}[.gz] not found")
    return found


def is_mnist(path) -> bool:
    path = Path(path)
    directory = path if path.is_dir() else path.parent
    first = MNIST_FILES["train"][0]
    return (directory / first).exists() or (directory / f"{first}.gz").exists()


def read_mnist(path) -> dict:
    """``x_train`` (60000, 28, 28) uint8, ``y_train``, ``x_test``, ``y_test`` from IDX files."""
    files = find_mnist_files(path)
    arrays = {}
    for split, (images, labels) in MNIST_FILES.items():
        x, y = read_idx(files[images]), read_idx(files[labels])
        if x.ndim < 2 or y.ndim != 1:
            raise ShapeError(
                f"{files[images]}: expected images (N, H, W) and labels (N,), "
                f"got {x.shape} and {y.shape} ({files[labels].name})"
            )
        if len(x) != len(y):
            raise ShapeError(
                f"{files[images]}: {len(x)} images but {files[labels].name} has {len(y)} labels"
            )
        arrays[f"x_{split}"], arrays[f"y_{split}"] = x, y
    return arrays
