"""File checks shared by the loaders: the path exists, is a file, is not empty; gzip is opened."""

import gzip
import zlib
from pathlib import Path

from mlplab.errors import FileFormatError

GZIP_MAGIC = b"\x1f\x8b"


def require_file(path) -> Path:
    """The path as a ``Path``; a FileFormatError if it is missing, not a file, or empty."""
    path = Path(path)
    if not path.exists():
        raise FileFormatError(f"{path}: no such file")
    if not path.is_file():
        raise FileFormatError(f"{path}: not a file")
    if path.stat().st_size == 0:
        raise FileFormatError(f"{path}: empty file (0 bytes)")
    return path


def read_bytes(path) -> bytes:
    """A file's bytes, decompressed when it is gzipped; truncated gzip is a FileFormatError."""
    path = require_file(path)
    raw = path.read_bytes()
    if raw[:2] != GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as e:
        raise FileFormatError(f"{path}: corrupt or truncated gzip data ({e})") from None
