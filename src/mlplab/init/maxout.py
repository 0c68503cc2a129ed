"""The initializer that keeps a maxout network's activations flat from layer to layer.

A maxout unit outputs the largest of k pieces zⱼ = wⱼᵀx. With W ~ N(0, v) and inputs of second
moment E[x²], each piece is N(0, σ²), σ² = fan_in · v · E[x²], and the unit's second moment is
E[y²] = σ² · m(k), where m(k) = E[max of k standard normals²] = ∫ t² k φ(t) Φ(t)^(k−1) dt.
Keeping E[y²] = E[x²] gives v = 1 / (fan_in · m(k)): the same argument as He et al. (2015)
give for ReLU, whose m is ½ (hence He's factor 2). For k = 2, m(2) = 1 exactly (the max and the
min of two pieces share their squares), so He's factor 2 doubles the second moment at every
layer; for k = 3, 4, 5 m is 1.276, 1.551, 1.800.
"""

import functools
import math

import numpy as np

from mlplab.init.spec import INITIALIZERS

_erf = np.frompyfunc(math.erf, 1, 1)  # NumPy has no erf; SciPy's would cost its import


@functools.cache
def max_second_moment(pieces: int) -> float:
    """m(k) = E[(max of k independent standard normals)²], by the trapezoid rule on [−12, 12]
    (the integrand vanishes at both ends, so the rule is the grid's sum times its step; error
    < 1e-9)."""
    t, step = np.linspace(-12.0, 12.0, 240_001, retstep=True)
    normal_cdf = 0.5 * (1.0 + _erf(t / math.sqrt(2.0)).astype(np.float64))
    density = pieces * np.exp(-0.5 * t * t) / math.sqrt(2 * math.pi) * normal_cdf ** (pieces - 1)
    return float(np.sum(t * t * density) * step)


@INITIALIZERS.register("maxout")
def maxout():
    """W ~ N(0, 1 / (fan_in · m(k))) for a Maxout weight of shape (in, out, k).

    A 2-D weight (the linear output layer after maxout layers) has k = 1 and m = 1: LeCun's
    1/fan_in, which passes the second moment through unchanged.
    """

    def init(shape, fan_in, fan_out, dtype, rng):
        pieces = shape[2] if len(shape) == 3 else 1
        std = math.sqrt(1.0 / (fan_in * max_second_moment(pieces)))
        return (rng.standard_normal(shape) * std).astype(dtype)

    return init
