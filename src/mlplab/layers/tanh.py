"""The hyperbolic tangent."""

from mlplab.backend import array_module
from mlplab.layers.elementwise import ElementwiseActivation
from mlplab.layers.registries import register_activation


@register_activation("tanh")
class Tanh(ElementwiseActivation):
    """tanh(x), zero-centred but saturating. tanh'(x) = 1 - tanh²(x). Shapes: (N, D) -> (N, D)."""

    kernel = "tanh"

    def function(self, x):
        return array_module(x).tanh(x)

    def derivative(self, x, y):
        return 1 - y * y

    def reference_backward(self, dy):
        xp = array_module(dy)
        dx = self.y * self.y
        xp.subtract(1, dx, out=dx)
        dx *= dy
        return dx
