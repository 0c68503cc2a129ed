"""The rectified linear unit."""

from mlplab.layers.base import Layer


class ReLU(Layer):
    """``max(0, x)`` [Krizhevsky et al., 2012]. Backward: dx = dy where x > 0, else 0."""

    def forward(self, x, training=False):
        self.mask = x > 0
        return x * self.mask

    def backward(self, dy):
        return dy * self.mask

    def distance_to_kink(self, x):
        return float(abs(x).min(initial=float("inf")))
