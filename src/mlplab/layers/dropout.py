"""Inverted dropout."""

import math

import numpy as np

from mlplab import kernels
from mlplab.backend import array_module
from mlplab.errors import ConfigError
from mlplab.kernels.dropout_mask import keep_mask
from mlplab.layers.base import Layer
from mlplab.layers.registries import register_layer


@register_layer
class Dropout(Layer):
    """Zero each unit with probability p during training, and scale the survivors by 1/(1-p)
    [Srivastava et al., 2014], so that evaluation is the identity ("inverted dropout").

    y = x ⊙ m / (1 - p), m ~ Bernoulli(1 - p); dx = dy ⊙ m / (1 - p). Each training step draws
    one seed from the layer's own ``self.rng`` (whose state gradient checks and checkpoints save
    and restore), and the mask is made from it by counter-based random bits
    (``kernels/dropout_mask.py``). With the fused kernels, the mask is made inside the pass that
    applies it, forward and again backward (``kernels/dropout.py``): the same mask, and nothing
    kept between the two but the seed. Shapes: (N, D) -> (N, D).

    Data-parallel training sets ``rows = (start, stop, total)`` before each step: the layer then
    makes rows ``start:stop`` of the mask of the whole global batch (``total`` rows, as one
    process would), and every rank's generator stays in step (one seed a step).
    """

    #: None, or (start, stop, total): this rank's rows of a global batch (``mlplab.training``)
    rows = None

    def __init__(self, p: float = 0.5, rng=None):
        super().__init__()
        try:
            p = float(p)
        except (TypeError, ValueError):
            raise ConfigError(f"Dropout: p must be a number in [0, 1), got {p!r}") from None
        if not 0.0 <= p < 1.0:
            raise ConfigError(f"Dropout: p must be in [0, 1), got {p}")
        self.p = p
        if rng is None:
            self.rng = np.random.default_rng()
        elif isinstance(rng, np.random.Generator):
            self.rng = rng.spawn(1)[0]
        else:
            self.rng = np.random.default_rng(rng)
        self.mask = None  # the reference path's 0/1 mask
        self._draw = None  # the fused path's (seed, offset): the mask's bits are made from them

    def forward(self, x, training=False):
        if self.checks_input():
            self.check_input(x)
        self.mask = self._draw = None
        if not training or self.p == 0.0:
            return x
        seed = int(self.rng.integers(2**64, dtype=np.uint64))
        offset = 0 if self.rows is None else self.rows[0] * math.prod(x.shape[1:])
        if self.uses_kernel(x):
            from mlplab.kernels.dropout import dropout_apply

            self._draw = (seed, offset)
            return dropout_apply(x, seed, offset, self.p)
        xp = array_module(x)
        keep = keep_mask(seed, offset, x.shape, self.p)
        self.mask = keep if xp is np else xp.asarray(keep)
        y = x * self.mask
        y *= 1.0 / (1.0 - self.p)
        return y

    def uses_kernel(self, x) -> bool:
        if not kernels.fused():
            return False
        from mlplab.kernels.eligibility import takes

        return takes(x)

    def backward(self, dy):
        if self._draw is not None:
            from mlplab.kernels.dropout import dropout_apply

            return dropout_apply(np.ascontiguousarray(dy), *self._draw, self.p)
        if self.mask is None:
            return dy
        dx = dy * self.mask
        dx *= 1.0 / (1.0 - self.p)
        return dx

    def get_config(self):
        return {"p": self.p}
