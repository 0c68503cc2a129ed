"""Inverted dropout's mask and scale in one pass, forward and backward (``native/losses.h``).

Given the uniform draws u (the layer's own generator makes them, so the mask is the NumPy
path's), y = x ⊙ [u >= p] / (1 - p) and dx = dy ⊙ [u >= p] / (1 - p), each one pass with no
boolean mask array; bit-identical to NumPy's ``x * mask`` then ``*= 1/(1-p)``. Shapes: x, u, y,
dy, dx (N, D); u float32.
"""

import numpy as np

from mlplab.kernels.runtime import compiled


def dropout_apply(x, uniform, p):
    """x ⊙ [u >= p] / (1 - p) as a new array (forward: x; backward: dy)."""
    y = np.empty_like(x)
    compiled().dropout(x, uniform, p, 1.0 / (1.0 - p), y)  # p as float32 in C
    return y
