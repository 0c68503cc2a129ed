"""The built-in gradient-check suite behind ``mlplab gradcheck``.

``LAYER_CASES`` lists one float64 instance of every built-in layer with an input that stays away
from the kinks of ReLU-family functions; ``LOSS_CASES`` does the same for losses. Adding a layer
to the library means adding a case here, and the command and the tests pick it up.
"""

import numpy as np

from mlplab.diagnostics.gradcheck import (
    gradcheck_layer,
    gradcheck_loss,
    gradcheck_network,
    sample_away_from_kinks,
)
from mlplab.layers import Linear, ReLU
from mlplab.losses import SoftmaxCrossEntropy

F64 = np.float64


def layer_cases(rng):
    """(label, layer, input, training) for every built-in layer, float64.

    An input of None means: sample one of shape (6, 5) away from the layer's kinks.
    """
    return [
        ("Linear", Linear(5, 4, dtype=F64, rng=rng), rng.standard_normal((6, 5)), True),
        (
            "Linear (no bias)",
            Linear(5, 4, bias=False, dtype=F64, rng=rng),
            rng.standard_normal((6, 5)),
            True,
        ),
        ("ReLU", ReLU(), None, True),
    ]


def loss_cases(rng):
    """(label, loss, scores, targets) for every built-in loss, float64."""
    return [
        (
            "softmax cross-entropy",
            SoftmaxCrossEntropy(),
            rng.standard_normal((6, 4)),
            rng.integers(0, 4, 6),
        ),
    ]


def network_cases(rng):
    """(label, network, input, targets, l2) for whole networks, float64 (input None: sampled
    away from kinks, 8 rows)."""
    from mlplab.network import build_mlp

    net = build_mlp(
        {"input_size": 5, "hidden": [7, 6], "output_size": 3, "dtype": "float64"}, seed=1
    )
    return [("MLP 5-7-6-3 relu", net, None, rng.integers(0, 3, 8), 1e-2)]


def run_suite(seed: int = 0):
    """Run every case; return the list of ``GradcheckResult``."""
    rng = np.random.default_rng(seed)
    results = []
    for label, layer, x, training in layer_cases(rng):
        if x is None:
            x = sample_away_from_kinks([layer], rng, (6, 5), training=training)
        results += gradcheck_layer(layer, x, training=training, what=label)
    for label, loss, scores, y in loss_cases(rng):
        results += gradcheck_loss(loss, scores, y, what=label)
    for label, net, x, y, l2 in network_cases(rng):
        if x is None:
            x = sample_away_from_kinks(net.layers, rng, (len(y), net.in_features))
        results += gradcheck_network(net, x, y, l2=l2, what=label)
    return results
