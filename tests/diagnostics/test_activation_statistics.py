"""The lecture's activation-statistics tables, reproduced with fixed seeds.

The default experiment: 10 hidden layers of 500 units, no biases, X ~ N(0, 1) of shape
(1000, 500). Each bound below is the lecture's number with a stated tolerance.
"""

import numpy as np
import pytest

from mlplab.diagnostics.activation_statistics import activation_statistics
from mlplab.errors import ConfigError

#: every table below holds for seeds 0–7 except He's narrow band (0.75–0.95 at every layer), which
#: holds for seeds 2, 4, 6 and 7: its drift over depth is random (see the any-seed test below).
SEED = 7


def stds(activation, init, seed=SEED, **kwargs):
    result = activation_statistics(activation, init, seed=seed, **kwargs)
    assert result.input_std == pytest.approx(1.0, abs=0.01)
    assert abs(result.input_mean) < 0.01
    return np.array([layer.std for layer in result.layers])


def test_tanh_small_random_collapses():
    """Lecture: layer-1 std 0.213, then ÷4.5 per layer down to 0.000000 at layer 10."""
    s = stds("tanh", "normal:0.01")
    assert s[0] == pytest.approx(0.213, abs=0.005)
    assert (s[1:] < s[:-1] / 4).all()
    assert s[-1] < 1e-5


def test_tanh_unit_gaussian_saturates():
    """Lecture: std 0.98 at every layer, "almost all neurons completely saturated"."""
    result = activation_statistics("tanh", "normal:1.0", seed=SEED)
    for layer in result.layers:
        assert layer.std == pytest.approx(0.98, abs=0.005)
        assert layer.saturated > 0.85


def test_tanh_xavier_decays_slowly():
    """Lecture: 0.628 at layer 1, decaying to 0.228 at layer 10."""
    s = stds("tanh", "xavier")
    assert s[0] == pytest.approx(0.63, abs=0.01)
    assert s[-1] == pytest.approx(0.23, abs=0.01)
    assert (np.diff(s) < 0).all()


def test_relu_xavier_halves_every_few_layers():
    """Lecture: 0.58 at layer 1, 0.026 at layer 10: ReLU halves the variance that Xavier keeps."""
    s = stds("relu", "xavier")
    assert s[0] == pytest.approx(0.58, abs=0.01)
    assert s[-1] < 0.05
    assert (s[3:] < s[:-3] / 2).all()


def test_relu_he_stays_healthy():
    """Lecture: 0.81–0.89 at every layer with He's extra /2."""
    s = stds("relu", "he")
    assert ((s > 0.75) & (s < 0.95)).all()


@pytest.mark.parametrize("seed", range(6))
def test_relu_he_stays_healthy_for_any_seed(seed):
    """He's per-layer std is a random walk over depth (Sussillo & Abbott, 2014): it drifts
    (0.62 to 1.17 at layer 10 over seeds 0–7), but never collapses like Xavier's."""
    s = stds("relu", "he", seed=seed)
    assert ((s > 0.5) & (s < 1.5)).all()


@pytest.mark.parametrize("init", ["normal:0.01", "normal:1.0"])
def test_batchnorm_rescues_a_bad_init(init):
    """Batch norm before each tanh makes pre-activations unit Gaussian: std ≈ 0.63 everywhere."""
    s = stds("tanh", init, batchnorm=True)
    assert ((s > 0.6) & (s < 0.66)).all()


@pytest.mark.parametrize("init", ["lsuv", "data"])
def test_data_driven_inits_keep_every_layer_alike(init):
    """Unit-variance pre-activations make every tanh layer's std that of tanh(N(0, 1)), 0.63."""
    s = stds("tanh", init, width=200, samples=500)
    assert ((s > 0.6) & (s < 0.66)).all()


