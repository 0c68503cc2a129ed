"""The identity: no nonlinearity at all."""

from mlplab.layers.elementwise import ElementwiseActivation
from mlplab.layers.registries import register_activation


@register_activation("identity")
class Identity(ElementwiseActivation):
    """f(x) = x, f'(x) = 1. A stack of Linear layers with it between them is one affine map,
    x W₁W₂…W_L + b (see ``mlplab.diagnostics.linear_collapse``): the lecture's "without the
    activation function we end up with a linear classifier again".

    Shapes: (N, D) -> (N, D); forward returns its input, backward its upstream gradient.
    """

    def function(self, x):
        return x

    def derivative(self, x, y):
        return x * 0 + 1

    def backward(self, dy):
        return dy
