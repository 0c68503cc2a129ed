"""Why zero-centred activations: sigmoid outputs are all positive, so the gradient on a unit's
incoming weights has one sign (CS231n; LeCun et al., "Efficient BackProp", 1998).

A unit y = Σ_i w_i h_i + b fed by units h gets, for one example, ∂L/∂w_i = h_i · ∂L/∂y: every
entry carries the sign of ∂L/∂y when all h_i > 0 (sigmoid), so one step moves all of w up or all
of w down, and reaching a w* that needs some up and some down takes a zig-zag. Tanh outputs have
both signs: a column shares one sign only with probability ≈ 2 · 0.5^fan_in = 0.5^(fan_in − 1).
"""

import numpy as np

from mlplab.network import build_mlp


def same_sign_fraction(activation, x, y, fan_in=10, seed=0) -> dict:
    """Fraction of the per-example weight-gradient columns of a layer fed by ``activation`` units
    whose entries all share one sign.

    The network is D → fan_in (``activation``) → C (softmax) with its default initialization; for
    each row of x (N, D) with label y the gradient of the output layer's W (fan_in, C) is taken by
    backpropagation on that one example, and each column — one output unit's incoming weights —
    counts when all its entries are ≥ 0 or all ≤ 0 (all-zero columns are left out).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y)
    classes = int(y.max()) + 1
    config = {"input_size": x.shape[1], "output_size": classes, "hidden": [int(fan_in)]}
    net = build_mlp({**config, "activation": activation, "dtype": "float64"}, seed=seed)
    layer = net.layers[-1]
    same = counted = 0
    for row in range(len(x)):
        net.loss_and_gradients(x[row : row + 1], y[row : row + 1])
        grad = layer.grads["W"]
        nonzero = (grad != 0).any(axis=0)
        one_sign = (grad >= 0).all(axis=0) | (grad <= 0).all(axis=0)
        same += int((one_sign & nonzero).sum())
        counted += int(nonzero.sum())
    return {
        "activation": activation,
        "fan_in": int(fan_in),
        "columns": counted,
        "same_sign_fraction": same / counted if counted else float("nan"),
        "independent_signs_expectation": 0.5 ** (int(fan_in) - 1),
    }


def two_weight_paths(steps=40, lr=0.5, seed=0) -> dict:
    """SGD paths of two weights w = (w₁, w₂) of a linear unit o = w · h fitting t = w* · h with
    w* = (1, −1), from w = (0, 0), for inputs h = σ(z) (all positive) and h = tanh(z) (zero-
    centred), z ~ N(0, 2²) per example. Loss ½ (o − t)², step w ← w − lr (o − t) h.

    Returns the paths (steps + 1, 2), the target, and per kind the fraction of steps whose two
    weight updates share a sign.
    """
    rng = np.random.default_rng(seed)
    z = 2.0 * rng.standard_normal((steps, 2))
    target = np.array([1.0, -1.0])
    result = {"target": target, "paths": {}, "same_sign_steps": {}}
    for name, h in (("sigmoid", 0.5 * (1 + np.tanh(z / 2))), ("tanh", np.tanh(z))):
        w = np.zeros(2)
        path, same = [w.copy()], 0
        for row in h:
            step = -lr * ((w - target) @ row) * row
            same += bool(step[0] * step[1] > 0)
            w = w + step
            path.append(w.copy())
        result["paths"][name] = np.array(path)
        result["same_sign_steps"][name] = same / steps
    return result
