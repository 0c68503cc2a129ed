"""The header of a ``.npy`` array (NumPy's format, NEP 1), read from a file or a zip member and
checked against the bytes that follow it before anything is allocated.

Header: the magic ``\\x93NUMPY``, a version, a length, then a Python dict literal with ``descr``,
``fortran_order`` and ``shape``. NumPy's parser raises ``ValueError``, ``SyntaxError`` or
``tokenize.TokenError`` on a damaged header; all become one FileFormatError here. The declared
size, prod(shape) × itemsize, is computed in Python integers (it cannot wrap around) and must
equal the bytes the file holds after the header: a file is never trusted for more than its size.
"""

import io
import math
import struct
import sys
import tokenize
import warnings
from dataclasses import dataclass

import numpy as np

from mlplab.errors import FileFormatError

MAGIC = b"\x93NUMPY"
MAGIC_BYTES = len(MAGIC) + 2  # and the version's two bytes
LENGTH_FORMATS = {(1, 0): "<H", (2, 0): "<I", (3, 0): "<I"}
HEADER_ERRORS = (ValueError, SyntaxError, TypeError, OverflowError, tokenize.TokenError,
                 RecursionError, EOFError)  # fmt: skip


@dataclass(frozen=True)
class NpyHeader:
    shape: tuple
    dtype: np.dtype
    fortran_order: bool
    offset: int  #: bytes from the start of the stream to the data
    data_bytes: int  #: prod(shape) × itemsize

    @property
    def order(self) -> str:
        return "F" if self.fortran_order else "C"


def read_npy_header(stream, where: str, total_bytes: int) -> NpyHeader:
    """The checked header of the ``.npy`` array at the start of ``stream`` (``total_bytes``
    long, header included); ``where`` names it in errors. The stream is left at the data."""
    head = stream.read(MAGIC_BYTES)
    version = tuple(head[len(MAGIC) :])
    if len(head) < MAGIC_BYTES or head[: len(MAGIC)] != MAGIC:
        raise FileFormatError(f"{where}: not a .npy file (no \\x93NUMPY magic string)")
    if version not in LENGTH_FORMATS:
        raise FileFormatError(f"{where}: not a .npy file (unknown format version {version})")
    size = struct.calcsize(LENGTH_FORMATS[version])
    length_bytes = stream.read(size)
    length = (
        struct.unpack(LENGTH_FORMATS[version], length_bytes)[0] if len(length_bytes) == size else 0
    )
    offset = MAGIC_BYTES + size + length
    if len(length_bytes) < size or offset > total_bytes:
        raise FileFormatError(
            f"{where}: truncated .npy header ({offset} bytes declared, file holds {total_bytes})"
        )
    parse = io.BytesIO(length_bytes + stream.read(length))
    try:
        with warnings.catch_warnings():  # a Python 2 header: parsed all the same
            warnings.simplefilter("ignore")
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(parse)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(parse)
    except HEADER_ERRORS as e:
        raise FileFormatError(f"{where}: not a .npy file ({first_line(e)})") from None
    if dtype.hasobject:
        raise FileFormatError(f"{where}: holds Python objects (a pickle); refused")
    if dtype.itemsize == 0 or any(d < 0 for d in shape):
        raise FileFormatError(f"{where}: header declares an impossible shape {shape} {dtype}")
    if math.prod(d for d in shape if d) * dtype.itemsize > sys.maxsize:
        raise FileFormatError(f"{where}: header declares shape {shape} {dtype}: too large")
    declared = math.prod(shape) * dtype.itemsize
    actual = total_bytes - offset
    if actual < declared:
        raise FileFormatError(
            f"{where}: truncated: header declares shape {shape} {dtype} ({declared} bytes), "
            f"file holds {actual} bytes of data"
        )
    if actual > declared:
        raise FileFormatError(
            f"{where}: header declares shape {shape} {dtype} ({declared} bytes) but the file "
            f"holds {actual} bytes of data: header and data disagree"
        )
    return NpyHeader(tuple(shape), dtype, fortran, offset, declared)


def first_line(error: BaseException, limit: int = 160) -> str:
    """An exception's message as one short line (NumPy's may quote a whole header)."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
