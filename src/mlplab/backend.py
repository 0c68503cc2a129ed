"""The array module (``xp``) of DESIGN.md: NumPy by default, CuPy for arrays that live on a GPU.

Layers ask their inputs for the module instead of importing NumPy in their math, so the same
code runs on either library. This is the only file that knows about CuPy.
"""

import os

import numpy as np

#: per-batch checks of every layer's input, also inside networks (``MLPLAB_DEBUG=1``).
debug = os.environ.get("MLPLAB_DEBUG", "") not in ("", "0")


def set_debug(on: bool = True) -> None:
    """Check every layer's input on every batch (a network otherwise checks its input once, at
    the boundary, and its layers trust each other in the hot loop)."""
    global debug
    debug = bool(on)


def array_module(x):
    """Return the array library (``numpy`` or ``cupy``) that owns ``x``."""
    if type(x) is np.ndarray:  # the common case, answered without a string comparison
        return np
    if type(x).__module__.startswith("cupy"):
        import cupy

        return cupy
    return np


def to_numpy(x):
    """Return ``x`` as a NumPy array (a copy from the GPU for CuPy arrays)."""
    if type(x).__module__.startswith("cupy"):
        return x.get()
    return np.asarray(x)
