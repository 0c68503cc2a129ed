"""Which path runs (the compiled kernels or the NumPy reference), and the one place that loads them.

``MLPLAB_KERNELS=numpy`` (or ``set_kernels("numpy")``) selects the reference path everywhere;
the default, ``fused``, uses the compiled kernels (``mlplab.kernels._compiled``, built from
``native/`` when mlplab is installed) wherever they were built. Where the build found no C
compiler the extension is missing and every step runs the reference.
"""

import functools
import os

from mlplab.errors import ConfigError

CHOICES = ("fused", "numpy")

_choice = os.environ.get("MLPLAB_KERNELS", "fused").strip().lower() or "fused"


def set_kernels(name: str) -> None:
    """Select ``"fused"`` (the compiled kernels where built) or ``"numpy"`` (the reference)."""
    global _choice
    if name not in CHOICES:
        raise ConfigError(f"kernels: expected one of {', '.join(CHOICES)}, got {name!r}")
    _choice = name


def fused() -> bool:
    """True when the fused kernels run: selected, and the compiled extension present."""
    if _choice not in CHOICES:
        raise ConfigError(f"MLPLAB_KERNELS: expected one of {', '.join(CHOICES)}, got {_choice!r}")
    return _choice == "fused" and compiled() is not None


@functools.cache
def compiled():
    """The compiled kernels module, or None where mlplab was installed without it."""
    try:
        import mlplab.kernels._compiled as kernels
    except ImportError:
        return None
    return kernels
