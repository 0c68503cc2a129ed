"""Which path runs (fused kernels or the NumPy reference), and the one place that imports Numba.

``MLPLAB_KERNELS=numpy`` (or ``set_kernels("numpy")``) selects the reference path everywhere;
the default, ``fused``, uses the kernels wherever Numba imports. Numba is imported when the first
step asks ``fused()``, never by ``import mlplab``, so commands that train nothing start fast.
"""

import functools
import os

from mlplab.errors import ConfigError

CHOICES = ("fused", "numpy")

_choice = os.environ.get("MLPLAB_KERNELS", "fused").strip().lower() or "fused"


def set_kernels(name: str) -> None:
    """Select ``"fused"`` (Numba kernels where available) or ``"numpy"`` (the reference)."""
    global _choice
    if name not in CHOICES:
        raise ConfigError(f"kernels: expected one of {', '.join(CHOICES)}, got {name!r}")
    _choice = name


def fused() -> bool:
    """True when the fused kernels run: selected, and Numba importable."""
    if _choice not in CHOICES:
        raise ConfigError(f"MLPLAB_KERNELS: expected one of {', '.join(CHOICES)}, got {_choice!r}")
    return _choice == "fused" and numba_available()


@functools.cache
def numba_available() -> bool:
    """Whether Numba imports here (asked once; the import costs a few hundred milliseconds)."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True
