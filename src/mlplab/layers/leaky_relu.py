"""The leaky rectifier."""

from mlplab.backend import array_module
from mlplab.layers.elementwise import ElementwiseActivation
from mlplab.layers.registries import register_activation


@register_activation("leaky_relu", default_init="he")
class LeakyReLU(ElementwiseActivation):
    """f(x) = x for x > 0, a x otherwise; the lecture's max(0.01 x, x) for a = 0.01
    [Maas et al., 2013]. It never dies: the gradient for x < 0 is a, not 0.

    Shapes: (N, D) -> (N, D).
    """

    kernel = "leaky_relu"

    def kernel_alpha(self):
        # the kernel reads f' from y > 0, which holds where x > 0 only for negative_slope >= 0
        return self.negative_slope if self.negative_slope >= 0 else None

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = float(negative_slope)

    def function(self, x):
        xp = array_module(x)
        y = x * self.negative_slope
        # max(a x, x) is the rectifier for a <= 1; for a > 1 the branches swap.
        (xp.maximum if self.negative_slope <= 1 else xp.minimum)(y, x, out=y)
        return y

    def derivative(self, x, y):
        xp = array_module(x)
        return xp.where(x > 0, 1.0, self.negative_slope).astype(x.dtype)

    def reference_backward(self, dy):
        # Masked arithmetic, not where/copyto: no per-element branch, several times faster.
        xp = array_module(dy)
        dx = xp.multiply(self.x > 0, 1.0 - self.negative_slope, dtype=dy.dtype)
        dx += self.negative_slope
        dx *= dy
        return dx

    def distance_to_kink(self, x):
        return float(abs(x).min(initial=float("inf")))

    def get_config(self):
        return {"negative_slope": self.negative_slope}
