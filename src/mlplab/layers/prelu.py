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
        xp = array_module(x)
        self.positive = x > 0
        y = x * self.params["alpha"]
        xp.copyto(y, x, where=self.positive)
        return y

    def derivative(self, x, y):
        xp = array_module(x)
        return xp.where(x > 0, 1, self.params["alpha"]).astype(x.dtype)

    def parameter_derivatives(self, x, y):
        return {"alpha": x * (x <= 0)}

    def backward(self, dy):
        xp = array_module(dy)
        dalpha = dy * self.x
        xp.copyto(dalpha, 0, where=self.positive)
        if self.num_features == 1:
            self.grads["alpha"][0] = dalpha.sum()
        else:
            dalpha.sum(axis=0, out=self.grads["alpha"])
        if not self.needs_input_grad:
            return None
        dx = dy * self.params["alpha"]
        xp.copyto(dx, dy, where=self.positive)
        return dx

    def distance_to_kink(self, x):
        return float(abs(x).min(initial=float("inf")))

    def get_config(self):
        return {"num_features": self.num_features, "init": self.init}
