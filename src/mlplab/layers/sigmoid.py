"""The logistic sigmoid."""

from mlplab.backend import array_module
from mlplab.layers.elementwise import ElementwiseActivation
from mlplab.layers.registries import register_activation


@register_activation("sigmoid")
class Sigmoid(ElementwiseActivation):
    """σ(x) = 1 / (1 + e⁻ˣ), computed as ½ (1 + tanh(x/2)), which never overflows.

    σ'(x) = σ(x) (1 - σ(x)). Shapes: x (N, D) -> (N, D).
    """

    kernel = "sigmoid"

    def function(self, x):
        xp = array_module(x)
        y = x * 0.5
        xp.tanh(y, out=y)
        y += 1
        y *= 0.5
        return y

    def derivative(self, x, y):
        return y * (1 - y)

    def reference_backward(self, dy):
        dx = 1 - self.y
        dx *= self.y
        dx *= dy
        return dx
