"""Inverted dropout's mask and scale in one pass, forward and backward.

Given the uniform draws u (the layer's own generator makes them, so the mask is the NumPy
path's), y = x ⊙ [u >= p] / (1 - p) and dx = dy ⊙ [u >= p] / (1 - p), each one pass with no
boolean mask array; bit-identical to NumPy's ``x * mask`` then ``*= 1/(1-p)``. Shapes: x, u, y,
dy, dx (N, D); u float32.
"""

import numba
import numpy as np


@numba.njit(cache=True)
def _masked_scale(x, u, p, scale, y):
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            y[i, j] = (x[i, j] if u[i, j] >= p else x[i, j] * 0) * scale


def dropout_apply(x, uniform, p):
    """x ⊙ [u >= p] / (1 - p) as a new array (forward: x; backward: dy)."""
    y = np.empty_like(x)
    _masked_scale(x, uniform, np.float32(p), x.dtype.type(1.0 / (1.0 - p)), y)
    return y