def test_dead_and_saturated_units():
    relu = activation_statistics("relu", "he", depth=3, width=50, samples=200)
    assert all(layer.saturated is None for layer in relu.layers)
    assert all(0.0 <= layer.dead < 0.2 for layer in relu.layers)
    # a large negative constant weight kills every unit of a ReLU layer fed positive inputs
    dead = activation_statistics("relu", "constant:-1", depth=2, width=20, samples=50)
    assert dead.layers[1].dead == 1.0
    small = activation_statistics("tanh", "normal:0.01", depth=2, width=50, samples=100)
    assert small.layers[0].saturated == 0.0


def test_backward_pass_statistics():
    """Lecture's question: with 0.01-weights the W·X gate's dW = Xᵀ dY is tiny, as X is tiny."""
    small = activation_statistics("tanh", "normal:0.01", depth=4, width=100, samples=200,
                                  backward=True)  # fmt: skip
    xavier = activation_statistics("tanh", "xavier", depth=4, width=100, samples=200,
                                   backward=True)  # fmt: skip
    assert small.layers[-1].grad_activation_std == pytest.approx(1.0, abs=0.05)
    assert small.layers[-1].grad_weight_std < 1e-2 * xavier.layers[-1].grad_weight_std
    assert all(layer.grad_weight_std > 0 for layer in xavier.layers)
    # each 0.01-scaled layer of width 100 multiplies the gradient by about 0.01·√100 = 0.1
    assert small.layers[0].grad_activation_std == pytest.approx(0.1**3, rel=0.2)


def test_backward_matches_a_float64_reference():
    """dL/dW of layer 1 against a hand-written backward pass of the same net."""
    result = activation_statistics("tanh", "xavier", depth=2, width=30, samples=40, seed=3,
                                   backward=True)  # fmt: skip
    rng = np.random.default_rng(3)
    x = rng.standard_normal((40, 30))
    w1 = rng.standard_normal((30, 30)) / np.sqrt(30)
    w2 = rng.standard_normal((30, 30)) / np.sqrt(30)
    h1 = np.tanh(x @ w1)
    h2 = np.tanh(h1 @ w2)
    g2 = rng.standard_normal(h2.shape)
    g1 = ((1 - h2**2) * g2) @ w2.T
    dw1 = x.T @ ((1 - h1**2) * g1)
    assert result.layers[1].std == pytest.approx(h2.std(), rel=1e-12)
    assert result.layers[0].grad_activation_std == pytest.approx(g1.std(), rel=1e-12)
    assert result.layers[0].grad_weight_std == pytest.approx(dw1.std(), rel=1e-12)


def test_histograms_share_one_range():
    result = activation_statistics("relu", "xavier", depth=3, width=50, samples=100)
    edges = {tuple(layer.histogram["edges"]) for layer in result.layers}
    assert len(edges) == 1
    assert all(sum(layer.histogram["counts"]) == 100 * 50 for layer in result.layers)
    tanh = activation_statistics("tanh", "xavier", depth=2, width=20, samples=10)
    assert tanh.layers[0].histogram["edges"][0] == -1.0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"depth": 0}, "depth must be an integer >= 1, got 0"),
        ({"width": -3}, "width must be"),
        ({"samples": 1}, "samples must be an integer >= 2"),
        ({"init": "bogus"}, "unknown initializer"),
        ({"activation": "swish"}, "unknown activation"),
        ({"depth": 1000, "width": 5000}, "needs about"),
    ],
)
def test_bad_settings(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        activation_statistics(**kwargs)


def test_maxout_takes_the_place_of_linear_and_lsuv_gives_unit_variance():
    result = activation_statistics("maxout", "lsuv", depth=3, width=40, samples=100,
                                   backward=True)  # fmt: skip
    assert all(abs(layer.std**2 - 1.0) < 0.1 for layer in result.layers)
    assert all(layer.grad_weight_std > 0 for layer in result.layers)
    with pytest.raises(ConfigError, match="own affine map"):
        activation_statistics("maxout", "he", batchnorm=True)
