"""Telling divergence apart: where the first non-finite number is, and when a finite loss has
exploded.

A loss that stays finite can still diverge: Adam with batch norm at ``lr=1e6`` trains to a
training loss of 3e11 and would otherwise finish "complete". The rule (docs/reliability.md):
training has diverged when an epoch's mean training loss exceeds ``EXPLOSION_FACTOR`` (1000) times
its *starting value*: the larger of the loss of the very first minibatch (before any update; the
trainer keeps it, and its checkpoints) and the loss of all-zero scores on the epoch's last batch —
what an untrained network scores: ln C for softmax cross-entropy, (C - 1) × margin for the
multiclass hinge, mean(t²) for squared error — and at least 1. A network that learns stays far
below it (its loss falls under the starting value); one whose loss is 1000× worse than where it
began has no weights worth keeping.
"""

import math

import numpy as np

#: an epoch's mean training loss above this multiple of its starting value is divergence.
EXPLOSION_FACTOR = 1e3


def starting_loss(loss_fn, y, outputs: int) -> float:
    """The loss of all-zero scores (N, ``outputs``) on targets ``y``; at least 1."""
    try:
        value, _ = loss_fn(np.zeros((len(y), outputs)), y)
        value = float(value)
    except Exception:  # a user's loss that refuses zero scores: the floor alone
        return 1.0
    return max(value, 1.0) if math.isfinite(value) else 1.0


def exploded(mean_loss: float, reference: float) -> bool:
    """Whether ``mean_loss`` is beyond ``EXPLOSION_FACTOR`` × ``reference``."""
    return math.isfinite(mean_loss) and mean_loss > EXPLOSION_FACTOR * reference


def first_nonfinite_layer(net, x) -> str | None:
    """The name of the first layer of ``net`` holding a NaN/inf parameter, else of the first
    whose output on ``x`` (in evaluation mode: no running statistics or random state change)
    is NaN/inf; None when every layer is finite."""
    for layer in net.layers:
        if not all(np.isfinite(p).all() for p in layer.params.values()):
            return layer.name
    with np.errstate(all="ignore"):
        for layer in net.layers:
            x = layer.forward(x, False)
            if not np.isfinite(x).all():
                return layer.name
    return None
