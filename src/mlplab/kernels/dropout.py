"""Inverted dropout's mask and scale in one pass, forward and backward (``native/losses.h``).

y = x ⊙ [b ≥ t] / (1 − p) and dx = dy ⊙ [b ≥ t] / (1 − p), the random bits b made inside the
pass from the step's seed (``kernels/dropout_mask.py``, whose NumPy mask this is, bit for bit).
Shapes: x, y, dy, dx (N, D).
"""

import numpy as np

from mlplab.kernels.dropout_mask import threshold
from mlplab.kernels.runtime import compiled


def dropout_apply(x, seed, offset, p):
    """x ⊙ [b ≥ t] / (1 − p) as a new array, b the bits of elements offset, offset + 1, ...
    (forward: x; backward: dy)."""
    y = np.empty_like(x)
    compiled().dropout(x, seed, offset, threshold(p), 1.0 / (1.0 - p), y)
    return y
