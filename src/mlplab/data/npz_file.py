"""NPZ archives with ``x_train, y_train, x_test, y_test`` (optionally ``x_val, y_val``): the
layout of the widely used ``mnist.npz``. Never unpickles: object arrays are refused.

An NPZ file is a zip archive of ``.npy`` members. Each member is checked before its array is
allocated: not encrypted, a compression method zipfile can read, a declared uncompressed size
that deflate could have produced from the compressed bytes (at most ``MAX_RATIO`` : 1), and a
``.npy`` header whose shape accounts for exactly that size (``read_npy_header``).
"""

import lzma
import zipfile
import zlib

import numpy as np

from mlplab.data.files import require_file
from mlplab.data.npy_header import first_line, read_npy_header
from mlplab.errors import FileFormatError

REQUIRED = ("x_train", "y_train", "x_test", "y_test")
OPTIONAL = ("x_val", "y_val")
#: deflate's best case is about 1032:1 (RFC 1951: 258 bytes per 2-bit code); more is a lie
MAX_RATIO = 1100
METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError,
              NotImplementedError, RuntimeError)  # fmt: skip


class NpzArchive:
    """The ``.npy`` members of a zip archive by name (``files``); use it in ``with``."""

    def __init__(self, path):
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except ZIP_ERRORS as e:
            raise FileFormatError(f"{path}: not a readable NPZ archive ({first_line(e)})") from None
        names = [n for n in self.zip.namelist() if n.endswith(".npy")]
        self.files = list(dict.fromkeys(n.removesuffix(".npy") for n in names))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.zip.close()


def open_npz(path) -> NpzArchive:
    """An NPZ archive opened without unpickling (close it, or use it in ``with``)."""
    path = require_file(path)
    archive = NpzArchive(path)
    if not archive.files:
        archive.close()
        raise FileFormatError(f"{path}: no .npy arrays in this archive; not an NPZ file")
    return archive


def read_array(path, archive: NpzArchive, key: str) -> np.ndarray:
    """``archive[key]``; a pickled, corrupt, truncated or oversized member is a FileFormatError
    naming it, raised before its array is allocated."""
    where = f"{path}: array {key!r}"
    info = archive.zip.getinfo(f"{key}.npy")
    _check_member(where, info)
    try:
        with archive.zip.open(info) as member:
            header = read_npy_header(member, where, info.file_size)
            buffer = bytearray(header.data_bytes)
            view, filled = memoryview(buffer), 0
            while filled < len(buffer):
                count = member.readinto(view[filled:])
                if not count:
                    raise FileFormatError(f"{where}: truncated after {filled} bytes of data")
                filled += count
    except ZIP_ERRORS as e:
        if isinstance(e, FileFormatError):
            raise
        raise FileFormatError(f"{where}: corrupt or truncated ({first_line(e)})") from None
    array = np.frombuffer(buffer, dtype=header.dtype) if buffer else np.empty(0, header.dtype)
    return array.reshape(header.shape, order=header.order)


def _check_member(where: str, info: zipfile.ZipInfo):
    if info.flag_bits & 0x1:
        raise FileFormatError(f"{where}: encrypted zip member; refused")
    if info.compress_type not in METHODS:
        raise FileFormatError(f"{where}: unsupported zip compression method {info.compress_type}")
    if info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise FileFormatError(
            f"{where}: declares {info.file_size} bytes from {info.compress_size} compressed "
            f"bytes (more than {MAX_RATIO}:1); corrupt or hostile archive"
        )


def read_npz(path) -> dict:
    """The arrays of an NPZ file by key (only the keys above); errors name the file and key."""
    with open_npz(path) as archive:
        keys = set(archive.files)
        missing = [k for k in REQUIRED if k not in keys]
        if missing:
            raise FileFormatError(
                f"{path}: missing key(s) {', '.join(missing)}; expected {', '.join(REQUIRED)} "
                f"(optionally x_val, y_val), found {', '.join(sorted(keys)) or 'no arrays'}"
            )
        if ("x_val" in keys) != ("y_val" in keys):
            raise FileFormatError(f"{path}: x_val and y_val must both be present or both absent")
        return {
            key: read_array(path, archive, key) for key in (*REQUIRED, *OPTIONAL) if key in keys
        }
