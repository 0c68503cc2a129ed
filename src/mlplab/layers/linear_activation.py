"""A ``Linear`` layer and the elementwise activation after it, run as one fused step.

Forward: z = x W, then y = f(z + b) in place in one pass (``kernels/activations.py``): no
separate bias pass, no second (N, H) array. Backward: dz = dy ⊙ f'(y) and db = Σₙ dz in one
pass, then dW = xᵀ dz and dx = dz Wᵀ as in ``Linear``. Both layers keep what the reference
path would (``linear.x``, ``activation.y``), so either layer's own ``backward`` still works.
The network pairs them (``pair_layers``) only when the fused kernels run.
"""

import numpy as np

from mlplab.kernels.activations import activation_backward, bias_activation_forward
from mlplab.kernels.eligibility import FLOAT_TYPES
from mlplab.layers.elementwise import ElementwiseActivation
from mlplab.layers.linear import Linear


class LinearActivation:
    """The step ``activation(linear(x))``; ``forward``/``backward`` as a layer's."""

    def __init__(self, linear: Linear, activation: ElementwiseActivation):
        self.linear = linear
        self.activation = activation

    def forward(self, x, training=False):
        linear, activation = self.linear, self.activation
        W = linear.params["W"]
        if not isinstance(W, np.ndarray) or W.dtype not in FLOAT_TYPES:
            return activation.forward(linear.forward(x, training), training)
        if linear.checks_input():
            linear.check_input(x, linear.in_features, W.dtype)
        linear.x = x
        z = x @ W
        if z.dtype != W.dtype:  # an unchecked input of another dtype: the reference path
            return activation.forward(linear.forward(x, training), training)
        y = bias_activation_forward(z, linear.params.get("b"), activation.kernel, self.alpha)
        activation.x = None  # overwritten by y; the kernels read f' from y
        activation.y = y
        activation.fused = True
        return y

    def backward(self, dy):
        linear, activation = self.linear, self.activation
        db = linear.grads.get("b")
        dz = activation_backward(dy, activation.y, activation.kernel, self.alpha, db)
        np.matmul(linear.x.T, dz, out=linear.grads["W"])
        if not linear.needs_input_grad:
            return None
        return dz @ linear.params["W"].T

    @property
    def alpha(self):
        return self.activation.kernel_alpha()


def pairable(layer, following) -> bool:
    """Whether ``following`` is an activation with a kernel, right after a ``Linear``, and
    neither has its ``forward``/``backward`` replaced on the instance (a test's or a user's
    hook, which the fused step would skip)."""
    return (
        type(layer) is Linear
        and not _patched(layer)
        and not _patched(following)
        and isinstance(following, ElementwiseActivation)
        and following.kernel is not None
        and following.kernel_alpha() is not None
    )


def _patched(layer) -> bool:
    return "forward" in vars(layer) or "backward" in vars(layer)


def pair_layers(layers) -> list:
    """The steps of a forward pass: each ``Linear`` + kernel activation pair as one
    ``LinearActivation``, every other layer as itself."""
    steps, i = [], 0
    while i < len(layers):
        if i + 1 < len(layers) and pairable(layers[i], layers[i + 1]):
            steps.append(LinearActivation(layers[i], layers[i + 1]))
            i += 2
        else:
            steps.append(layers[i])
            i += 1
    return steps
