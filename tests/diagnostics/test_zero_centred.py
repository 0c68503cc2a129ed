import json

import matplotlib.image
import numpy as np
import pytest

from mlplab.diagnostics.zero_centred import same_sign_fraction, two_weight_paths
from mlplab.plots.weight_paths import plot_weight_paths


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((150, 8)), rng.integers(0, 4, 150)


def test_sigmoid_fed_gradients_have_one_sign(data):
    result = same_sign_fraction("sigmoid", *data, fan_in=10)
    assert result["same_sign_fraction"] == 1.0
    assert result["columns"] == 150 * 4


@pytest.mark.parametrize("fan_in", [10, 20])
def test_tanh_fed_gradients_almost_never_have_one_sign(data, fan_in):
    result = same_sign_fraction("tanh", *data, fan_in=fan_in)
    assert result["independent_signs_expectation"] == 0.5 ** (fan_in - 1)
    assert result["same_sign_fraction"] < 0.02


@pytest.mark.parametrize("seed", range(3))
def test_even_two_tanh_units_mix_signs(data, seed):
    # with independent signs 0.5; a single network's units are correlated, so only "well below 1"
    assert same_sign_fraction("tanh", *data, fan_in=2, seed=seed)["same_sign_fraction"] < 0.9


def test_one_sign_column_matches_backprop_by_hand(data):
    # the rule itself: dW = h ⊗ dy for one example, so each column carries dy_j's sign when h > 0
    h = np.array([0.2, 0.7, 0.1])
    dy = np.array([0.5, -0.3])
    grad = np.outer(h, dy)
    assert (np.sign(grad) == np.sign(dy)).all()


def test_two_weights_zig_zag_with_positive_inputs():
    walk = two_weight_paths(steps=40, lr=0.5, seed=0)
    assert walk["same_sign_steps"]["sigmoid"] == 1.0
    assert 0.3 < walk["same_sign_steps"]["tanh"] < 0.7
    distance = {k: np.linalg.norm(p[-1] - walk["target"]) for k, p in walk["paths"].items()}
    assert distance["tanh"] < 0.01 < 0.1 < distance["sigmoid"]
    sigmoid_steps = np.diff(walk["paths"]["sigmoid"], axis=0)
    assert (sigmoid_steps[:, 0] * sigmoid_steps[:, 1] >= 0).all()


def test_weight_path_figure_decodes(tmp_path):
    walk = two_weight_paths(steps=10)
    path = plot_weight_paths(walk["paths"], walk["target"], tmp_path / "paths.png")
    assert matplotlib.image.imread(path).shape == (450, 1000, 4)


def test_zero_centred_command(cli, tmp_path):
    png = tmp_path / "zig.png"
    result = cli("zero-centred", "--json", "--data", "iris", "--fan-in", "10", "--samples", "60",
                 "--paths-png", png)  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    share = {r["activation"]: r["same_sign_fraction"] for r in data["gradients"]}
    assert share["sigmoid"] == 1.0 and share["relu"] == 1.0 and share["tanh"] < 0.2
    assert matplotlib.image.imread(png).shape == (450, 1000, 4)
    bad = cli("zero-centred", "--fan-in", "0", "--no-plot")
    assert bad.returncode == 2 and "--fan-in" in bad.stderr
