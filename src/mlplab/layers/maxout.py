"""The maxout unit."""

import numpy as np

from mlplab.backend import array_module
from mlplab.errors import ConfigError
from mlplab.init import initialize
from mlplab.layers.base import Layer, init_config
from mlplab.layers.registries import ACTIVATIONS, register_layer


@register_layer
class Maxout(Layer):
    """yₙⱼ = maxₖ (x Wⱼₖ + bⱼₖ): k affine pieces per unit, and the largest wins
    [Goodfellow et al., 2013]. For k = 2 this is the lecture's max(w₁ᵀx + b₁, w₂ᵀx + b₂); it
    generalizes ReLU (a piece fixed at 0) and leaky ReLU, never saturates and never dies, at the
    price of k times the parameters.

    The layer holds its own affine map, so a network uses it in place of Linear + activation.
    Backward: the gradient flows only through each unit's winning piece,
    dz = dy at the argmax piece, 0 elsewhere; dW = xᵀ dz, db = Σₙ dz, dx = dz Wᵀ.
    Shapes: x (N, D), W (D, H, k), b (H, k), y (N, H).
    """

    decay_params = ("W",)

    def __init__(
        self,
        in_features: int,
        out_features: int,
        pieces: int = 2,
        bias: bool = True,
        init="maxout",
        dtype=np.float32,
        rng=None,
    ):
        super().__init__()
        if isinstance(pieces, bool) or not isinstance(pieces, int | np.integer):
            raise ConfigError(f"Maxout: pieces must be an integer in 1..255, got {pieces!r}")
        if not 1 <= pieces <= 255:  # the winning piece is kept as a uint8
            raise ConfigError(f"Maxout: pieces must be an integer in 1..255, got {pieces!r}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self.pieces = int(pieces)
        self.bias = bool(bias)
        self.init = init
        shape = (self.in_features, self.out_features, self.pieces)
        self.params["W"] = initialize(
            init, shape, dtype=dtype, rng=rng, fan_in=self.in_features, fan_out=self.out_features
        )
        if self.bias:
            self.params["b"] = np.zeros(shape[1:], dtype=self.params["W"].dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def _pieces(self, x):
        """The affine pieces z = x W + b, shape (N, H, k)."""
        W = self.params["W"]
        z = (x @ W.reshape(self.in_features, -1)).reshape(len(x), self.out_features, self.pieces)
        if self.bias:
            z += self.params["b"]
        return z

    def forward(self, x, training=False):
        xp = array_module(x)
        if self.checks_input():
            self.check_input(x, self.in_features, self.params["W"].dtype)
        self.x = x
        z = self._pieces(x)
        # A running max over the k strided slices is far faster than argmax over a short axis.
        y = z[..., 0].copy()
        winner = xp.zeros(y.shape, xp.uint8) if self.pieces == 1 else None
        for j in range(1, self.pieces):
            better = z[..., j] > y
            xp.maximum(y, z[..., j], out=y)
            better = better.view(xp.uint8)
            if winner is None:
                winner = better  # piece 0 or 1
            else:
                # Earlier winners are all < j, so the max sets j exactly where piece j won.
                better *= xp.uint8(j)
                xp.maximum(winner, better, out=winner)
        self.winner = winner
        return y

    def backward(self, dy):
        xp = array_module(dy)
        n = len(dy)
        dz = xp.empty((n, self.out_features, self.pieces), dy.dtype)
        for j in range(self.pieces):
            xp.multiply(dy, self.winner == j, out=dz[..., j])
        dz2 = dz.reshape(n, -1)
        xp.matmul(self.x.T, dz2, out=self.grads["W"].reshape(self.in_features, -1))
        if self.bias:
            dz.sum(axis=0, out=self.grads["b"])
        if not self.needs_input_grad:
            return None
        return dz2 @ self.params["W"].reshape(self.in_features, -1).T

    def distance_to_kink(self, x):
        """The smallest gap between a unit's two largest pieces (ties are the kinks)."""
        if self.pieces < 2:
            return float("inf")
        xp = array_module(x)
        top = xp.sort(self._pieces(x), axis=2)
        return float((top[..., -1] - top[..., -2]).min(initial=float("inf")))

    def output_features(self, in_features):
        return self.out_features

    def get_config(self):
        return {
            "in_features": self.in_features,
            "out_features": self.out_features,
            "pieces": self.pieces,
            "bias": self.bias,
            **init_config(self.init),
        }


def maxout_activation(units, dtype, rng):
    """``activation="maxout"`` on its own: a square Maxout(units, units, 2). The network builder
    instead calls ``layer_class`` with the previous width, replacing the Linear layer."""
    return Maxout(units, units, dtype=dtype, rng=rng)


maxout_activation.layer_class = Maxout
maxout_activation.default_init = "maxout"
#: tells the builder that this activation holds its own affine map.
maxout_activation.replaces_affine = True
ACTIVATIONS.register("maxout")(maxout_activation)
