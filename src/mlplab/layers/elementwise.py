"""The base class of elementwise activations: write f and f', get a layer."""

from mlplab.errors import DTypeError, ShapeError
from mlplab.layers.base import Layer


class ElementwiseActivation(Layer):
    """y = f(x) applied to every element; dx = dy ⊙ f'(x).

    A subclass writes ``function(x)`` and ``derivative(x, y)`` (f' at x, given y = f(x) too, for
    functions whose derivative is cheaper from the output, such as the sigmoid's y (1 - y)).
    ``function`` must not modify ``x``. Shapes: x (N, D), y (N, D).
    Built-in activations override ``backward`` to work in place; a user's needs only the two
    functions (see ``docs/custom-activations.md``).
    """

    def function(self, x):
        raise NotImplementedError

    def derivative(self, x, y):
        raise NotImplementedError

    def forward(self, x, training=False):
        self.check_input(x)
        self.x = x
        self.y = self.function(x)
        return self.y

    def backward(self, dy):
        return dy * self.derivative(self.x, self.y)

    def check_input(self, x, features=None, dtype=None):
        """2-D floating-point input (an integer input would be silently upcast)."""
        if getattr(x, "ndim", None) != 2:
            raise ShapeError(
                f"{self.name}: expected a 2-D input (batch, features), "
                f"got shape {getattr(x, 'shape', type(x).__name__)}"
            )
        if x.dtype.kind != "f":
            raise DTypeError(f"{self.name}: expected a floating-point input, got dtype {x.dtype}")
        super().check_input(x, features, dtype)
