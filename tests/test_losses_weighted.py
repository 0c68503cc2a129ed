"""Sample weights in the losses: Σ wᵢ ℓᵢ / Σ wᵢ, checked against duplication, gradient checks
in float64 and PyTorch (``reduction="none"`` then the weighted mean)."""

from functools import partial

import numpy as np
import pytest

from mlplab.diagnostics.gradcheck import gradcheck_loss
from mlplab.diagnostics.gradcheck_suite import loss_cases
from mlplab.errors import ShapeError
from mlplab.losses import LOSSES, Huber

torch = pytest.importorskip("torch")

CASES = range(len(loss_cases(np.random.default_rng(0))))


@pytest.mark.parametrize("case", CASES)
def test_weighted_losses_pass_the_gradient_check(case):
    rng = np.random.default_rng(case)
    label, loss, scores, y = loss_cases(rng)[case]
    weight = rng.uniform(0, 3, len(scores))
    weight[1] = 0.0
    results = gradcheck_loss(partial(loss, weight=weight), scores, y, what=label)
    assert all(r.max_relative_error < 1e-7 for r in results), results


@pytest.mark.parametrize("case", CASES)
def test_integer_weights_equal_duplicated_rows(case):
    rng = np.random.default_rng(case)
    _, loss, scores, y = loss_cases(rng)[case]
    weight = np.array([2, 0, 1, 3, 1, 1])
    loss_w, d_w = loss(scores, y, weight=weight)
    repeated = np.repeat(np.arange(len(scores)), weight)
    loss_r, d_r = loss(scores[repeated], y[repeated])
    assert abs(loss_w - loss_r) < 1e-12
    # the duplicated rows' gradients add up to the weighted row's
    summed = np.zeros_like(d_w)
    np.add.at(summed, repeated, d_r)
    np.testing.assert_allclose(d_w, summed, rtol=0, atol=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_unit_weights_change_nothing(case):
    _, loss, scores, y = loss_cases(np.random.default_rng(case))[case]
    plain, d_plain = loss(scores, y)
    weighted, d_weighted = loss(scores, y, weight=np.ones(len(scores)))
    assert abs(plain - weighted) < 1e-12
    np.testing.assert_allclose(d_plain, d_weighted, rtol=0, atol=1e-14)


def test_all_zero_weights_give_zero_loss_and_gradient():
    scores, y = np.random.default_rng(0).standard_normal((4, 3)), np.array([0, 1, 2, 0])
    loss, dscores = LOSSES.get("softmax")()(scores, y, weight=np.zeros(4))
    assert loss == 0.0 and not dscores.any()


def test_weight_shape_is_checked():
    with pytest.raises(ShapeError, match=r"softmax cross-entropy: expected sample weights of sh"):
        LOSSES.get("softmax")()(np.zeros((3, 2)), np.array([0, 1, 0]), weight=np.ones(2))


def _torch_weighted(fn, scores, target, weight):
    ts = torch.from_numpy(scores).requires_grad_()
    per = fn(ts, target, reduction="none")
    per = per.reshape(len(scores), -1).mean(dim=1)
    w = torch.from_numpy(weight)
    ref = (per * w).sum() / w.sum()
    ref.backward()
    return ref.item(), ts.grad.numpy()


F = torch.nn.functional
TORCH = {
    "softmax": lambda s, t, **k: F.cross_entropy(s, torch.from_numpy(t), **k),
    "mse": lambda s, t, **k: F.mse_loss(s, torch.from_numpy(t), **k),
    "bce": lambda s, t, **k: F.binary_cross_entropy_with_logits(s, torch.from_numpy(t), **k),
    "huber": lambda s, t, **k: F.huber_loss(s, torch.from_numpy(t), delta=1.0, **k),
}


@pytest.mark.parametrize("name", list(TORCH))
def test_weighted_losses_match_torch(name, rng):
    scores = rng.standard_normal((9, 3)) * 2
    if name == "softmax":
        target = rng.integers(0, 3, 9)
    elif name == "bce":
        target = rng.uniform(0, 1, (9, 3))
    else:
        target = rng.standard_normal((9, 3))
    weight = rng.uniform(0, 2, 9)
    loss, dscores = LOSSES.get(name)()(scores, target, weight=weight)
    ref, ref_grad = _torch_weighted(TORCH[name], scores, target, weight)
    assert abs(loss - ref) < 1e-10
    np.testing.assert_allclose(dscores, ref_grad, rtol=0, atol=1e-10)


@pytest.mark.parametrize("outputs", [1, 3])
@pytest.mark.parametrize("delta", [1.0, 0.5])
def test_huber_matches_torch(outputs, delta, rng):
    scores = rng.standard_normal((7, outputs)) * 2
    t = rng.standard_normal((7, outputs))
    loss, dscores = Huber(delta)(scores, t)
    ts = torch.from_numpy(scores).requires_grad_()
    ref = torch.nn.functional.huber_loss(ts, torch.from_numpy(t), delta=delta)
    ref.backward()
    assert abs(loss - ref.item()) < 1e-10
    np.testing.assert_allclose(dscores, ts.grad.numpy(), rtol=0, atol=1e-10)
