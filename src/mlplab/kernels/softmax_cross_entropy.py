"""Softmax cross-entropy: the loss and dL/ds in one pass over the logits (``native/losses.h``).

Per row n: m = maxⱼ sₙⱼ, eⱼ = exp(sₙⱼ - m), Z = Σⱼ eⱼ; ℓₙ = log Z - (s_{n,yₙ} - m);
dsₙⱼ = cₙ (eⱼ / Z - [j = yₙ]), with cₙ = 1/N (or wₙ / Σ w). The loss Σₙ cₙ ℓₙ is summed in
float64; the same pass counts the rows whose first largest logit is at yₙ (NumPy's
``argmax``): the batch's correct predictions. One thread: the logits (N × classes) are small,
and the row loop is a few microseconds. Shapes: s, ds (N, C); y (N,) integers in [0, C); c (N,).
"""

import numpy as np

from mlplab.kernels.runtime import compiled


def softmax_cross_entropy(scores, labels, share=None):
    """(Σₙ cₙ ℓₙ, dL/ds, rows predicted right) for logits (N, C), labels (N,) and row weights
    ``share`` (N,) in the scores' dtype (None: the plain mean, cₙ = 1/N). A label outside
    [0, C) is a ValueError."""
    dscores = np.empty_like(scores)
    labels = np.ascontiguousarray(labels, dtype=np.int64)
    loss, correct = compiled().softmax_cross_entropy(scores, labels, share, dscores)
    return loss, dscores, correct
