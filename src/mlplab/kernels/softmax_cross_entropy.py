"""Softmax cross-entropy: the loss and dL/ds in one pass over the logits.

Per row n: m = maxⱼ sₙⱼ, eⱼ = exp(sₙⱼ - m), Z = Σⱼ eⱼ; ℓₙ = log Z - (s_{n,yₙ} - m);
dsₙⱼ = cₙ (eⱼ / Z - [j = yₙ]), with cₙ = 1/N (or wₙ / Σ w). The loss Σₙ cₙ ℓₙ is summed in
float64. One thread: the benchmark's logits (N × 10) are far below the parallel threshold, and
the row loop is a few microseconds. Shapes: s, ds (N, C); y (N,) integers; c (N,).
"""

import math

import numba
import numpy as np


@numba.njit(cache=True)
def _loss_and_gradient(scores, labels, share, dscores):
    n, classes = scores.shape
    loss = 0.0
    for i in range(n):
        top = scores[i, 0]
        for j in range(1, classes):
            top = max(top, scores[i, j])
        total = scores.dtype.type(0)
        for j in range(classes):
            e = math.exp(scores[i, j] - top)
            dscores[i, j] = e
            total += e
        scale = share[i] / total
        for j in range(classes):
            dscores[i, j] *= scale
        label = labels[i]
        dscores[i, label] -= share[i]
        loss += share[i] * (math.log(total) - (scores[i, label] - top))
    return loss


def softmax_cross_entropy(scores, labels, share):
    """(Σₙ cₙ ℓₙ, dL/ds) for logits (N, C), labels (N,) and row weights ``share`` (N,) in the
    scores' dtype (1/N each for the plain mean)."""
    dscores = np.empty_like(scores)
    loss = _loss_and_gradient(scores, labels, share, dscores)
    return float(loss), dscores
