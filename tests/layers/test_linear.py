import numpy as np
import pytest

from mlplab.errors import DTypeError, ShapeError
from mlplab.layers import Linear

torch = pytest.importorskip("torch")


def test_linear_matches_torch_forward_and_backward(rng):
    layer = Linear(7, 5, dtype=np.float64, rng=rng)
    layer.params["b"][:] = rng.standard_normal(5)
    x = rng.standard_normal((4, 7))
    dy = rng.standard_normal((4, 5))

    ref = torch.nn.Linear(7, 5, dtype=torch.float64)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(layer.params["W"].T))
        ref.bias.copy_(torch.from_numpy(layer.params["b"]))
    tx = torch.from_numpy(x).requires_grad_()
    ty = ref(tx)
    ty.backward(torch.from_numpy(dy))

    y = layer.forward(x, training=True)
    dx = layer.backward(dy)
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(layer.grads["W"], ref.weight.grad.numpy().T, rtol=0, atol=1e-10)
    np.testing.assert_allclose(layer.grads["b"], ref.bias.grad.numpy(), rtol=0, atol=1e-10)


def test_linear_keeps_float32(rng):
    layer = Linear(3, 2, rng=rng)
    y = layer.forward(rng.standard_normal((4, 3)).astype(np.float32))
    assert y.dtype == np.float32
    assert layer.backward(np.ones_like(y)).dtype == np.float32


def test_linear_rejects_wrong_width_and_dtype(rng):
    layer = Linear(3, 2, rng=rng)
    with pytest.raises(ShapeError, match="expected 3 input features, got 4"):
        layer.forward(np.zeros((2, 4), np.float32))
    with pytest.raises(DTypeError, match="expected input dtype float32, got float64"):
        layer.forward(np.zeros((2, 3), np.float64))
    with pytest.raises(ShapeError, match="2-D"):
        layer.forward(np.zeros(3, np.float32))


def test_first_layer_can_skip_input_gradient(rng):
    layer = Linear(3, 2, dtype=np.float64, rng=rng)
    layer.forward(rng.standard_normal((4, 3)))
    layer.needs_input_grad = False
    assert layer.backward(np.ones((4, 2))) is None
    np.testing.assert_allclose(layer.grads["b"], [4.0, 4.0])
