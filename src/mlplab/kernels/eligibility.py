"""Which arrays a kernel takes, and when a kernel spreads over the cores.

Kernels take NumPy arrays of float32 or float64, C-contiguous, all of one dtype; anything else
(CuPy arrays, strided views, integer input) runs the NumPy reference. Below
``PARALLEL_MIN_ELEMENTS`` elements (``MLPLAB_PARALLEL_MIN_ELEMENTS``) a kernel runs its serial
twin. Measured on 2 cores shared with OpenBLAS's threads, the parallel twins lost at every
benchmark shape (64×100 to 256×1024): a pass over ≤ 1 MB takes 4-60 µs on one core, less than
waking the pool, whose spinning threads also slow the next matrix product. Hence 2²⁰ elements
(4 MB of float32, past the caches, where a second core's memory bandwidth pays).
"""

import os

import numpy as np

from mlplab.errors import ConfigError

FLOAT_TYPES = (np.dtype(np.float32), np.dtype(np.float64))

#: below this many elements the serial twin of a kernel runs (the pool's start-up dominates).


def _threshold() -> int:
    value = os.environ.get("MLPLAB_PARALLEL_MIN_ELEMENTS", "").strip() or str(1 << 20)
    if not value.isdigit():
        raise ConfigError(f"MLPLAB_PARALLEL_MIN_ELEMENTS: expected a count >= 0, got {value!r}")
    return int(value)


PARALLEL_MIN_ELEMENTS = _threshold()


def takes(*arrays) -> bool:
    """True when every array is a C-contiguous NumPy float32/float64 array of one dtype."""
    dtype = arrays[0].dtype if isinstance(arrays[0], np.ndarray) else None
    if dtype not in FLOAT_TYPES:
        return False
    return all(
        isinstance(a, np.ndarray) and a.dtype == dtype and a.flags.c_contiguous for a in arrays
    )


def parallel(elements: int) -> bool:
    """Whether a kernel over ``elements`` values should use the parallel (prange) twin."""
    return elements >= PARALLEL_MIN_ELEMENTS


def chunks(rows: int) -> int:
    """Row chunks for a parallel kernel: one per kernel thread (asked here, in Python: a
    kernel that asks Numba for it cannot be cached), at most one per row."""
    import numba

    return max(1, min(numba.get_num_threads(), rows))


def choose(x, parallel_twin, serial_twin):
    """(kernel, chunks) for array ``x``: the parallel twin with one chunk per thread, or the
    serial twin (asking Numba for its thread count costs ~50 µs, so only when it runs)."""
    if parallel(x.size):
        return parallel_twin, chunks(x.shape[0])
    return serial_twin, 1
