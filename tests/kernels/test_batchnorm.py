"""Batch-norm training forward and backward, and the running statistics, against NumPy."""

import numpy as np
import pytest

from mlplab.layers import BatchNorm
from tests.kernels.conftest import SHAPES, assert_close, kernels_path


def run(layer, x, dy, path):
    with kernels_path(path):
        y = layer.forward(x, training=True)
        dx = layer.backward(dy)
    return y, dx, {**layer.grads}, {k: v.copy() for k, v in layer.buffers.items()}


def make_layer(features, dtype, gamma, beta):
    layer = BatchNorm(features, dtype=dtype)
    layer.params["gamma"][...] = gamma
    layer.params["beta"][...] = beta
    return layer


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [s for s in SHAPES if s[0] > 1] + [(2, 5)], ids=str)
def test_fused_batchnorm_matches_reference(dtype, shape, threading):
    rng = np.random.default_rng(shape[1])
    x = (rng.normal(size=shape) * 2 + 3).astype(dtype)
    dy = rng.normal(size=shape).astype(dtype)
    gamma = rng.uniform(0.5, 1.5, shape[1])
    beta = rng.normal(size=shape[1])
    # float32 against the reference in float64, rounded: the fused kernel sums in float64, and
    # a float32 reference's own error, amplified by 1/σ for nearly constant columns (3 rows),
    # exceeds 1e-6; float64 against float64.
    y_ref, dx_ref, grads_ref, buffers_ref = run(
        make_layer(shape[1], np.float64, gamma, beta),
        x.astype(np.float64),
        dy.astype(np.float64),
        "numpy",
    )
    y_ref, dx_ref = y_ref.astype(dtype), dx_ref.astype(dtype)
    grads_ref = {k: v.astype(dtype) for k, v in grads_ref.items()}
    buffers_ref = {k: v.astype(dtype) for k, v in buffers_ref.items()}
    layer = make_layer(shape[1], dtype, gamma, beta)
    y, dx, grads, buffers = run(layer, x, dy, "fused")
    assert layer.fused
    assert_close(y, y_ref, dtype)
    assert_close(dx, dx_ref, dtype, scale=float(np.abs(dy).max()) * shape[0])
    for key in grads:
        scale = float(np.abs(dy).sum(axis=0).max()) * 4
        assert_close(grads[key], grads_ref[key], dtype, scale=scale)
    for key in buffers:
        assert_close(buffers[key], buffers_ref[key], dtype)


def test_one_row_still_refused():
    from mlplab.errors import ShapeError

    with pytest.raises(ShapeError, match="at least 2 rows"):
        BatchNorm(3).forward(np.ones((1, 3), np.float32), training=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_fused_evaluation_forward_matches_reference(dtype, shape, threading):
    rng = np.random.default_rng(1)
    x = rng.normal(size=shape).astype(dtype)
    layer = make_layer(shape[1], dtype, rng.uniform(0.5, 1.5, shape[1]), rng.normal(size=shape[1]))
    layer.buffers["running_mean"][...] = rng.normal(size=shape[1])
    layer.buffers["running_var"][...] = rng.uniform(0.5, 2, shape[1])
    with kernels_path("numpy"):
        y_ref = layer.forward(x)
    with kernels_path("fused"):
        assert_close(layer.forward(x), y_ref, dtype)
