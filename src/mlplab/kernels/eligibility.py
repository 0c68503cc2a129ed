"""Which arrays a kernel takes, and how its rows are split over the kernel threads.

Kernels take NumPy arrays of float32 or float64, C-contiguous, all of one dtype; anything else
(CuPy arrays, strided views, integer input) runs the NumPy reference. Below
``PARALLEL_MIN_ELEMENTS`` elements (``MLPLAB_PARALLEL_MIN_ELEMENTS``) a kernel runs as one span
on the calling thread. Measured on 2 cores shared with OpenBLAS's threads, splitting lost at
every benchmark shape (64×100 to 256×1024): a pass over ≤ 1 MB takes 4-60 µs on one core, less
than waking a second thread, which also takes a core from the next matrix product. Hence 2²⁰
elements (4 MB of float32, past the caches, where a second core's memory bandwidth pays).
"""

import os

import numpy as np

from mlplab.errors import ConfigError
from mlplab.kernels import pool

FLOAT_TYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _threshold() -> int:
    value = os.environ.get("MLPLAB_PARALLEL_MIN_ELEMENTS", "").strip() or str(1 << 20)
    if not value.isdigit():
        raise ConfigError(f"MLPLAB_PARALLEL_MIN_ELEMENTS: expected a count >= 0, got {value!r}")
    return int(value)


#: below this many elements a kernel runs on the calling thread alone
PARALLEL_MIN_ELEMENTS = _threshold()


def takes(*arrays) -> bool:
    """True when every array is a C-contiguous NumPy float32/float64 array of one dtype."""
    dtype = arrays[0].dtype if isinstance(arrays[0], np.ndarray) else None
    if dtype not in FLOAT_TYPES:
        return False
    return all(
        isinstance(a, np.ndarray) and a.dtype == dtype and a.flags.c_contiguous for a in arrays
    )


def split(x) -> bool:
    """Whether a kernel over array ``x`` shares its rows among the kernel threads."""
    return x.size >= PARALLEL_MIN_ELEMENTS and pool.threads() > 1 and x.shape[0] > 1


def row_spans(x) -> list[tuple[int, int]]:
    """The (start, stop) row spans of array ``x`` for its kernel: one span unless ``split``,
    else one per kernel thread (at most one per row)."""
    rows = x.shape[0]
    return pool.spans(rows, min(pool.threads(), rows) if split(x) else 1)
