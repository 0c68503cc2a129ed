"""NPZ archives with ``x_train, y_train, x_test, y_test`` (optionally ``x_val, y_val``): the
layout of the widely used ``mnist.npz``. Never unpickles: object arrays are refused."""

import zipfile
import zlib

import numpy as np

from mlplab.data.files import require_file
from mlplab.errors import FileFormatError

REQUIRED = ("x_train", "y_train", "x_test", "y_test")
OPTIONAL = ("x_val", "y_val")


def open_npz(path) -> np.lib.npyio.NpzFile:
    """An NPZ archive opened without unpickling (close it, or use it in ``with``)."""
    path = require_file(path)
    try:
        archive = np.load(path, allow_pickle=False)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise FileFormatError(f"{path}: not a readable NPZ archive ({e})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise FileFormatError(f"{path}: a single .npy array, not an NPZ archive")
    return archive


def read_array(path, archive, key: str) -> np.ndarray:
    """``archive[key]``; a pickled, corrupt or truncated array is a FileFormatError naming it."""
    try:
        return archive[key]
    except ValueError as e:
        if "allow_pickle" in str(e):
            raise FileFormatError(
                f"{path}: array {key!r} holds Python objects (a pickle); refused"
            ) from None
        raise FileFormatError(f"{path}: array {key!r} is corrupt ({e})") from None
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as e:
        raise FileFormatError(f"{path}: array {key!r} is corrupt or truncated ({e})") from None


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
