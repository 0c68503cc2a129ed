"""Losses: callables ``(scores, y) -> (loss, dscores)``, averaged over the batch.

Each loss also knows how to turn scores into predictions (``predict``) and, where it has them,
probabilities (``probabilities``). Labels are checked on every call (a few microseconds): a label
out of range is a ``LabelError`` naming the loss, never a silent wrap-around.
"""

import numpy as np

from mlplab.backend import array_module
from mlplab.errors import DTypeError, LabelError, ShapeError
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


def softmax(scores):
    """Row-wise softmax, shifted by the row maximum for stability."""
    xp = array_module(scores)
    e = xp.exp(scores - scores.max(axis=1, keepdims=True))
    e /= e.sum(axis=1, keepdims=True)
    return e


@LOSSES.register("softmax", "cross_entropy", "softmax_cross_entropy")
class SoftmaxCrossEntropy:
    """L = -(1/N) Σₙ log softmax(sₙ)[yₙ], with log-sum-exp shifted by the row max.

    dL/ds = (softmax(s) - onehot(y)) / N. Shapes: scores (N, C), y (N,) integers in 0..C-1.
    """

    task = "classification"

    def __call__(self, scores, y):
        _check_scores("softmax cross-entropy", scores)
        y = _check_class_labels("softmax cross-entropy", scores, y)
        xp = array_module(scores)
        n = scores.shape[0]
        shifted = scores - scores.max(axis=1, keepdims=True)
        exp = xp.exp(shifted)
        sum_exp = exp.sum(axis=1, keepdims=True)
        rows = xp.arange(n)
        loss = float(xp.log(sum_exp[:, 0]).sum() - shifted[rows, y].sum()) / n
        dscores = exp / sum_exp
        dscores[rows, y] -= 1
        dscores /= n
        return loss, dscores

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

    def __call__(self, scores, y):
        _check_scores("multiclass hinge", scores)
        y = _check_class_labels("multiclass hinge", scores, y)
        xp = array_module(scores)
        n = scores.shape[0]
        rows = xp.arange(n)
        margins = scores - scores[rows, y][:, None] + scores.dtype.type(self.margin)
        margins[rows, y] = 0
        active = margins > 0
        loss = float((margins * active).sum()) / n
        dscores = active.astype(scores.dtype)
        dscores[rows, y] = -active.sum(axis=1)
        dscores /= n
        return loss, dscores

    def probabilities(self, scores):
        raise NotImplementedError("the multiclass hinge loss gives scores, not probabilities")

    def predict(self, scores):
        return scores.argmax(axis=1)


@LOSSES.register("mse", "mean_squared_error")
class MeanSquaredError:
    """L = (1/(N K)) Σ (s - t)², the mean over every element (as PyTorch's ``MSELoss``).

    dL/ds = 2 (s - t) / (N K). Shapes: scores (N, K), targets (N, K), or (N,) when K = 1.
    """

    task = "regression"

    def __call__(self, scores, t):
        _check_scores("mean squared error", scores)
        t = _match_targets("mean squared error", scores, t)
        diff = scores - t
        loss = float((diff * diff).mean())
        diff *= 2.0 / diff.size
        return loss, diff

    def predict(self, scores):
        return scores[:, 0] if scores.shape[1] == 1 else scores


@LOSSES.register("bce", "binary_cross_entropy")
class BinaryCrossEntropyWithLogits:
    """L = mean over elements of max(s, 0) - s t + log(1 + exp(-|s|)), the stable form of
    -[t log σ(s) + (1 - t) log(1 - σ(s))].

    dL/ds = (σ(s) - t) / (N K). Shapes: scores (N, K), targets in [0, 1] of shape (N, K) or (N,).
    """

    task = "binary"

    def __call__(self, scores, t):
        _check_scores("binary cross-entropy", scores)
        t = _match_targets("binary cross-entropy", scores, t)
        xp = array_module(scores)
        if t.size and (float(t.min()) < 0 or float(t.max()) > 1):
            raise LabelError(
                "binary cross-entropy: targets must lie in [0, 1], "
                f"got values in [{float(t.min())}, {float(t.max())}]"
            )
        loss = float(
            (xp.maximum(scores, 0) - scores * t + xp.log1p(xp.exp(-xp.abs(scores)))).mean()
        )
        dscores = self.probabilities(scores) - t
        dscores /= dscores.size
        return loss, dscores

    def probabilities(self, scores):
        xp = array_module(scores)
        # σ(s) = ½(1 + tanh(s/2)) never overflows.
        return 0.5 * (1 + xp.tanh(0.5 * scores))

    def predict(self, scores):
        labels = (scores > 0).astype(np.int64)
        return labels[:, 0] if scores.shape[1] == 1 else labels


def get_loss(spec):
    """A loss object from its name, or ``spec`` itself if it is already callable."""
    if callable(spec):
        return spec
    return LOSSES.get(spec)()
