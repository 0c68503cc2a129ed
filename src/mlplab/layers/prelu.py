"""The parametric rectifier."""

import numpy as np

from mlplab.backend import array_module
from mlplab.layers.elementwise import ElementwiseActivation
from mlplab.layers.registries import register_activation


@register_activation("prelu", default_init="he")
class PReLU(ElementwiseActivation):
    """f(x) = x for x > 0, a x otherwise, with a learned [He et al., 2015, "Delving deep into
    rectifiers"]: one slope per unit (``num_features=D``) or one shared (``num_features=1``).

    ∂f/∂x = 1 or a; ∂L/∂a = Σ dy ⊙ x over x ≤ 0 (summed over the batch, and over the units when
    shared). The slope is not weight-decayed, as in the paper. Shapes: x (N, D), a (D,) or (1,).
    """

    def __init__(self, num_features: int = 1, init: float = 0.25, dtype=np.float32):
        super().__init__()
        self.num_features = int(num_features)
        self.init = float(init)
        self.params["alpha"] = np.full(self.num_features, self.init, np.dtype(dtype))
        self.grads = {"alpha": np.zeros_like(self.params["alpha"])}

    def function(self, x):
        # f(x) = max(x, 0) + a min(x, 0): masked arithmetic, no per-element branch.
        xp = array_module(x)
        self.negative = xp.minimum(x, 0)
        y = self.negative * self.params["alpha"]
        y += xp.maximum(x, 0)
        return y

    def derivative(self, x, y):
        xp = array_module(x)
        return xp.where(x > 0, 1, self.params["alpha"]).astype(x.dtype)

    def parameter_derivatives(self, x, y):
        return {"alpha": x * (x <= 0)}

    def backward(self, dy):
        xp = array_module(dy)
        alpha = self.params["alpha"]
        dalpha = dy * self.negative
        if self.num_features == 1:
            self.grads["alpha"][0] = dalpha.sum()
        else:
            dalpha.sum(axis=0, out=self.grads["alpha"])
        if not self.needs_input_grad:
            return None
        xp.multiply(self.x > 0, 1 - alpha, out=dalpha)
        dalpha += alpha
        dalpha *= dy
        return dalpha

    def distance_to_kink(self, x):
        return float(abs(x).min(initial=float("inf")))

    def get_config(self):
        return {"num_features": self.num_features, "init": self.init}
