"""Fused kernels: a training step's elementwise work in one pass over memory.

Each kernel has a NumPy twin in ``layers/``, ``losses.py`` or ``optim.py``; that code stays the
reference (and the fallback where mlplab was installed without its compiled kernels, or
``MLPLAB_KERNELS=numpy``). The kernels are C (``native/``), compiled once when mlplab is
installed into the extension ``_compiled``; the modules here choose the rows each call covers
and the threads that run them. Callers import a kernel module inside the fused branch.
"""

from mlplab.kernels.runtime import fused, set_kernels
from mlplab.kernels.threads import set_threads

__all__ = ["fused", "set_kernels", "set_threads"]
