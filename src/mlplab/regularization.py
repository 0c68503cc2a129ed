"""Weight regularizers (weights only, never biases or batch-norm parameters: the names in
``layer.decay_params``). The trainer applies them as gradient transforms and constraints
(``mlplab.training.transforms``); this module holds the arithmetic, once.

- L2 (coupled weight decay): ½ λ Σ‖W‖², gradient λW.
- L1: λ Σ|W|, (sub)gradient λ·sign(W) — drives weights to exactly sparse solutions.
- Max-norm: after each update, rescale every unit's incoming weight vector (a column of
  W, shape (in, out)) to norm at most c [Srebro et al., 2005; Srivastava et al., 2014].
"""

import numpy as np

from mlplab.backend import array_module


def add_l2(net, l2: float, gradient: bool = True) -> float:
    """Return ½ λ Σ‖W‖² and (with ``gradient``) add λW to each weight's gradient.

    The one L2 penalty of mlplab: ``Sequential.add_l2``, ``loss_and_gradients(l2=)``, the
    trainer, gradient checking and the sanity checks all call it. The sum runs layer by layer
    in ``net.layers`` order, each term ``0.5 * λ * Σ w²`` as a Python float.
    """
    penalty = 0.0
    for layer in net.layers:
        for key in layer.decay_params:
            w = layer.params[key]
            penalty += 0.5 * l2 * float((w * w).sum())
            if gradient:
                layer.grads[key] += w.dtype.type(l2) * w
    return penalty


def add_l1(net, l1: float) -> float:
    """Add λ·sign(W) to each weight's gradient and return λ Σ|W|."""
    penalty = 0.0
    for layer in net.layers:
        for key in layer.decay_params:
            w = layer.params[key]
            xp = array_module(w)
            penalty += l1 * float(xp.abs(w).sum())
            layer.grads[key] += w.dtype.type(l1) * xp.sign(w)
    return penalty


def apply_max_norm(net, max_norm: float) -> None:
    """Rescale in place each column of every 2-D weight whose L2 norm exceeds ``max_norm``."""
    for layer in net.layers:
        for key in layer.decay_params:
            w = layer.params[key]
            if w.ndim != 2:
                continue
            xp = array_module(w)
            norms = xp.sqrt((w * w).sum(axis=0))
            scale = xp.minimum(1.0, max_norm / xp.maximum(norms, np.finfo(w.dtype).tiny))
            w *= scale.astype(w.dtype, copy=False)
