import json

import numpy as np
import pytest

from mlplab.data.builtin import DATASETS
from mlplab.diagnostics.linear_collapse import (
    collapse_difference,
    collapse_to_one_matrix,
    linear_versus_relu,
)
from mlplab.errors import ConfigError
from mlplab.network import build_mlp


def identity_net(hidden=(7, 6, 5), dropout=0.0, dtype="float64"):
    config = {"input_size": 4, "output_size": 3, "hidden": list(hidden), "dropout": dropout}
    return build_mlp({**config, "activation": "identity", "dtype": dtype}, seed=1)


def test_product_of_the_weights_is_the_network(rng):
    net = identity_net(dropout=0.3)
    x = rng.standard_normal((20, 4))
    weight, bias = collapse_to_one_matrix(net)
    linears = [layer for layer in net.layers if "W" in layer.params]
    expected = linears[0].params["W"]
    for layer in linears[1:]:
        expected = expected @ layer.params["W"]
    np.testing.assert_allclose(weight, expected, rtol=1e-12)
    np.testing.assert_allclose(net.forward(x, False), x @ weight + bias, rtol=1e-12, atol=1e-12)
    assert collapse_difference(net, x) < 1e-12


def test_float32_network_collapses_to_rounding(rng):
    assert collapse_difference(identity_net(dtype="float32"), rng.standard_normal((20, 4))) < 1e-5


def test_a_relu_network_does_not_collapse():
    relu = build_mlp({"input_size": 4, "output_size": 3, "hidden": [5], "activation": "relu"})
    with pytest.raises(ConfigError, match="layer 1 \\(ReLU\\) is not affine"):
        collapse_to_one_matrix(relu)


def test_identity_network_is_at_chance_where_relu_is_not():
    result = linear_versus_relu(DATASETS.get("circles")(seed=0), hidden=(32, 32), epochs=60)
    accuracy = {r["model"]: r["test_accuracy"] for r in result["results"]}
    assert result["collapses"] and result["product_shape"] == [2, 2]
    assert abs(accuracy["identity network"] - result["chance"]) < 0.1
    assert abs(accuracy["identity network"] - accuracy["linear softmax"]) < 0.1
    assert accuracy["relu network"] > 0.95


def test_linear_collapse_command(cli):
    result = cli("linear-collapse", "--json", "--dataset", "xor", "--hidden", "16,16",
                 "--epochs", "60")  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["collapses"] and data["dataset"] == "xor"
    accuracy = {r["model"]: r["test_accuracy"] for r in data["results"]}
    assert accuracy["identity network"] < 0.7 < 0.9 < accuracy["relu network"]
    bad = cli("linear-collapse", "--hidden", "")
    assert bad.returncode == 2 and "--hidden" in bad.stderr


def test_identity_activation_from_the_command_line(cli, tmp_path):
    result = cli("train", "--data", "iris", "--activation", "identity", "--epochs", "2",
                 "--out", tmp_path / "run", "--quiet")  # fmt: skip
    assert result.returncode == 0, result.stderr
