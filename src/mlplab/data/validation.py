"""The one validator of features (``check_features``) and the one of labels (``check_labels``),
used wherever arrays enter mlplab: the data loaders, ``Model``, ``Sequential``, the trainer, the
scikit-learn estimators' networks, the classic models and the data-driven initializers.

Messages name the source (``where``: a file, a split, "model input"), the row and the column of
the first bad value, in the wording of scikit-learn's ``check_array`` where it has one. Large
(memory-mapped) arrays are scanned in row chunks so that checking never loads them whole.

Scanned once: an array that passed the NaN/inf scan is remembered (``mark_checked``, by
identity, as long as it lives), and a later ``check_features`` of the same array skips the scan;
what a checked array turns into by a fitted preprocessing step is marked too. So ``mlplab train``
scans the features once, in the loader, and ``Trainer.fit`` on fresh arrays scans them once. The
hot loop trusts its batches: a value changed to NaN after the check shows up at the next step as
a non-finite batch (the trainer names it); ``mlplab.backend.set_debug(True)`` (or
``MLPLAB_DEBUG=1``) scans every time and makes the trainer check every batch.
"""

import contextlib
import weakref

import numpy as np

from mlplab import backend
from mlplab.data.file_rows import file_rows
from mlplab.errors import DTypeError, LabelError, NonFiniteError, ShapeError

CHUNK_BYTES = 64 * 2**20
#: rows read from a memory-mapped file at a time by ``row_blocks`` (a reused buffer; larger
#: reads gain nothing)
FILE_CHUNK_BYTES = 8 * 2**20

#: the width-mismatch message, and the shorter ones some callers keep (``mismatch=``); fields:
#: where, n (expected), d (given), shape, by (what expects ``n``).
WIDTH_MESSAGE = (
    "{where}: X has {d} features, but {by} is expecting {n} features as input "
    "(expected shape (N, {n}), got {shape})"
)
WIDTH_COUNT = "{where}: expected {n} features, got {d}"
WIDTH_INPUT = "{where}: expected {n} input features, got {d}"

_checked: dict[int, weakref.ref] = {}


def mark_checked(x):
    """Remember that ``x`` holds no NaN or inf (until it is garbage collected); returns ``x``."""
    key = id(x)
    with contextlib.suppress(TypeError):  # without weak references it is simply checked again
        _checked[key] = weakref.ref(x, lambda _, key=key: _checked.pop(key, None))
    return x


def is_checked(x) -> bool:
    """Whether ``x`` itself passed the NaN/inf scan (and debug mode is off)."""
    ref = _checked.get(id(x))
    return ref is not None and ref() is x and not backend.debug


