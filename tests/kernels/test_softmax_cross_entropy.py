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


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_the_pass_counts_right_predictions_as_argmax_does(dtype, shape):
    rng = np.random.default_rng(shape[1])
    # few distinct values: rows with ties, where argmax takes the first largest
    scores = rng.integers(-2, 3, size=shape).astype(dtype)
    labels = rng.integers(0, shape[1], shape[0])
    expected = int((scores.argmax(axis=1) == labels).sum())
    loss = SoftmaxCrossEntropy()
    with kernels_path("numpy"):
        loss_ref, grad_ref, counted_ref = loss.loss_and_correct(scores, labels)
    with kernels_path("fused"):
        fused_loss, grad, counted = loss.loss_and_correct(scores, labels)
    assert counted == counted_ref == expected
    assert fused_loss == pytest.approx(loss_ref, rel=RTOL[dtype] * 10, abs=RTOL[dtype])
    assert_close(grad, grad_ref, dtype)


def test_weighted_and_subclassed_losses_count_on_their_own_terms():
    scores = np.array([[2.0, 1.0], [0.0, 3.0], [5.0, 4.0]], np.float32)
    labels = np.array([0, 1, 1])
    weight = np.array([0.5, 2.0, 1.0])
    with kernels_path("fused"):
        assert SoftmaxCrossEntropy().loss_and_correct(scores, labels, weight)[2] == 2.5

        class Flipped(SoftmaxCrossEntropy):  # a user's loss that predicts differently
            def predict(self, scores):
                return scores.argmin(axis=1)

        assert Flipped().loss_and_correct(scores, labels)[2] == 1
