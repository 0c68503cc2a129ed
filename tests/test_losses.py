import numpy as np
import pytest

from mlplab.diagnostics.gradcheck import gradcheck_loss
from mlplab.diagnostics.gradcheck_suite import loss_cases
from mlplab.errors import DTypeError, LabelError, ShapeError
from mlplab.losses import (
    LOSSES,
    BinaryCrossEntropyWithLogits,
    MeanSquaredError,
    MulticlassHinge,
    SoftmaxCrossEntropy,
)

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


def _torch_loss(fn, scores, *args, **kwargs):
    ts = torch.from_numpy(scores).requires_grad_()
    ref = fn(ts, *args, **kwargs)
    ref.backward()
    return ref.item(), ts.grad.numpy()


@pytest.mark.parametrize("margin", [1.0, 0.5])
def test_multiclass_hinge_matches_torch(margin, rng):
    scores = rng.standard_normal((8, 5))
    y = rng.integers(0, 5, 8)
    loss, dscores = MulticlassHinge(margin)(scores, y)
    ref, ref_grad = _torch_loss(
        torch.nn.functional.multi_margin_loss, scores, torch.from_numpy(y), margin=margin
    )
    # torch's multi_margin_loss divides each row's sum by the class count C; the lecture's
    # (Weston-Watkins) SVM loss does not, so ours is C times torch's, loss and gradient alike.
    c = scores.shape[1]
    assert abs(loss - c * ref) < 1e-10
    np.testing.assert_allclose(dscores, c * ref_grad, rtol=0, atol=1e-10)


def test_multiclass_hinge_lecture_example():
    """Scores (3.2, 5.1, -1.7) for the true class 0: max(0, 5.1-3.2+1) + max(0, -1.7-3.2+1)."""
    loss, _ = MulticlassHinge()(np.array([[3.2, 5.1, -1.7]]), np.array([0]))
    assert abs(loss - 2.9) < 1e-12


@pytest.mark.parametrize("outputs", [1, 3])
def test_mean_squared_error_matches_torch(outputs, rng):
    scores = rng.standard_normal((7, outputs))
    t = rng.standard_normal((7, outputs))
    loss, dscores = MeanSquaredError()(scores, t)
    ref, ref_grad = _torch_loss(torch.nn.functional.mse_loss, scores, torch.from_numpy(t))
    assert abs(loss - ref) < 1e-10
    np.testing.assert_allclose(dscores, ref_grad, rtol=0, atol=1e-10)
    if outputs == 1:  # (N,) targets are accepted for a single output
        assert MeanSquaredError()(scores, t[:, 0])[0] == loss


@pytest.mark.parametrize("outputs", [1, 3])
def test_binary_cross_entropy_matches_torch(outputs, rng):
    scores = rng.standard_normal((7, outputs)) * 4
    scores[0, 0] = 40.0  # far in the tail: the stable form must still agree
    t = rng.uniform(0, 1, (7, outputs))
    t[1] = 1.0
    loss, dscores = BinaryCrossEntropyWithLogits()(scores, t)
    ref, ref_grad = _torch_loss(
        torch.nn.functional.binary_cross_entropy_with_logits, scores, torch.from_numpy(t)
    )
    assert abs(loss - ref) < 1e-10
    np.testing.assert_allclose(dscores, ref_grad, rtol=0, atol=1e-10)


@pytest.mark.parametrize("case", range(5))
def test_every_loss_passes_the_gradient_check(case):
    label, loss, scores, y = loss_cases(np.random.default_rng(case))[case]
    results = gradcheck_loss(loss, scores, y, what=label)
    assert all(r.max_relative_error < 1e-7 for r in results), results


def _targets(name, rng, n, c, dtype):
    if LOSSES.get(name).task == "classification":
        return rng.integers(0, c, n)
    return rng.uniform(0, 1, (n, c)).astype(dtype)


@pytest.mark.parametrize("name", ["softmax", "svm", "mse", "bce"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dscores_keep_the_scores_dtype(name, dtype, rng):
    scores = rng.standard_normal((5, 3)).astype(dtype)
    loss, dscores = LOSSES.get(name)()(scores, _targets(name, rng, 5, 3, dtype))
    assert isinstance(loss, float) and dscores.dtype == dtype


@pytest.mark.parametrize(
    "name, label",
    [
        ("softmax", "softmax cross-entropy"),
        ("svm", "multiclass hinge"),
        ("mse", "mean squared error"),
        ("bce", "binary cross-entropy"),
    ],
)
def test_wrong_shapes_name_the_loss(name, label, rng):
    loss = LOSSES.get(name)()
    with pytest.raises(ShapeError, match=f"{label}: scores must be 2-D.*got shape \\(3,\\)"):
        loss(np.zeros(3), np.zeros(3, np.int64))
    with pytest.raises(ShapeError, match=f"{label}: expected (labels|targets) of shape"):
        loss(np.zeros((4, 3)), _targets(name, rng, 5, 3, np.float64))


def test_hinge_labels_are_checked():
    with pytest.raises(LabelError, match="multiclass hinge: label 3 is out of range for 3 classes"):
        MulticlassHinge()(np.zeros((2, 3)), np.array([0, 3]))


def test_bce_targets_outside_0_1_are_rejected():
    with pytest.raises(LabelError, match=r"binary cross-entropy: targets must lie in \[0, 1\]"):
        BinaryCrossEntropyWithLogits()(np.zeros((2, 1)), np.array([0.0, 2.0]))
