"""Read the features to predict on: CSV, NPY or NPZ, without labels.

- CSV: numbers separated by commas; an optional header row (any non-numeric first row). The
  training label column is dropped when present (by name or index; without one, a column named
  label/target/class/y, or the last column when there is one column more than the model
  takes), so the training file itself can be passed.
- NPY: an array (N, D), or (N, *feature_shape) which is flattened to (N, D).
- NPZ: the array under ``x``, ``x_test`` or ``X``, or the only array in the file.

Every problem is one line naming the file and, for CSV, the row and column.
"""

import csv
import zipfile
from pathlib import Path

import numpy as np

from mlplab.errors import FileFormatError, ShapeError


def read_features(
    path,
    label_column: str | None = None,
    n_features: int | None = None,
    feature_names=None,
):
    """Features of shape (N, D) from a CSV, NPY or NPZ file (``n_features``: what the model
    takes, to recognize a CSV's label column). With the training columns' ``feature_names``, a
    CSV with a header is matched by name: its columns may come in any order, but every name must
    be there and no other."""
    path = Path(path)
    if not path.is_file():
        raise FileFormatError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        x = _read_npy(path)
    elif suffix == ".npz":
        x = _read_npz(path)
    elif suffix in (".csv", ".txt"):
        x = _read_csv(path, label_column, n_features, feature_names)
    else:
        raise FileFormatError(f"{path}: unknown input format {suffix!r} (use .csv, .npy or .npz)")
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    elif x.ndim > 2:
        x = x.reshape(len(x), -1)
    if x.dtype.kind not in "biuf":
        raise FileFormatError(f"{path}: features must be numbers, got dtype {x.dtype}")
    if len(x) == 0:
        raise ShapeError(f"{path}: no rows to predict")
    return x


def _read_npy(path: Path) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except ValueError as e:
        raise FileFormatError(f"{path}: not a plain NPY array ({e})") from None
    except (OSError, EOFError) as e:
        raise FileFormatError(f"{path}: truncated or corrupt NPY file ({e})") from None


def _read_npz(path: Path) -> np.ndarray:
    try:
        with np.load(path, allow_pickle=False) as archive:
            keys = list(archive.files)
            for key in ("x", "x_test", "X"):
                if key in keys:
                    return archive[key]
            if len(keys) == 1:
                return archive[keys[0]]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise FileFormatError(f"{path}: truncated or corrupt NPZ file ({e})") from None
    raise FileFormatError(
        f"{path}: expected an array named x, x_test or X (or a single array), found {keys}"
    )


def _read_csv(path: Path, label_column, n_features, feature_names=None) -> np.ndarray:
    try:
        with path.open(newline="") as f:
            rows = [row for row in csv.reader(f) if row and any(c.strip() for c in row)]
    except UnicodeDecodeError:
        raise FileFormatError(f"{path}: not a text CSV file") from None
    if not rows:
        raise FileFormatError(f"{path}: empty CSV file")
    header = None
    if not all(_is_number(c) for c in rows[0]):
        header, rows = [c.strip() for c in rows[0]], rows[1:]
    width = len(header) if header is not None else len(rows[0]) if rows else 0
    drop = _label_index(header, width, label_column, n_features)
    values = np.empty((len(rows), width - (drop is not None)), dtype=np.float64)
    first_line = 2 if header is not None else 1
    for r, row in enumerate(rows):
        if len(row) != width:
            raise FileFormatError(
                f"{path}: row {first_line + r} has {len(row)} columns, expected {width}"
            )
        c_out = 0
        for c, cell in enumerate(row):
            if c == drop:
                continue
            try:
                values[r, c_out] = float(cell)
            except ValueError:
                name = header[c] if header is not None else str(c)
                raise FileFormatError(
                    f"{path}: row {first_line + r}, column {name!r}: {cell!r} is not a number"
                ) from None
            c_out += 1
    if header is None or not feature_names:
        return values
    return match_columns(
        path, values, [h for c, h in enumerate(header) if c != drop], feature_names
    )


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


def _label_index(header, width: int, label_column, n_features) -> int | None:
    """The column to drop as the training label, or None."""
    if label_column and header is not None and label_column in header:
        return header.index(label_column)
    one_more = n_features is not None and width == n_features + 1
    if label_column and label_column.lstrip("-").isdigit() and width:
        return int(label_column) % width if one_more or n_features is None else None
    if not one_more:
        return None
    if header is not None:
        lowered = [h.lower() for h in header]
        for name in ("label", "target", "class", "y"):
            if name in lowered:
                return lowered.index(name)
    return width - 1


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
