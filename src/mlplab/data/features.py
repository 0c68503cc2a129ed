"""Features without labels, for prediction: a CSV, ``.npy`` or ``.npz`` file, checked against
what the model was trained on.

- CSV: an optional header row (a first row of mostly non-numbers). The training label column
  is dropped when present — by name or index (``label_column``); without one, a column named
  label/target/class/y, or else the last column, when the file has one column more than the
  model takes — so the training file itself can be passed. With the training columns'
  ``feature_names``, a header is matched by name: the columns may come in any order, but every
  training name must be there and no other.
- NPY: an array (N, D), memory-mapped; (N, H, W, C) images are flattened to (N, D).
- NPZ: the array under ``x``, ``X``, ``x_test`` or ``features``, or the only array in the file.

Every problem is one line naming the file (and for a CSV, the row and the column).
"""

import csv
from pathlib import Path

import numpy as np

from mlplab.data.csv_file import LABEL_NAMES, read_csv
from mlplab.data.files import require_file
from mlplab.data.validation import check_features
from mlplab.errors import FileFormatError, ShapeError

NPZ_KEYS = ("x", "X", "x_test", "features")


def load_features(path, n_features=None, label_column=None, feature_names=None):
    """x (N, D) from ``path`` (see the module's docstring); a width other than ``n_features``
    is a ShapeError naming the file, a NaN or inf a NonFiniteError naming row and column."""
    path = require_file(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        x = _csv_features(path, n_features, label_column, feature_names)
    elif suffix == ".npy":
        from mlplab.data.npy_pair import open_npy

        x = open_npy(path, mmap=True)
    elif suffix == ".npz":
        x = _npz_features(path)
    else:
        raise FileFormatError(f"{path}: unknown input format {suffix!r} (use .csv, .npy or .npz)")
    if x.ndim == 1 and n_features == 1:
        x = x.reshape(-1, 1)
    elif x.ndim > 2:
        x = x.reshape(len(x), -1)
    return check_features(x, str(path), n_features, expected_by="the model")


def match_columns(where, values: np.ndarray, columns, feature_names) -> np.ndarray:
    """The columns of ``values`` (named ``columns``) in the training order ``feature_names``;
    a missing or unknown column is a ShapeError naming ``where``."""
    columns = list(columns)
    missing = [n for n in feature_names if n not in columns]
    extra = [n for n in columns if n not in feature_names]
    if missing or extra:
        problems = []
        if missing:
            problems.append(f"missing training column(s) {', '.join(map(repr, missing))}")
        if extra:
            problems.append(f"unknown column(s) {', '.join(map(repr, extra))}")
        raise ShapeError(
            f"{where}: {'; '.join(problems)} (the model was trained on "
            f"{', '.join(map(repr, feature_names))})"
        )
    return values[:, [columns.index(n) for n in feature_names]]


def _csv_features(path: Path, n_features, label_column, feature_names):
    first = _first_row(path)
    # a header has mostly names; a data row mostly numbers (with perhaps a label among them)
    numbers = sum(_is_number(cell) for cell in first)
    header = None if 2 * numbers > len(first) else [c.strip() for c in first]
    label = _label_index(header, len(first), label_column, n_features)
    x, _, columns = read_csv(path, label, labels=label is not None, header=header is not None)
    if header is None or not feature_names:
        return x
    return match_columns(path, x, columns, feature_names)


def _first_row(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as f:
        for row in csv.reader(f):
            if any(cell.strip() for cell in row):
                return row
    raise FileFormatError(f"{path}: no rows in the CSV file")


def _label_index(header, width: int, label_column, n_features) -> int | str | None:
    """The column to drop as the training label (several, ``"a,b"``, for multi-label), or None."""
    if label_column is not None and "," in str(label_column):
        present = [c.strip() for c in str(label_column).split(",") if c.strip() in (header or ())]
        return ",".join(present) if present else None
    if label_column is not None and header is not None and str(label_column) in header:
        return header.index(str(label_column))
    one_more = n_features is not None and width == n_features + 1
    if label_column is not None and str(label_column).lstrip("-").isdigit():
        return int(label_column) % width if one_more or n_features is None else None
    if not one_more:
        return None
    lowered = [h.lower() for h in header or ()]
    named = [name for name in LABEL_NAMES if name in lowered]
    return lowered.index(named[0]) if named else width - 1


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _npz_features(path: Path):
    from mlplab.data.npz_file import open_npz, read_array

    with open_npz(path) as archive:
        keys = [k for k in NPZ_KEYS if k in archive.files]
        if not keys and len(archive.files) == 1:
            keys = archive.files
        if not keys:
            raise FileFormatError(
                f"{path}: no features array; expected one of {', '.join(NPZ_KEYS)} or a "
                f"single array, found {', '.join(archive.files) or 'none'}"
            )
        return read_array(path, archive, keys[0])
