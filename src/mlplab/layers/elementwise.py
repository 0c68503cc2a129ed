"""The base class of elementwise activations: write f and its derivatives, get a layer."""

import numpy as np

from mlplab import kernels
from mlplab.errors import DTypeError, ShapeError
from mlplab.layers.base import Layer


def sum_to_shape(g, shape):
    """Sum ``g`` over the axes that broadcasting added or stretched to reach ``shape``.

    The gradient of a parameter of shape (D,) or (1,) used against an (N, D) input.
    """
    if g.shape == tuple(shape):
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, size in enumerate(shape) if size == 1 and g.shape[lead + i] != 1
    )
    return g.sum(axis=axes, keepdims=True).reshape(shape)


class ElementwiseActivation(Layer):
    """y = f(x; θ) applied to every element; dx = dy ⊙ ∂f/∂x, dθ = Σ dy ⊙ ∂f/∂θ.

    A subclass writes ``function(x)`` and ``derivative(x, y)`` (∂f/∂x at x, given y = f(x) too,
    for functions whose derivative is cheaper from the output, like the sigmoid's y (1 - y)).
    A subclass with learnable parameters puts them in ``self.params`` (shape (D,) for one per
    unit, (1,) for one shared) and writes ``parameter_derivatives(x, y)``: a dict of ∂f/∂θ per
    element, broadcastable to x; the sum over the batch (and over units, for a shared
    parameter) is done here. ``function`` must not modify ``x``. Shapes: x (N, D), y (N, D).
    Built-in activations override ``reference_backward`` to work in place and name their fused
    kernel (``kernel``, ``kernel_alpha``: ``mlplab/kernels/activations.py``), which runs instead
    of ``function`` and ``reference_backward`` where ``kernels.fused()``; a user's activation
    needs only these functions (see ``docs/custom-activations.md``).
    """

    #: the fused kernel computing this activation (``kernels/activations.py``), or None.
    kernel: str | None = None

    def function(self, x):
        raise NotImplementedError

    def derivative(self, x, y):
        raise NotImplementedError

    def parameter_derivatives(self, x, y) -> dict:
        return {}

    def kernel_alpha(self) -> float | None:
        """The kernel's parameter (leaky slope, ELU α; 0 if none), or None where the kernel,
        which reads f' from the output's sign, does not apply."""
        return 0.0

    def uses_kernel(self, x) -> bool:
        """Whether the fused kernel computes this activation on ``x``."""
        if self.kernel is None or self.kernel_alpha() is None or not kernels.fused():
            return False
        from mlplab.kernels.eligibility import takes

        return takes(x)

    def forward(self, x, training=False):
        if self.checks_input():
            self.check_input(x)
        self.x = x
        self.fused = self.uses_kernel(x)
        if self.fused:
            from mlplab.kernels.activations import bias_activation_forward

            y = np.empty_like(x)
            self.y = bias_activation_forward(x, None, self.kernel, self.kernel_alpha(), out=y)
        else:
            self.y = self.function(x)
        return self.y

    def backward(self, dy):
        if getattr(self, "fused", False):
            from mlplab.kernels.activations import activation_backward

            return activation_backward(dy, self.y, self.kernel, self.kernel_alpha())
        return self.reference_backward(dy)

    def reference_backward(self, dy):
        """dx from the cached x and y with NumPy (``derivative``, ``parameter_derivatives``)."""
        for key, partial in self.parameter_derivatives(self.x, self.y).items():
            self.grads[key][...] = sum_to_shape(dy * partial, self.params[key].shape)
        return dy * self.derivative(self.x, self.y)

    def check_input(self, x, features=None, dtype=None):
        """2-D floating-point input (an integer input would be silently upcast); with learnable
        parameters, of their dtype and (for one per unit) their width."""
        if getattr(x, "ndim", None) != 2:
            raise ShapeError(
                f"{self.name}: expected a 2-D input (batch, features), "
                f"got shape {getattr(x, 'shape', type(x).__name__)}"
            )
        if x.dtype.kind != "f":
            raise DTypeError(f"{self.name}: expected a floating-point input, got dtype {x.dtype}")
        for p in self.params.values():
            features = p.shape[-1] if p.ndim and p.shape[-1] > 1 else features
            dtype = p.dtype
        super().check_input(x, features, dtype)
