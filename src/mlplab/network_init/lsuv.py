"""LSUV [Mishkin & Matas, 2015]: rescale each layer on a batch until its output has variance 1."""

import math

import numpy as np

from mlplab.init.lsuv import DEFAULT_MAX_ITERATIONS, DEFAULT_TOLERANCE


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
