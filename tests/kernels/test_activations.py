"""Bias + activation forward and activation backward + bias gradient against the layers' NumPy."""

import numpy as np
import pytest

from mlplab.layers import ELU, LeakyReLU, ReLU, Sigmoid, Tanh
from tests.kernels.conftest import SHAPES, assert_close

ACTIVATIONS = [ReLU(), LeakyReLU(0.1), LeakyReLU(0.0), LeakyReLU(2.0), Tanh(), Sigmoid()]
ACTIVATIONS += [ELU(), ELU(0.5)]


def reference(layer, z, b, dy):
    """(y, dz, db) by the layer's NumPy code."""
    x = z + b if b is not None else z.copy()
    layer.x = x
    layer.y = layer.function(x)
    dz = layer.reference_backward(dy)
    return layer.y, dz, dz.sum(axis=0)


@pytest.mark.parametrize("layer", ACTIVATIONS, ids=repr)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_fused_activation_matches_reference(layer, dtype, shape, bias, threading):
    from mlplab.kernels.activations import activation_backward, bias_activation_forward

    rng = np.random.default_rng(sum(shape))
    z = rng.normal(size=shape).astype(dtype) * 3
    b = rng.normal(size=shape[1]).astype(dtype) if bias else None
    dy = rng.normal(size=shape).astype(dtype)
    y_ref, dz_ref, db_ref = reference(layer, z, b, dy)
    y = bias_activation_forward(z.copy(), b, layer.kernel, layer.kernel_alpha())
    assert_close(y, y_ref, dtype)
    db = np.full(shape[1], np.nan, dtype)
    dz = activation_backward(dy, y, layer.kernel, layer.kernel_alpha(), db)
    assert_close(dz, dz_ref, dtype)
    assert_close(db, db_ref, dtype, scale=float(np.abs(dz_ref).sum(axis=0).max(initial=1.0)))


def test_forward_to_out_leaves_the_input_alone():
    from mlplab.kernels.activations import bias_activation_forward

    z = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)
    before = z.copy()
    y = bias_activation_forward(z, None, "relu", out=np.empty_like(z))
    np.testing.assert_array_equal(z, before)
    np.testing.assert_array_equal(y, np.maximum(before, 0))


def test_negative_slopes_keep_the_reference_path():
    assert LeakyReLU(-0.5).kernel_alpha() is None
    assert ELU(-1.0).kernel_alpha() is None