def row_chunks(n_rows: int, row_bytes: int, chunk_bytes: int | None = None):
    """Slices of consecutive rows of about ``chunk_bytes`` (default ``CHUNK_BYTES``) each."""
    step = max(1, (chunk_bytes or CHUNK_BYTES) // max(int(row_bytes), 1))
    for start in range(0, n_rows, step):
        yield slice(start, min(start + step, n_rows))


def row_blocks(x):
    """(rows slice, array) of consecutive rows: of a memory map, about ``FILE_CHUNK_BYTES`` at
    a time read from its file into one reused buffer (``mlplab.data.file_rows``), so that
    scanning a large file leaves nothing of it mapped into the process; of other arrays, views
    of about ``CHUNK_BYTES``."""
    reader = file_rows(x)
    if reader is None:
        for rows in row_chunks(x.shape[0], x.shape[1] * x.itemsize):
            yield rows, x[rows]
        return
    with reader:
        buffer = None
        chunk_bytes = min(CHUNK_BYTES, FILE_CHUNK_BYTES)
        for rows in row_chunks(x.shape[0], reader.row_bytes, chunk_bytes):
            n = rows.stop - rows.start
            if buffer is None or len(buffer) < n:
                buffer = np.empty((n, x.shape[1]), x.dtype)
            yield rows, reader.read_span(rows.start, buffer[:n])


class ComplexDataError(DTypeError, ValueError):
    """Complex numbers where real features are required (a ValueError, as in scikit-learn)."""


def check_features(
    x,
    where: str,
    n_features: int | None = None,
    *,
    allow_nonfinite=False,
    expected_by=None,
    dtype=None,
    mismatch: str = WIDTH_MESSAGE,
):
    """Validate a 2-D feature matrix (N, D): dense, real numbers, N ≥ 1, D as expected, finite.

    Returns ``x`` (a memory map stays a memory map); an object array of numbers becomes float64;
    with ``dtype``, an in-memory array is cast to it (before the scan, so an overflow to inf is
    caught). ``expected_by`` names what expects ``n_features``; ``mismatch`` is the message for
    a wrong width. The NaN/inf scan is skipped for an array already checked (``is_checked``).
    """
    x = _as_real_array(x, where)
    _check_shape(x, where, n_features, expected_by, mismatch)
    if dtype is not None and not isinstance(x, np.memmap) and x.dtype != dtype:
        x = x.astype(dtype)
    if not allow_nonfinite and not is_checked(x):
        first = first_nonfinite(x)
        if first is not None:
            row, col = first
            raise NonFiniteError(
                f"{where}: non-finite value {x[row, col]} (NaN or inf) at row {row}, column {col}"
            )
        mark_checked(x)
    return x


def _as_real_array(x, where):
    """``x`` as a dense array of real numbers (an object array of numbers becomes float64)."""
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
    return x


def _check_shape(x, where, n_features, expected_by, mismatch):
    if x.ndim != 2:
        hint = (
            "; Reshape your data: x.reshape(-1, 1) for one feature, x.reshape(1, -1) for one row"
            if x.ndim == 1
            else ""
        )
        raise ShapeError(
            f"{where}: expected features of shape (N, D) (a 2-D array), got shape {x.shape}{hint}"
        )
    if n_features is not None and x.shape[1] != n_features:
        by = expected_by or "the model"
        raise ShapeError(
            mismatch.format(where=where, n=n_features, d=x.shape[1], shape=x.shape, by=by)
        )
    if x.dtype.kind not in "fiub":
        raise DTypeError(f"{where}: expected numeric features, got dtype {x.dtype}")
    if x.shape[0] == 0:
        raise ShapeError(
            f"{where}: no rows (shape {x.shape}); found array with 0 sample(s) while a minimum "
            "of 1 is required."
        )
    if x.shape[1] == 0:
        raise ShapeError(
            f"{where}: found array with 0 feature(s) (shape={x.shape}) while a minimum of 1 "
            "is required."
        )


def check_labels(y, where: str, n_samples: int | None = None, *, n_classes=None, dtype=None):
    """Validate labels or targets y, one per example (``n_samples`` of them); returns an array.

    - class indices (``n_classes`` given): shape (N,), integers in 0..n_classes-1;
    - regression targets (``dtype`` given): (N,) or (N, K) numbers, cast to ``dtype``, finite;
    - raw labels (neither): shape (N,) or (N, 1), flattened; their values (strings, integers)
      are the ``LabelEncoder``'s to check.
    """
    y = np.asarray(y) if not hasattr(y, "ndim") else y
    if n_samples is not None and len(y) != n_samples:
        raise ShapeError(
            f"{where}: {n_samples} feature rows but {len(y)} labels (X has {n_samples} rows but "
            f"y has {len(y)}); expected labels of shape ({n_samples},)"
        )
    if n_classes is None and dtype is None:
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
    elif n_classes is not None and y.dtype.kind not in "iu":
        raise DTypeError(f"{where}: class labels must be integers 0..C-1, got dtype {y.dtype}")
    if y.ndim != 1 and (dtype is None or y.ndim != 2):
        raise ShapeError(f"{where}: expected labels of shape (N,), got shape {y.shape}")
    if dtype is not None:
        y = y.astype(dtype, copy=False)
        bad = np.flatnonzero(~np.isfinite(y.reshape(len(y), -1)).all(axis=1))
        if len(bad):
            raise NonFiniteError(f"{where}: non-finite target at row {bad[0]} (NaN or inf)")
    if n_classes is not None:
        y = np.asarray(y, dtype=np.int64)
        bad = np.flatnonzero((y < 0) | (y >= n_classes)) if n_classes else ()
        if len(bad):
            raise LabelError(
                f"{where}: label {y[bad[0]]} at row {bad[0]} is out of range for "
                f"{n_classes} classes (expected 0..{n_classes - 1})"
            )
    return y


def first_nonfinite(x):
    """(row, column) of the first NaN or inf in a 2-D array, or None; scans in row chunks."""
    if x.dtype.kind != "f":
        return None
    for rows, part in row_blocks(x):
        bad = ~np.isfinite(part)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            return int(rows.start + row), int(col)
    return None


def count_nonfinite(x) -> int:
    """How many NaN or inf values a 2-D array holds (scanned in row chunks)."""
    if x.dtype.kind != "f":
        return 0
    return sum(int((~np.isfinite(part)).sum()) for _, part in row_blocks(x))
