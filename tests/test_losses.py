import numpy as np
import pytest

from mlplab.errors import DTypeError, LabelError, ShapeError
from mlplab.losses import SoftmaxCrossEntropy

torch = pytest.importorskip("torch")


def test_softmax_cross_entropy_matches_torch(rng):
    scores = rng.standard_normal((6, 4)) * 3
    y = rng.integers(0, 4, 6)
    loss, dscores = SoftmaxCrossEntropy()(scores, y)
    ts = torch.from_numpy(scores).requires_grad_()
    ref = torch.nn.functional.cross_entropy(ts, torch.from_numpy(y))
    ref.backward()
    assert abs(loss - ref.item()) < 1e-10
    np.testing.assert_allclose(dscores, ts.grad.numpy(), rtol=0, atol=1e-10)


def test_softmax_cross_entropy_is_stable_for_huge_scores():
    loss, dscores = SoftmaxCrossEntropy()(np.array([[1e4, 0.0, -1e4]]), np.array([1]))
    assert np.isfinite(loss) and abs(loss - 1e4) < 1e-6
    assert np.isfinite(dscores).all()


def test_initial_loss_is_log_c_for_equal_scores():
    loss, _ = SoftmaxCrossEntropy()(np.zeros((5, 10)), np.arange(5))
    assert abs(loss - np.log(10)) < 1e-12


def test_labels_are_checked():
    loss = SoftmaxCrossEntropy()
    with pytest.raises(LabelError, match="label 4 is out of range for 4 classes"):
        loss(np.zeros((2, 4)), np.array([0, 4]))
    with pytest.raises(LabelError, match="label -1"):
        loss(np.zeros((2, 4)), np.array([0, -1]))
    with pytest.raises(DTypeError, match="integers"):
        loss(np.zeros((2, 4)), np.array([0.0, 1.0]))
    with pytest.raises(ShapeError, match=r"expected labels of shape \(2,\)"):
        loss(np.zeros((2, 4)), np.array([0, 1, 2]))
