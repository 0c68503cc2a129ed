"""The exponential linear unit."""

from mlplab.backend import array_module
from mlplab.layers.elementwise import ElementwiseActivation
from mlplab.layers.registries import register_activation


@register_activation("elu", default_init="he")
class ELU(ElementwiseActivation):
    """f(x) = x for x > 0, α (eˣ - 1) otherwise [Clevert et al., 2015].

    f'(x) = 1 for x > 0, f(x) + α otherwise. Closer to zero-mean outputs than ReLU, and it does
    not die. Shapes: (N, D) -> (N, D).
    """

    kernel = "elu"

    def kernel_alpha(self):
        # the kernel reads f' from y > 0, which holds where x > 0 only for alpha >= 0
        return self.alpha if self.alpha >= 0 else None

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = float(alpha)

    def function(self, x):
        xp = array_module(x)
        y = xp.minimum(x, 0)
        xp.expm1(y, out=y)
        y *= self.alpha
        y += xp.maximum(x, 0)
        return y

    def derivative(self, x, y):
        xp = array_module(x)
        return xp.where(x > 0, 1, y + self.alpha).astype(x.dtype)

    def reference_backward(self, dy):
        # y <= 0 exactly where x <= 0, so min(y, 0) + α is f' there and α elsewhere.
        xp = array_module(dy)
        dx = xp.minimum(self.y, 0)
        dx += self.alpha
        if self.alpha != 1.0:
            dx += xp.multiply(self.y > 0, 1.0 - self.alpha, dtype=dy.dtype)
        dx *= dy
        return dx

    def distance_to_kink(self, x):
        # f'' jumps at 0 (and f' too when α ≠ 1), so finite differences must not straddle it.
        return float(abs(x).min(initial=float("inf")))

    def get_config(self):
        return {"alpha": self.alpha}
