import numpy as np
import pytest

from mlplab.diagnostics.gradcheck import gradcheck_layer
from mlplab.errors import ConfigError, DTypeError, ShapeError
from mlplab.layers import BatchNorm
from tests.layers.torch_reference import run_torch

torch = pytest.importorskip("torch")


def _pair(rng, features=6, momentum=0.1, eps=1e-5):
    ours = BatchNorm(features, momentum=momentum, eps=eps, dtype=np.float64)
    ours.params["gamma"][:] = rng.uniform(0.5, 2.0, features)
    ours.params["beta"][:] = rng.standard_normal(features)
    theirs = torch.nn.BatchNorm1d(features, eps=eps, momentum=momentum, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.params["gamma"]))
        theirs.bias.copy_(torch.from_numpy(ours.params["beta"]))
    return ours, theirs


def _assert_close(a, b):
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)


@pytest.mark.parametrize("momentum", [0.1, 0.3])
def test_training_steps_then_evaluation_match_torch(momentum, rng):
    ours, theirs = _pair(rng, momentum=momentum)
    for _ in range(5):
        x = rng.standard_normal((10, 6)) * rng.uniform(0.5, 3.0, 6) + rng.standard_normal(6)
        dy = rng.standard_normal((10, 6))
        theirs.train()
        theirs.zero_grad()
        ref_y, ref_dx = run_torch(torch, theirs, x, dy)
        y = ours.forward(x, training=True)
        dx = ours.backward(dy)
        _assert_close(y, ref_y)
        _assert_close(dx, ref_dx)
        _assert_close(ours.grads["gamma"], theirs.weight.grad.numpy())
        _assert_close(ours.grads["beta"], theirs.bias.grad.numpy())
        _assert_close(ours.buffers["running_mean"], theirs.running_mean.numpy())
        _assert_close(ours.buffers["running_var"], theirs.running_var.numpy())

    # Evaluation uses the running statistics; its backward is that of a fixed affine map.
    x = rng.standard_normal((7, 6)) * 2
    dy = rng.standard_normal((7, 6))
    theirs.eval()
    theirs.zero_grad()
    ref_y, ref_dx = run_torch(torch, theirs, x, dy)
    before = {k: v.copy() for k, v in ours.buffers.items()}
    y = ours.forward(x, training=False)
    dx = ours.backward(dy)
    _assert_close(y, ref_y)
    _assert_close(dx, ref_dx)
    _assert_close(ours.grads["gamma"], theirs.weight.grad.numpy())
    _assert_close(ours.grads["beta"], theirs.bias.grad.numpy())
    for k, v in before.items():
        np.testing.assert_array_equal(ours.buffers[k], v)


def test_training_output_is_normalized(rng):
    layer = BatchNorm(4, dtype=np.float64)
    y = layer.forward(rng.standard_normal((50, 4)) * 5 + 3, training=True)
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=0), 1, atol=1e-5)


def test_gamma_and_beta_can_recover_the_identity(rng):
    """The lecture: learning γ = √Var[x], β = E[x] undoes the normalization."""
    x = rng.standard_normal((30, 3)) * [1.0, 2.0, 5.0] + [0.0, -1.0, 4.0]
    layer = BatchNorm(3, eps=1e-12, dtype=np.float64)
    layer.params["gamma"][:] = x.std(axis=0)
    layer.params["beta"][:] = x.mean(axis=0)
    np.testing.assert_allclose(layer.forward(x, training=True), x, atol=1e-9)


@pytest.mark.parametrize("training", [True, False])
def test_gradient_check(training, rng):
    layer = BatchNorm(5, dtype=np.float64)
    layer.params["gamma"][:] = rng.uniform(0.5, 2.0, 5)
    layer.params["beta"][:] = rng.standard_normal(5)
    layer.buffers["running_var"][:] = rng.uniform(0.5, 2.0, 5)
    results = gradcheck_layer(layer, rng.standard_normal((8, 5)) * 2, training=training)
    assert {r.parameter for r in results} == {"input", "gamma", "beta"}
    assert all(r.max_relative_error < 1e-7 for r in results), results


def test_gradcheck_leaves_running_statistics_unchanged(rng):
    layer = BatchNorm(3, dtype=np.float64)
    gradcheck_layer(layer, rng.standard_normal((4, 3)) + 1)
    np.testing.assert_array_equal(layer.buffers["running_mean"], 0)
    np.testing.assert_array_equal(layer.buffers["running_var"], 1)


def test_first_layer_skips_input_gradient_but_fills_grads(rng):
    layer = BatchNorm(3, dtype=np.float64)
    layer.needs_input_grad = False
    layer.forward(rng.standard_normal((4, 3)), training=True)
    dy = rng.standard_normal((4, 3))
    assert layer.backward(dy) is None
    np.testing.assert_allclose(layer.grads["beta"], dy.sum(axis=0))


@pytest.mark.parametrize("training", [True, False])
def test_float32_stays_float32(training, rng):
    layer = BatchNorm(3)
    y = layer.forward(rng.standard_normal((4, 3)).astype(np.float32), training=training)
    dx = layer.backward(np.ones_like(y))
    assert y.dtype == dx.dtype == np.float32
    assert all(v.dtype == np.float32 for v in (*layer.grads.values(), *layer.buffers.values()))


def test_errors_name_the_layer(rng):
    layer = BatchNorm(3)
    with pytest.raises(ShapeError, match="BatchNorm: expected 3 input features, got 4"):
        layer.forward(np.zeros((5, 4), np.float32), training=True)
    with pytest.raises(DTypeError, match="BatchNorm: expected input dtype float32, got float64"):
        layer.forward(np.zeros((5, 3)), training=True)
    with pytest.raises(ShapeError, match="BatchNorm: training needs a batch of at least 2 rows"):
        layer.forward(np.zeros((1, 3), np.float32), training=True)
    # One row is fine at evaluation time.
    assert layer.forward(np.zeros((1, 3), np.float32)).shape == (1, 3)
    with pytest.raises(ConfigError, match="momentum"):
        BatchNorm(3, momentum=1.5)
    with pytest.raises(ConfigError, match="eps"):
        BatchNorm(3, eps=0)


def test_config_round_trip():
    layer = BatchNorm(7, momentum=0.2, eps=1e-3)
    rebuilt = BatchNorm.from_config(layer.get_config())
    assert rebuilt.get_config() == {"num_features": 7, "momentum": 0.2, "eps": 1e-3}
    assert set(rebuilt.buffers) == {"running_mean", "running_var"}
