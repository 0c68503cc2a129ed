"""Checks made once, where data enters mlplab: numeric, finite, the right feature count.

Messages name the source (file or split), the row and the column of the first bad value, in the
wording of scikit-learn's ``check_array`` where it has one. Large (memory-mapped) arrays are
scanned in row chunks so that checking never loads them whole.
"""

import numpy as np

from mlplab.errors import DTypeError, NonFiniteError, ShapeError

CHUNK_BYTES = 64 * 2**20


def row_chunks(n_rows: int, row_bytes: int):
    """Slices of consecutive rows of about ``CHUNK_BYTES`` each."""
    step = max(1, CHUNK_BYTES // max(int(row_bytes), 1))
    for start in range(0, n_rows, step):
        yield slice(start, min(start + step, n_rows))


class ComplexDataError(DTypeError, ValueError):
    """Complex numbers where real features are required (a ValueError, as in scikit-learn)."""


def check_features(
    x, where: str, n_features: int | None = None, allow_nonfinite=False, expected_by=None
):
    """Validate a 2-D feature matrix (N, D): dense, real numbers, D as expected, all finite.

    Returns ``x`` unchanged (a memory map stays a memory map); an object array of numbers is
    converted to float64. ``expected_by`` names what expects ``n_features`` (for the message).
    """
    if hasattr(x, "toarray") or hasattr(x, "tocsr"):
        raise DTypeError(f"{where}: sparse input is not supported; pass a dense array")
    if not hasattr(x, "ndim"):
        x = np.asarray(x)
    if x.dtype.kind == "O":
        try:
            x = x.astype(np.float64)
        except (TypeError, ValueError) as e:
            raise DTypeError(f"{where}: expected numeric features ({e})") from None
    if x.dtype.kind == "c":
        raise ComplexDataError(f"{where}: Complex data not supported, got dtype {x.dtype}")
    if x.ndim != 2:
        hint = (
            "; Reshape your data: x.reshape(-1, 1) for one feature, x.reshape(1, -1) for one row"
            if x.ndim == 1
            else ""
        )
        raise ShapeError(f"{where}: expected features of shape (N, D), got shape {x.shape}{hint}")
    if x.dtype.kind not in "fiub":
        raise DTypeError(f"{where}: expected numeric features, got dtype {x.dtype}")
    if x.shape[0] == 0 or x.shape[1] == 0:
        what = "sample" if x.shape[0] == 0 else "feature"
        raise ShapeError(
            f"{where}: found array with 0 {what}(s) (shape={x.shape}) while a minimum of 1 "
            "is required."
        )
    if n_features is not None and x.shape[1] != n_features:
        raise ShapeError(
            f"{where}: X has {x.shape[1]} features, but {expected_by or 'the model'} is "
            f"expecting {n_features} features as input (as in training); got shape {x.shape}"
        )
    if not allow_nonfinite and x.dtype.kind == "f":
        first = first_nonfinite(x)
        if first is not None:
            row, col = first
            raise NonFiniteError(
                f"{where}: non-finite value {x[row, col]} (NaN or inf) at row {row}, column {col}"
            )
    return x


def first_nonfinite(x):
    """(row, column) of the first NaN or inf in a 2-D array, or None; scans in row chunks."""
    if x.dtype.kind != "f":
        return None
    for rows in row_chunks(x.shape[0], x.shape[1] * x.itemsize):
        bad = ~np.isfinite(x[rows])
        if bad.any():
            row, col = np.argwhere(bad)[0]
            return int(rows.start + row), int(col)
    return None


def count_nonfinite(x) -> int:
    """How many NaN or inf values a 2-D array holds (scanned in row chunks)."""
    if x.dtype.kind != "f":
        return 0
    return sum(
        int((~np.isfinite(x[rows])).sum())
        for rows in row_chunks(x.shape[0], x.shape[1] * x.itemsize)
    )


def check_same_length(x, y, where: str):
    """Features and labels must have one row each per example."""
    if len(x) != len(y):
        raise ShapeError(f"{where}: {len(x)} feature rows but {len(y)} labels")
