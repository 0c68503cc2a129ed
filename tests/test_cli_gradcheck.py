import json

import numpy as np

from mlplab.diagnostics.gradcheck_suite import layer_cases, loss_cases, network_cases
from mlplab.layers import LAYERS
from mlplab.losses import LOSSES


def test_suite_covers_every_registered_layer_and_loss():
    rng = np.random.default_rng(0)
    layers = {type(layer) for _, layer, _, _ in layer_cases(rng)}
    losses = {type(loss) for _, loss, _, _ in loss_cases(rng)}
    assert layers >= {LAYERS.get(name) for name in LAYERS.names()}
    assert losses >= {LOSSES.get(name) for name in LOSSES.names()}
    network_layers = {
        type(layer).__name__ for _, net, *_ in network_cases(rng) for layer in net.layers
    }
    assert {"BatchNorm", "Dropout", "Maxout"} <= network_layers


def test_command_lists_everything_and_passes(cli):
    result = cli("gradcheck", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["passed"] is True
    what = {r["what"] for r in data["results"]}
    for label in ("Sigmoid", "Tanh", "LeakyReLU", "ELU", "PReLU (per unit)", "PReLU (shared)",
                  "Maxout(k=2)", "HingedRectifier", "BatchNorm (training)",
                  "BatchNorm (evaluation)", "Dropout(0.5)", "multiclass hinge",
                  "mean squared error", "binary cross-entropy"):  # fmt: skip
        assert label in what
    assert any("batch norm + dropout" in w for w in what)
    assert all(r["max_relative_error"] < 1e-7 for r in data["results"])
