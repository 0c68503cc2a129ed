import numpy as np
import pytest

from mlplab.diagnostics.gradcheck import gradcheck_layer
from mlplab.errors import ConfigError, ShapeError
from mlplab.layers import Dropout

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_scaling_matches_torch(p, rng):
    """Masks cannot be shared with torch, so compare through them: both keep a unit or zero it,
    and scale kept units (forward and backward) by the same 1/(1-p)."""
    x = rng.uniform(0.5, 2.0, (200, 50))  # no zeros, so a zero output means a dropped unit
    dy = rng.uniform(0.5, 2.0, (200, 50))
    layer = Dropout(p, rng=rng)
    y = layer.forward(x, training=True)
    dx = layer.backward(dy)

    tx = torch.from_numpy(x).requires_grad_()
    ty = torch.nn.functional.dropout(tx, p=p, training=True)
    ty.backward(torch.from_numpy(dy))
    ty, tdx = ty.detach().numpy(), tx.grad.numpy()

    for out, grad in ((y, dx), (ty, tdx)):
        kept = out != 0
        np.testing.assert_array_equal(grad != 0, kept)
        np.testing.assert_allclose(out[kept], x[kept] / (1 - p), rtol=0, atol=1e-12)
        np.testing.assert_allclose(grad[kept], dy[kept] / (1 - p), rtol=0, atol=1e-12)
    # Both drop a fraction p (10,000 units: within 5 standard deviations).
    for out in (y, ty):
        assert abs((out == 0).mean() - p) < 5 * np.sqrt(p * (1 - p) / out.size)


def test_expectation_is_preserved(rng):
    layer = Dropout(0.4, rng=rng)
    x = np.ones((2000, 100))
    assert abs(layer.forward(x, training=True).mean() - 1.0) < 0.01


def test_evaluation_is_the_identity(rng):
    layer = Dropout(0.5, rng=rng)
    x = rng.standard_normal((4, 3))
    np.testing.assert_array_equal(layer.forward(x, training=False), x)
    dy = rng.standard_normal((4, 3))
    np.testing.assert_array_equal(layer.backward(dy), dy)


def test_p_zero_is_the_identity_in_training(rng):
    x = rng.standard_normal((4, 3))
    np.testing.assert_array_equal(Dropout(0.0, rng=rng).forward(x, training=True), x)


def test_masks_come_from_the_layers_own_generator(rng):
    a, b = Dropout(0.5, rng=np.random.default_rng(7)), Dropout(0.5, rng=np.random.default_rng(7))
    x = np.ones((5, 8))
    np.testing.assert_array_equal(a.forward(x, True), b.forward(x, True))
    state = a.rng.bit_generator.state
    first = a.forward(x, True)
    assert not np.array_equal(first, a.forward(x, True))
    a.rng.bit_generator.state = state
    np.testing.assert_array_equal(a.forward(x, True), first)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved(dtype, rng):
    layer = Dropout(0.3, rng=rng)
    y = layer.forward(np.ones((4, 5), dtype), training=True)
    assert y.dtype == dtype and layer.backward(np.ones_like(y)).dtype == dtype


def test_gradient_check_holds_the_mask_fixed(rng):
    results = gradcheck_layer(Dropout(0.5, rng=rng), rng.standard_normal((6, 5)))
    assert all(r.passed for r in results), results


@pytest.mark.parametrize("p", [1.0, -0.1, 2, "half", None])
def test_bad_p_is_a_config_error(p):
    with pytest.raises(ConfigError, match="Dropout: p must be"):
        Dropout(p)


def test_bad_input_names_the_layer():
    with pytest.raises(ShapeError, match="Dropout: expected a 2-D input"):
        Dropout(0.5).forward(np.zeros(3), training=True)
