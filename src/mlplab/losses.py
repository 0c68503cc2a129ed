"""Losses: callables ``(scores, y, weight=None) -> (loss, dscores)``, averaged over the batch.

With ``weight`` (N,) (sample weights, >= 0) the average is weighted: L = Σᵢ wᵢ ℓᵢ / Σᵢ wᵢ, with
ℓᵢ row i's loss, so a weight of 2 counts a row twice, as a duplicated row would (scikit-learn's
MLP divides by the batch's Σ w too). A batch whose weights are all zero has loss 0 and zero
gradients. Without ``weight`` the unweighted code runs unchanged.

Each loss also knows how to turn scores into predictions (``predict``) and, where it has them,
probabilities (``probabilities``). Labels are checked on every call (a few microseconds): a label
out of range is a ``LabelError`` naming the loss, never a silent wrap-around.
"""

import numpy as np

from mlplab import kernels
from mlplab.backend import array_module
from mlplab.errors import ConfigError, DTypeError, LabelError, ShapeError
from mlplab.kernels.eligibility import takes
from mlplab.kernels.softmax_cross_entropy import softmax_cross_entropy
from mlplab.metrics import count_correct
from mlplab.registry import Registry

LOSSES = Registry("loss")


def _check_scores(name, scores):
    if getattr(scores, "ndim", None) != 2:
        raise ShapeError(
            f"{name}: scores must be 2-D (batch, outputs), "
            f"got shape {getattr(scores, 'shape', type(scores).__name__)}"
        )


def _check_class_labels(name, scores, y):
    y = np.asarray(y) if not hasattr(y, "dtype") else y
    if y.ndim != 1 or y.shape[0] != scores.shape[0]:
        raise ShapeError(f"{name}: expected labels of shape ({scores.shape[0]},), got {y.shape}")
    if y.dtype.kind not in "iu":
        raise DTypeError(f"{name}: labels must be integers 0..C-1, got dtype {y.dtype}")
    n_classes = scores.shape[1]
    if y.size and (int(y.min()) < 0 or int(y.max()) >= n_classes):
        bad = int(y.min()) if int(y.min()) < 0 else int(y.max())
        raise LabelError(
            f"{name}: label {bad} is out of range for {n_classes} classes "
            f"(expected 0..{n_classes - 1})"
        )
    return y


def _match_targets(name, scores, t):
    t = np.asarray(t) if not hasattr(t, "dtype") else t
    if t.ndim == 1 and scores.shape[1] == 1:
        t = t.reshape(-1, 1)
    if t.shape != scores.shape:
        raise ShapeError(f"{name}: expected targets of shape {scores.shape}, got {t.shape}")
    return t.astype(scores.dtype, copy=False)


def _row_share(name, scores, weight):
    """wᵢ / Σ w as an (N, 1) column in the scores' dtype (zeros when Σ w = 0)."""
    xp = array_module(scores)
    w = xp.asarray(weight, dtype=scores.dtype)
    if w.shape != (scores.shape[0],):
        raise ShapeError(
            f"{name}: expected sample weights of shape ({scores.shape[0]},), got {w.shape}"
        )
    total = float(w.sum())
    return (w / total if total > 0 else xp.zeros_like(w))[:, None]


def _weighted(row_losses, share) -> float:
    """Σᵢ (wᵢ / Σ w) ℓᵢ."""
    return float((row_losses * share[:, 0]).sum())


def softmax(scores):
    """Row-wise softmax, shifted by the row maximum for stability."""
    xp = array_module(scores)
    e = xp.exp(scores - scores.max(axis=1, keepdims=True))
    e /= e.sum(axis=1, keepdims=True)
    return e


