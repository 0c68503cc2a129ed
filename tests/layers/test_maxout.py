import numpy as np
import pytest

from mlplab.diagnostics.gradcheck import gradcheck_layer, sample_away_from_kinks
from mlplab.errors import ConfigError, DTypeError, ShapeError
from mlplab.layers import ACTIVATIONS, LeakyReLU, Linear, Maxout, ReLU


def _pieces(layer, x):
    W, b = layer.params["W"], layer.params["b"]
    return np.stack([x @ W[:, :, j] + b[:, j] for j in range(layer.pieces)], axis=2)


@pytest.mark.parametrize("k", [1, 2, 4])
def test_output_is_the_max_over_explicit_pieces(k, rng):
    layer = Maxout(5, 3, k, dtype=np.float64, rng=rng)
    layer.params["b"][:] = rng.standard_normal((3, k))
    x = rng.standard_normal((8, 5))
    np.testing.assert_allclose(layer.forward(x), _pieces(layer, x).max(axis=2), atol=1e-14)


def test_gradient_flows_only_through_the_winning_piece(rng):
    layer = Maxout(4, 3, 3, dtype=np.float64, rng=rng)
    x = rng.standard_normal((6, 4))
    layer.forward(x, training=True)
    dy = rng.standard_normal((6, 3))
    dx = layer.backward(dy)
    winner = _pieces(layer, x).argmax(axis=2)
    dz = np.zeros((6, 3, 3))
    for n, j in np.ndindex(6, 3):
        dz[n, j, winner[n, j]] = dy[n, j]
    np.testing.assert_allclose(layer.grads["W"], np.einsum("nd,nhk->dhk", x, dz), atol=1e-13)
    np.testing.assert_allclose(layer.grads["b"], dz.sum(axis=0), atol=1e-13)
    np.testing.assert_allclose(dx, np.einsum("nhk,dhk->nd", dz, layer.params["W"]), atol=1e-13)


def test_generalizes_relu_and_leaky_relu(rng):
    """max(wᵀx + b, 0) is ReLU, max(wᵀx + b, a (wᵀx + b)) leaky ReLU: fix the second piece."""
    layer = Maxout(5, 4, 2, dtype=np.float64, rng=rng)
    linear = Linear(5, 4, dtype=np.float64, rng=rng)
    linear.params["b"][:] = rng.standard_normal(4)
    layer.params["W"][:, :, 0] = linear.params["W"]
    layer.params["b"][:, 0] = linear.params["b"]
    layer.params["W"][:, :, 1] = 0
    layer.params["b"][:, 1] = 0
    x = rng.standard_normal((7, 5))
    z = linear.forward(x)
    np.testing.assert_allclose(layer.forward(x), ReLU().forward(z), atol=1e-14)
    layer.params["W"][:, :, 1] = 0.1 * linear.params["W"]
    layer.params["b"][:, 1] = 0.1 * linear.params["b"]
    np.testing.assert_allclose(layer.forward(x), LeakyReLU(0.1).forward(z), atol=1e-14)


def test_one_piece_is_a_linear_layer(rng):
    layer = Maxout(5, 3, 1, dtype=np.float64, rng=rng)
    x = rng.standard_normal((4, 5))
    expected = x @ layer.params["W"][:, :, 0] + layer.params["b"][:, 0]
    np.testing.assert_allclose(layer.forward(x), expected, atol=1e-14)
    assert layer.distance_to_kink(x) == float("inf")


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("bias", [True, False])
def test_gradient_check(k, bias, rng):
    layer = Maxout(5, 4, k, bias=bias, dtype=np.float64, rng=rng)
    for p in layer.params.values():
        p[...] = rng.standard_normal(p.shape)
    x = sample_away_from_kinks([layer], rng, (6, 5))
    results = gradcheck_layer(layer, x)
    assert {r.parameter for r in results} == {"input", *layer.params}
    assert all(r.max_relative_error < 1e-7 for r in results), results


def test_distance_to_kink_is_the_gap_between_the_two_largest_pieces(rng):
    layer = Maxout(2, 1, 3, dtype=np.float64, rng=rng)
    layer.params["W"][:] = 0
    layer.params["b"][0] = [0.3, 1.0, 0.75]
    assert layer.distance_to_kink(np.zeros((1, 2))) == pytest.approx(0.25)


def test_parameters_shapes_and_decay(rng):
    layer = Maxout(6, 4, 3, rng=rng)
    assert layer.params["W"].shape == (6, 4, 3) and layer.params["b"].shape == (4, 3)
    assert layer.decay_params == ("W",)
    assert layer.output_features(6) == 4


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved(dtype, rng):
    layer = Maxout(3, 2, 2, dtype=dtype, rng=rng)
    y = layer.forward(rng.standard_normal((4, 3)).astype(dtype), training=True)
    dx = layer.backward(np.ones_like(y))
    assert y.dtype == dx.dtype == dtype
    assert all(g.dtype == dtype for g in layer.grads.values())


def test_errors(rng):
    layer = Maxout(3, 2, rng=rng)
    with pytest.raises(ShapeError, match="Maxout: expected 3 input features, got 4"):
        layer.forward(np.zeros((2, 4), np.float32))
    with pytest.raises(DTypeError, match="Maxout: expected input dtype float32, got float64"):
        layer.forward(np.zeros((2, 3)))
    with pytest.raises(ConfigError, match="Maxout: pieces must be an integer in 1..255, got 0"):
        Maxout(3, 2, 0)


def test_registered_as_an_activation(rng):
    layer = ACTIVATIONS.get("maxout")(5, np.float32, rng)
    assert isinstance(layer, Maxout) and layer.get_config()["in_features"] == 5
    rebuilt = Maxout.from_config(layer.get_config())
    assert rebuilt.params["W"].shape == layer.params["W"].shape
