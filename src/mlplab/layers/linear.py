"""The fully-connected (affine) layer."""

import numpy as np

from mlplab.backend import array_module
from mlplab.init import initialize
from mlplab.layers.base import Layer, init_config
from mlplab.layers.registries import register_layer


@register_layer
class Linear(Layer):
    """Affine map ``y = x W + b``.

    Shapes: x (N, D), W (D, H), b (H,), y (N, H). The weight is stored as (in, out), the layout of
    the lecture's ``np.dot(X, W)``; the lecture's ``f = W x`` is its transpose.
    Backward: dW = xᵀ dy, db = Σₙ dy, dx = dy Wᵀ.
    """

    decay_params = ("W",)

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        init="he",
        dtype=np.float32,
        rng=None,
    ):
        super().__init__()
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self.bias = bool(bias)
        self.init = init
        self.params["W"] = initialize(
            init, (self.in_features, self.out_features), dtype=dtype, rng=rng
        )
        if self.bias:
            self.params["b"] = np.zeros(self.out_features, dtype=self.params["W"].dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x, training=False):
        W = self.params["W"]
        if self.checks_input():
            self.check_input(x, self.in_features, W.dtype)
        self.x = x
        y = x @ W
        if self.bias:
            y += self.params["b"]
        return y

    def backward(self, dy):
        xp = array_module(dy)
        xp.matmul(self.x.T, dy, out=self.grads["W"])
        if self.bias:
            dy.sum(axis=0, out=self.grads["b"])
        if not self.needs_input_grad:
            return None
        return dy @ self.params["W"].T

    def output_features(self, in_features):
        return self.out_features

    def get_config(self):
        return {
            "in_features": self.in_features,
            "out_features": self.out_features,
            "bias": self.bias,
            **init_config(self.init),
        }