@LOSSES.register("softmax", "cross_entropy", "softmax_cross_entropy")
class SoftmaxCrossEntropy:
    """L = -(1/N) Σₙ log softmax(sₙ)[yₙ], with log-sum-exp shifted by the row max.

    dL/ds = (softmax(s) - onehot(y)) / N (with weights: row n scaled by wₙ / Σ w instead of
    1/N). Shapes: scores (N, C), y (N,) integers in 0..C-1. With the fused kernels, loss and
    gradient come from one pass over the scores (``kernels/softmax_cross_entropy.py``).
    """

    task = "classification"

    def __call__(self, scores, y, weight=None):
        _check_scores("softmax cross-entropy", scores)
        if kernels.fused() and self._fusable(scores, y):
            return self._fused(scores, y, weight)[:2]
        return self._reference(scores, y, weight)

    def loss_and_correct(self, scores, y, weight=None):
        """(loss, dL/ds, rows predicted right): ``__call__`` and ``count_correct`` of
        ``predict``; the fused kernel counts them in its own pass (Σ w of them with
        ``weight``, counted here; and for a subclass, which may change either)."""
        _check_scores("softmax cross-entropy", scores)
        plain = weight is None and type(self) is SoftmaxCrossEntropy
        if plain and kernels.fused() and self._fusable(scores, y):
            return self._fused(scores, y, None)
        loss, dscores = self(scores, y, weight)
        return loss, dscores, count_correct(self.predict(scores), y, weight)

    def _reference(self, scores, y, weight):
        y = _check_class_labels("softmax cross-entropy", scores, y)
        xp = array_module(scores)
        n = scores.shape[0]
        shifted = scores - scores.max(axis=1, keepdims=True)
        exp = xp.exp(shifted)
        sum_exp = exp.sum(axis=1, keepdims=True)
        rows = xp.arange(n)
        dscores = exp / sum_exp
        dscores[rows, y] -= 1
        if weight is not None:
            share = _row_share("softmax cross-entropy", scores, weight)
            dscores *= share
            return _weighted(xp.log(sum_exp[:, 0]) - shifted[rows, y], share), dscores
        loss = float(xp.log(sum_exp[:, 0]).sum() - shifted[rows, y].sum()) / n
        dscores /= n
        return loss, dscores

    @staticmethod
    def _fusable(scores, y) -> bool:
        """NumPy integer labels of the right shape for the kernel, which checks their range in
        its own pass (so the two NumPy reductions of ``_check_class_labels`` are saved)."""
        return (
            takes(scores)
            and isinstance(y, np.ndarray)
            and y.dtype.kind in "iu"
            and y.shape == scores.shape[:1]
        )

    def _fused(self, scores, y, weight):
        share = None
        if weight is not None:
            share = np.ascontiguousarray(_row_share("softmax cross-entropy", scores, weight)[:, 0])
        try:
            return softmax_cross_entropy(scores, y, share)
        except ValueError:  # a label out of range: the reference check names it
            _check_class_labels("softmax cross-entropy", scores, y)
            raise

    def probabilities(self, scores):
        return softmax(scores)

    def predict(self, scores):
        return scores.argmax(axis=1)


@LOSSES.register("svm", "hinge", "multiclass_hinge")
class MulticlassHinge:
    """Multiclass SVM: L = (1/N) Σₙ Σ_{j≠yₙ} max(0, s_j - s_{yₙ} + margin) [Weston & Watkins, 1999].

    Shapes: scores (N, C), y (N,) integers in 0..C-1. It gives scores, not probabilities.
    """

    task = "classification"

    def __init__(self, margin: float = 1.0):
        self.margin = float(margin)

    def __call__(self, scores, y, weight=None):
        _check_scores("multiclass hinge", scores)
        y = _check_class_labels("multiclass hinge", scores, y)
        xp = array_module(scores)
        n = scores.shape[0]
        rows = xp.arange(n)
        margins = scores - scores[rows, y][:, None] + scores.dtype.type(self.margin)
        margins[rows, y] = 0
        active = margins > 0
        dscores = active.astype(scores.dtype)
        dscores[rows, y] = -active.sum(axis=1)
        if weight is not None:
            share = _row_share("multiclass hinge", scores, weight)
            dscores *= share
            return _weighted((margins * active).sum(axis=1), share), dscores
        loss = float((margins * active).sum()) / n
        dscores /= n
        return loss, dscores

    def probabilities(self, scores):
        raise NotImplementedError("the multiclass hinge loss gives scores, not probabilities")

    def predict(self, scores):
        return scores.argmax(axis=1)


