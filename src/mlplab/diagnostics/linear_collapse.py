"""Without a nonlinearity a deep network is one matrix: collapse it and check.

Linear layers with the identity between them compute
    f(x) = (…((x W₁ + b₁) W₂ + b₂)…) W_L + b_L = x W + b,
    W = W₁ W₂ ⋯ W_L,  b = (…(b₁ W₂ + b₂)…) W_L + b_L
in mlplab's (in, out) layout (the lecture's W_L ⋯ W₂ W₁ x in the (out, in) layout): a linear
classifier again, whatever the depth — the lecture's "without the activation function we end up
with a linear classifier again".
"""

import numpy as np

from mlplab.errors import ConfigError
from mlplab.layers import Dropout, Identity, Linear


def collapse_to_one_matrix(net) -> tuple[np.ndarray, np.ndarray]:
    """(W, b) in float64 with f(x) = x W + b for a network of Linear and Identity layers (and
    Dropout, which evaluation skips). W (D, C), b (C,)."""
    weight, bias = None, None
    for index, layer in enumerate(net.layers):
        if isinstance(layer, Identity | Dropout):
            continue
        if not isinstance(layer, Linear):
            raise ConfigError(
                f"linear collapse: layer {index} ({type(layer).__name__}) is not affine; "
                f"only Linear, Identity and Dropout layers collapse to one matrix"
            )
        w = np.asarray(layer.params["W"], dtype=np.float64)
        b = np.asarray(layer.params.get("b", np.zeros(w.shape[1])), dtype=np.float64)
        weight = w if weight is None else weight @ w
        bias = b if bias is None else bias @ w + b
    if weight is None:
        raise ConfigError("linear collapse: the network has no Linear layer")
    return weight, bias


def collapse_difference(net, x) -> float:
    """max |f(x) − (x W + b)| / max(1, max |f(x)|): rounding only, if the net collapses."""
    scores = np.asarray(net.forward(np.asarray(x, dtype=net.dtype), False), dtype=np.float64)
    weight, bias = collapse_to_one_matrix(net)
    direct = np.asarray(x, dtype=np.float64) @ weight + bias
    return float(np.abs(scores - direct).max() / max(1.0, np.abs(scores).max()))


def linear_versus_relu(
    data, hidden=(100, 100), epochs=200, lr=0.01, seed=0, tolerance=1e-4
) -> dict:
    """Train the same deep network with identity and with ReLU units on ``data`` (a built-in
    ``Dataset``; features standardized on the training split); collapse the identity one to
    x W + b and check it, and compare both with a linear softmax classifier and with chance."""
    from mlplab.classic.linear import LinearClassifier
    from mlplab.data.preprocessing import Standardize
    from mlplab.sklearn import MLPClassifier

    scaler = Standardize().fit(data.x_train)
    x_train, x_test = scaler.transform(data.x_train), scaler.transform(data.x_test)
    common = {"hidden": tuple(hidden), "lr": lr, "epochs": epochs, "seed": seed}
    models = {
        "identity network": MLPClassifier(activation="identity", **common),
        "relu network": MLPClassifier(activation="relu", **common),
        "linear softmax": LinearClassifier(lr=lr, epochs=epochs, seed=seed),
    }
    rows = []
    for name, model in models.items():
        model.fit(x_train, data.y_train)
        rows.append(
            {
                "model": name,
                "parameters": model.net_.parameter_count(),
                "train_accuracy": float(model.score(x_train, data.y_train)),
                "test_accuracy": float(model.score(x_test, data.y_test)),
            }
        )
    net = models["identity network"].net_
    weight, bias = collapse_to_one_matrix(net)
    difference = collapse_difference(net, x_test)
    majority = np.unique(np.asarray(data.y_test), return_counts=True)[1].max() / len(data.y_test)
    return {
        "hidden": list(hidden),
        "product_shape": list(weight.shape),
        "product_rank": int(np.linalg.matrix_rank(weight)),
        "bias": bias.tolist(),
        "max_relative_difference": difference,
        "collapses": difference <= tolerance,
        "tolerance": tolerance,
        "chance": float(majority),
        "results": rows,
    }
