"""Features without labels, for prediction: a CSV, a ``.npy`` or an ``.npz`` file, checked
against the feature count the model was trained on."""

from pathlib import Path

import numpy as np

from mlplab.data.files import require_file
from mlplab.data.validation import check_features
from mlplab.errors import FileFormatError

NPZ_KEYS = ("x", "X", "x_test", "features")


def load_features(path, n_features: int | None = None, label_column=None):
    """x (N, D) from ``path``: every column of a CSV (minus ``label_column`` if given, or a
    last column named label/target/class/y when the file has one column too many); a ``.npy``
    array (memory-mapped); the ``x``, ``x_test`` or only array of an ``.npz``. Arrays of images
    (N, H, W, C) are flattened. A width other than ``n_features`` is a ShapeError naming the file.
    """
    path = require_file(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        x = _csv_features(path, n_features, label_column)
    elif suffix == ".npy":
        from mlplab.data.npy_pair import open_npy

        x = open_npy(path, mmap=True)
    elif suffix == ".npz":
        x = _npz_features(path)
    else:
        raise FileFormatError(f"{path}: expected a .csv, .npy or .npz file of features")
    if x.ndim > 2:
        x = x.reshape(len(x), -1)
    return check_features(x, str(path), n_features, expected_by="the model")


def _csv_features(path: Path, n_features, label_column):
    import csv

    from mlplab.data.csv_file import LABEL_NAMES, read_csv

    if label_column is None and n_features is not None:
        with open(path, newline="", encoding="utf-8-sig", errors="replace") as f:
            header = [h.strip() for h in next(csv.reader(f), [])]
        named = [h for h in header if h.lower() in LABEL_NAMES]
        if len(header) == n_features + 1 and named:
            label_column = named[0]
    if label_column is not None:
        return read_csv(path, label_column)[0]
    return read_csv(path, labels=False)[0]


def _npz_features(path: Path):
    import zipfile

    try:
        archive = np.load(path, allow_pickle=False)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise FileFormatError(f"{path}: not a readable NPZ archive ({e})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise FileFormatError(f"{path}: a single .npy array, not an NPZ archive")
    with archive:
        keys = [k for k in NPZ_KEYS if k in archive.files]
        if not keys and len(archive.files) == 1:
            keys = archive.files
        if not keys:
            raise FileFormatError(
                f"{path}: no features array; expected one of {', '.join(NPZ_KEYS)} or a "
                f"single array, found {', '.join(archive.files) or 'none'}"
            )
        try:
            return archive[keys[0]]
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
            raise FileFormatError(
                f"{path}: array {keys[0]!r} is corrupt, truncated or pickled ({e})"
            ) from None
