"""A parametric rectifier with a learnable hinge and slope: the worked custom activation."""

import numpy as np

from mlplab.backend import array_module
from mlplab.layers.elementwise import ElementwiseActivation
from mlplab.layers.registries import register_activation


@register_activation("hinged_rectifier", default_init="he")
class HingedRectifier(ElementwiseActivation):
    """f(x) = x for x > h, h + a (x - h) otherwise, with the hinge h and the slope a learned per
    unit: the lecture's "make up your own parametric rectifier" (shift the hinge, shift the
    slope). h = 0 gives PReLU [He et al., 2015]; h = 0, a = 0 gives ReLU.

    ∂f/∂x = 1 or a; ∂f/∂h = 0 or 1 - a; ∂f/∂a = 0 or x - h (right of the hinge, left of it).
    Shapes: x (N, D), h and a (D,) (or (1,) to share one across units), y (N, D).
    It is written against ``ElementwiseActivation`` only, as a user would write one; see
    ``docs/custom-activations.md``.
    """

    def __init__(self, num_features=1, hinge=0.0, slope=0.25, dtype=np.float32):
        super().__init__()
        self.num_features, self.hinge, self.slope = int(num_features), float(hinge), float(slope)
        self.params["hinge"] = np.full(self.num_features, self.hinge, dtype)
        self.params["slope"] = np.full(self.num_features, self.slope, dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def function(self, x):
        h, a = self.params["hinge"], self.params["slope"]
        return array_module(x).where(x > h, x, h + a * (x - h))

    def derivative(self, x, y):
        return array_module(x).where(x > self.params["hinge"], 1, self.params["slope"])

    def parameter_derivatives(self, x, y):
        h, a = self.params["hinge"], self.params["slope"]
        left = x <= h
        return {"hinge": left * (1 - a), "slope": left * (x - h)}

    def distance_to_kink(self, x):
        return float(abs(x - self.params["hinge"]).min(initial=float("inf")))

    def get_config(self):
        return {"num_features": self.num_features, "hinge": self.hinge, "slope": self.slope}
