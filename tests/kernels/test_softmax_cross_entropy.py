"""Softmax cross-entropy in one pass against the NumPy loss, plain and with sample weights."""

import numpy as np
import pytest

from mlplab.losses import SoftmaxCrossEntropy
from tests.kernels.conftest import RTOL, SHAPES, assert_close, kernels_path


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("weighted", [False, True])
def test_fused_loss_matches_reference(dtype, shape, weighted, monkeypatch):
    rng = np.random.default_rng(shape[0])
    scores = (rng.normal(size=shape) * 5).astype(dtype)
    labels = rng.integers(0, shape[1], shape[0])
    weight = rng.uniform(0, 2, shape[0]) if weighted else None
    loss = SoftmaxCrossEntropy()
    with kernels_path("numpy"):
        loss_ref, grad_ref = loss(scores, labels, weight)
    with kernels_path("fused"):
        fused_loss, grad = loss(scores, labels, weight)
    assert fused_loss == pytest.approx(loss_ref, rel=RTOL[dtype] * 10, abs=RTOL[dtype])
    assert_close(grad, grad_ref, dtype)


def test_all_zero_weights_give_zero_loss_and_gradient():
    scores = np.ones((4, 3), np.float32)
    loss, grad = SoftmaxCrossEntropy()(scores, np.array([0, 1, 2, 0]), np.zeros(4))
    assert loss == 0.0
    assert not grad.any()
