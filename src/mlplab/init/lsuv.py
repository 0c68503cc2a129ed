"""Layer-sequential unit-variance initialization, LSUV [Mishkin & Matas, 2015]."""

import math

import numpy as np

from mlplab.init.orthogonal import orthogonal
from mlplab.init.spec import INITIALIZERS, check_positive

#: the variance tolerance and iteration cap of the paper's Algorithm 1.
DEFAULT_TOLERANCE = 0.1
DEFAULT_MAX_ITERATIONS = 10


@INITIALIZERS.register("lsuv")
def lsuv(tolerance: float = DEFAULT_TOLERANCE):
    """Orthonormal weights, to be rescaled on a batch of data by ``data_init`` (``lsuv:TOL``).

    "All you need is a good init" [Mishkin & Matas, 2015]: start from an orthonormal W
    [Saxe et al., 2013], then, layer by layer from the input, divide W by √Var(B) where B is the
    layer's output on a batch, until |Var(B) − 1| < TOL (default 0.1).
    """
    tolerance = check_positive("LSUV tolerance", tolerance)
    init = orthogonal(1.0)

    def lsuv_base(shape, fan_in, fan_out, dtype, rng):
        return init(shape, fan_in, fan_out, dtype, rng)

    lsuv_base.data_init = f"lsuv:{tolerance:g}"
    return lsuv_base


def lsuv_layer(layer, x, tolerance=DEFAULT_TOLERANCE, max_iterations=DEFAULT_MAX_ITERATIONS):
    """Rescale ``layer.params["W"]`` in place until the variance of ``layer.forward(x)`` is 1 ± tol.

    Algorithm 1 of Mishkin & Matas (2015): while |Var(B) − 1| ≥ tol and fewer than
    ``max_iterations`` steps: W ← W / √Var(B). Var is over every entry of B (N, H).
    Returns {"variance", "iterations", "converged"}.
    """
    W = layer.params["W"]
    iterations = 0
    while True:
        variance = float(np.var(layer.forward(x, training=False), dtype=np.float64))
        converged = abs(variance - 1.0) < tolerance
        if converged or iterations >= max_iterations or not 0.0 < variance < math.inf:
            break
        W *= W.dtype.type(1.0 / math.sqrt(variance))
        iterations += 1
    return {"variance": variance, "iterations": iterations, "converged": converged}