@LOSSES.register("mse", "mean_squared_error")
class MeanSquaredError:
    """L = (1/(N K)) Σ (s - t)², the mean over every element (as PyTorch's ``MSELoss``).

    dL/ds = 2 (s - t) / (N K); with weights, row n's mean over its K outputs is weighted by
    wₙ / Σ w. Shapes: scores (N, K), targets (N, K), or (N,) when K = 1.
    """

    task = "regression"

    def __call__(self, scores, t, weight=None):
        _check_scores("mean squared error", scores)
        t = _match_targets("mean squared error", scores, t)
        diff = scores - t
        if weight is not None:
            share = _row_share("mean squared error", scores, weight)
            loss = _weighted((diff * diff).mean(axis=1), share)
            diff *= share * (2.0 / diff.shape[1])
            return loss, diff
        loss = float((diff * diff).mean())
        diff *= 2.0 / diff.size
        return loss, diff

    def predict(self, scores):
        return scores[:, 0] if scores.shape[1] == 1 else scores


@LOSSES.register("bce", "binary_cross_entropy")
class BinaryCrossEntropyWithLogits:
    """L = mean over elements of max(s, 0) - s t + log(1 + exp(-|s|)), the stable form of
    -[t log σ(s) + (1 - t) log(1 - σ(s))].

    dL/ds = (σ(s) - t) / (N K); with weights, row n's mean over its K outputs is weighted by
    wₙ / Σ w. Shapes: scores (N, K), targets in [0, 1] of shape (N, K) or (N,). K > 1 is
    multi-label classification: K independent yes/no labels per row.
    """

    task = "binary"

    def __call__(self, scores, t, weight=None):
        _check_scores("binary cross-entropy", scores)
        t = _match_targets("binary cross-entropy", scores, t)
        xp = array_module(scores)
        if t.size and (float(t.min()) < 0 or float(t.max()) > 1):
            raise LabelError(
                "binary cross-entropy: targets must lie in [0, 1], "
                f"got values in [{float(t.min())}, {float(t.max())}]"
            )
        elementwise = xp.maximum(scores, 0) - scores * t + xp.log1p(xp.exp(-xp.abs(scores)))
        dscores = self.probabilities(scores) - t
        if weight is not None:
            share = _row_share("binary cross-entropy", scores, weight)
            dscores *= share / scores.shape[1]
            return _weighted(elementwise.mean(axis=1), share), dscores
        loss = float(elementwise.mean())
        dscores /= dscores.size
        return loss, dscores

    def probabilities(self, scores):
        xp = array_module(scores)
        # σ(s) = ½(1 + tanh(s/2)) never overflows.
        return 0.5 * (1 + xp.tanh(0.5 * scores))

    def predict(self, scores):
        labels = (scores > 0).astype(np.int64)
        return labels[:, 0] if scores.shape[1] == 1 else labels


@LOSSES.register("huber", "smooth_l1")
class Huber:
    """Huber loss [Huber, 1964], the mean over every element (PyTorch's ``HuberLoss``):

        h(d) = ½ d²  if |d| <= δ,   δ (|d| - ½ δ)  otherwise,   d = s - t,

    quadratic near the target, linear (robust to outliers) beyond δ. dL/ds = clip(d, -δ, δ)/(N K);
    with weights, row n's mean is weighted by wₙ / Σ w. Shapes: as ``MeanSquaredError``.
    """

    task = "regression"

    def __init__(self, delta: float = 1.0):
        if not float(delta) > 0:
            raise ConfigError(f"huber: delta must be positive, got {delta}")
        self.delta = float(delta)

    def __call__(self, scores, t, weight=None):
        _check_scores("huber", scores)
        t = _match_targets("huber", scores, t)
        xp = array_module(scores)
        diff = scores - t
        delta = scores.dtype.type(self.delta)
        size = xp.abs(diff)
        elementwise = xp.where(size <= delta, 0.5 * diff * diff, delta * (size - 0.5 * delta))
        dscores = xp.clip(diff, -delta, delta)
        if weight is not None:
            share = _row_share("huber", scores, weight)
            dscores *= share / scores.shape[1]
            return _weighted(elementwise.mean(axis=1), share), dscores
        dscores /= dscores.size
        return float(elementwise.mean()), dscores

    def predict(self, scores):
        return scores[:, 0] if scores.shape[1] == 1 else scores


def get_loss(spec):
    """A loss object from its name, or ``spec`` itself if it is already callable."""
    if callable(spec):
        return spec
    return LOSSES.get(spec)()
