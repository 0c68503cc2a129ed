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
from mlplab.layers import (
    ELU,
    BatchNorm,
    Dropout,
    HingedRectifier,
    Identity,
    LeakyReLU,
    Linear,
    Maxout,
    PReLU,
    ReLU,
    Sigmoid,
    Tanh,
)
from mlplab.losses import (
    BinaryCrossEntropyWithLogits,
    Huber,
    MeanSquaredError,
    MulticlassHinge,
    SoftmaxCrossEntropy,
)

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
        ("Sigmoid", Sigmoid(), rng.standard_normal((6, 5)) * 2, True),
        ("Tanh", Tanh(), rng.standard_normal((6, 5)), True),
        ("LeakyReLU", LeakyReLU(), None, True),
        ("LeakyReLU(0.3)", LeakyReLU(0.3), None, True),
        ("ELU", ELU(), None, True),
        ("ELU(0.5)", ELU(0.5), None, True),
        ("PReLU (per unit)", _randomized(PReLU(5, dtype=F64), rng), None, True),
        ("PReLU (shared)", _randomized(PReLU(1, dtype=F64), rng), None, True),
        ("Maxout(k=2)", Maxout(5, 4, 2, dtype=F64, rng=rng), None, True),
        ("Maxout(k=3)", _randomized(Maxout(5, 4, 3, dtype=F64, rng=rng), rng), None, True),
        ("HingedRectifier", _randomized(HingedRectifier(5, dtype=F64), rng), None, True),
        ("BatchNorm (training)", _batchnorm(rng), rng.standard_normal((6, 5)) * 3 + 1, True),
        ("BatchNorm (evaluation)", _batchnorm(rng), rng.standard_normal((6, 5)) * 3 + 1, False),
        ("Dropout(0.5)", Dropout(0.5, rng=rng), rng.standard_normal((6, 5)), True),
        ("Identity", Identity(), rng.standard_normal((6, 5)), True),
    ]


def _randomized(layer, rng):
    """``layer`` with every parameter drawn at random (so that zeros hide no error)."""
    for p in layer.params.values():
        p[...] = rng.uniform(-0.5, 0.5, p.shape)
    return layer


def _batchnorm(rng, features=5):
    """A float64 BatchNorm with non-trivial γ, β and running statistics."""
    layer = BatchNorm(features, dtype=F64)
    layer.params["gamma"][:] = rng.uniform(0.5, 2.0, features)
    layer.params["beta"][:] = rng.standard_normal(features)
    layer.buffers["running_mean"][:] = rng.standard_normal(features)
    layer.buffers["running_var"][:] = rng.uniform(0.5, 2.0, features)
    return layer


def _hinge_scores(rng, shape, y, margin=1e-2, tries=200):
    """Scores whose hinge margins s_j - s_y + 1 all stay ``margin`` away from 0 (the kink)."""
    rows = np.arange(shape[0])
    for _ in range(tries):
        scores = rng.standard_normal(shape)
        margins = scores - scores[rows, y][:, None] + 1.0
        margins[rows, y] = 1.0
        if np.abs(margins).min() > margin:
            return scores
    raise RuntimeError("no hinge scores found away from the kinks")


def loss_cases(rng):
    """(label, loss, scores, targets) for every built-in loss, float64."""
    return [
        (
            "softmax cross-entropy",
            SoftmaxCrossEntropy(),
            rng.standard_normal((6, 4)),
            rng.integers(0, 4, 6),
        ),
        ("multiclass hinge", MulticlassHinge(), *_hinge_case(rng)),
        (
            "mean squared error",
            MeanSquaredError(),
            rng.standard_normal((6, 3)),
            rng.standard_normal((6, 3)),
        ),
        (
            "binary cross-entropy",
            BinaryCrossEntropyWithLogits(),
            rng.standard_normal((6, 2)) * 2,
            rng.uniform(0, 1, (6, 2)),
        ),
        ("huber", Huber(), *_huber_case(rng)),
    ]


def _huber_case(rng, delta: float = 1.0):
    """Scores and targets whose differences keep clear of the kinks at ±delta."""
    t = rng.standard_normal((6, 3))
    size = rng.uniform(0.1, 0.8, (6, 3)) * delta
    size[::2] += 1.3 * delta  # half of the rows in the linear part
    return t + size * rng.choice([-1.0, 1.0], (6, 3)), t


def _hinge_case(rng):
    y = rng.integers(0, 4, 6)
    return _hinge_scores(rng, (6, 4), y), y


def network_cases(rng):
    """(label, network, input, targets, l2) for whole networks, float64 (input None: sampled
    away from kinks, 8 rows)."""
    from mlplab.network import build_mlp

    net = build_mlp(
        {"input_size": 5, "hidden": [7, 6], "output_size": 3, "dtype": "float64"}, seed=1
    )
    bn_dropout = build_mlp(
        {
            "input_size": 5,
            "hidden": [7, 6],
            "output_size": 3,
            "norm": "batch",
            "dropout": 0.3,
            "activation": "tanh",
            "dtype": "float64",
        },
        seed=2,
    )
    maxout = build_mlp(
        {
            "input_size": 5,
            "hidden": [6],
            "output_size": 2,
            "activation": "maxout",
            "maxout_pieces": 3,
            "loss": "bce",
            "dtype": "float64",
        },
        seed=3,
    )
    return [
        ("MLP 5-7-6-3 relu", net, None, rng.integers(0, 3, 8), 1e-2),
        ("MLP 5-7-6-3 batch norm + dropout", bn_dropout, None, rng.integers(0, 3, 8), 1e-2),
        ("MLP 5-6-2 maxout, binary cross-entropy", maxout, None, rng.uniform(0, 1, (8, 2)), 0.0),
    ]


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
