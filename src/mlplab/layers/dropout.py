"""Inverted dropout."""

import numpy as np

from mlplab import kernels
from mlplab.backend import array_module
from mlplab.errors import ConfigError
from mlplab.layers.base import Layer
from mlplab.layers.registries import register_layer


@register_layer
class Dropout(Layer):
    """Zero each unit with probability p during training, and scale the survivors by 1/(1-p)
    [Srivastava et al., 2014], so that evaluation is the identity ("inverted dropout").

    y = x ⊙ m / (1 - p), m ~ Bernoulli(1 - p); dx = dy ⊙ m / (1 - p). The mask comes from the
    layer's own ``self.rng``, whose state gradient checks and checkpoints save and restore.
    With the fused kernels, mask and scale take one pass (``kernels/dropout.py``), the same mask.
    Shapes: (N, D) -> (N, D).

    Data-parallel training sets ``rows = (start, stop, total)`` before each step: the layer then
    draws the mask of the whole global batch (``total`` rows, as one process would, so every
    rank's generator stays in step) and keeps rows ``start:stop``, this rank's.
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
        self.mask = None
        self._mask_is_draws = False  # the mask is the uniform draws (the fused kernel), not 0/1
        self._uniform = self._keep = None  # scratch reused while the batch shape stays the same

    def forward(self, x, training=False):
        if self.checks_input():
            self.check_input(x)
        if not training or self.p == 0.0:
            self.mask = None
            return x
        xp = array_module(x)
        shape = x.shape if self.rows is None else (self.rows[2], *x.shape[1:])
        if self._uniform is None or self._uniform.shape != shape:
            self._uniform = np.empty(shape, np.float32)
            self._keep = np.empty(shape, bool)
        self.rng.random(dtype=np.float32, out=self._uniform)
        if self.uses_kernel(x):
            from mlplab.kernels.dropout import dropout_apply

            draws = self._uniform if self.rows is None else self._uniform[slice(*self.rows[:2])]
            self.mask, self._mask_is_draws = draws, True  # the draws stand for the mask: [u >= p]
            return dropout_apply(x, draws, self.p)
        keep = np.greater_equal(self._uniform, self.p, out=self._keep)
        if self.rows is not None:
            keep = keep[self.rows[0] : self.rows[1]]
        self.mask = keep if xp is np else xp.asarray(keep)
        self._mask_is_draws = False
        y = x * self.mask
        y *= 1.0 / (1.0 - self.p)
        return y

    def uses_kernel(self, x) -> bool:
        if not kernels.fused():
            return False
        from mlplab.kernels.eligibility import takes

        return takes(x)

    def backward(self, dy):
        if self.mask is None:
            return dy
        if self._mask_is_draws:
            from mlplab.kernels.dropout import dropout_apply

            return dropout_apply(np.ascontiguousarray(dy), self.mask, self.p)
        dx = dy * self.mask
        dx *= 1.0 / (1.0 - self.p)
        return dx

    def get_config(self):
        return {"p": self.p}
