"""The rectified linear unit."""

from mlplab.layers.elementwise import ElementwiseActivation
from mlplab.layers.registries import register_activation


@register_activation("relu", default_init="he")
class ReLU(ElementwiseActivation):
    """``max(0, x)`` [Krizhevsky et al., 2012]. Backward: dx = dy where x > 0, else 0.

    Shapes: (N, D) -> (N, D).
    """

    kernel = "relu"

    def function(self, x):
        self.mask = x > 0
        return x * self.mask

    def derivative(self, x, y):
        return (x > 0).astype(x.dtype)

    def reference_backward(self, dy):
        return dy * self.mask

    def distance_to_kink(self, x):
        return float(abs(x).min(initial=float("inf")))
