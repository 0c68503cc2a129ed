"""Fused kernels: a training step's elementwise work in one pass over memory, spread over the cores.

Each kernel has a NumPy twin in ``layers/``, ``losses.py`` or ``optim.py``; that code stays the
reference (and the fallback where Numba is missing or ``MLPLAB_KERNELS=numpy``). Kernel modules
import Numba at their top and decorate with ``numba.njit(cache=True, ...)``: compiled on first
use and cached on disk, so only the first run ever waits for them. Callers import a kernel module
inside the fused branch, so ``import mlplab`` never imports Numba.
"""

from mlplab.kernels.runtime import fused, set_kernels
from mlplab.kernels.threads import set_threads

__all__ = ["fused", "set_kernels", "set_threads"]
