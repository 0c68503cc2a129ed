"""Batch normalization."""

import numpy as np

from mlplab import kernels
from mlplab.backend import array_module
from mlplab.errors import ConfigError, ShapeError
from mlplab.layers.base import Layer
from mlplab.layers.registries import register_layer


@register_layer
class BatchNorm(Layer):
    """Normalize each feature over the batch, then scale and shift [Ioffe & Szegedy, 2015].

    Training: μ = mean(x), σ² = mean((x - μ)²) over the batch, x̂ = (x - μ) / √(σ² + ε),
    y = γ x̂ + β; the running statistics follow PyTorch's convention
    running ← (1 - m) running + m batch, with the unbiased batch variance (× N/(N-1)).
    Evaluation: the running mean and variance replace the batch's (the lecture's different
    test-time behaviour), so the layer becomes a fixed affine map.
    Backward (training), the compact form:
    dx = γ / (N √(σ² + ε)) · (N dy - Σ dy - x̂ Σ(dy x̂)), dγ = Σ dy x̂, dβ = Σ dy.
    Shapes: x (N, D), γ, β, running statistics (D,), y (N, D). With the fused kernels, training
    forward and backward take two passes each (``kernels/batchnorm.py``).

    Data-parallel training sets ``reduce`` (an array -> its sum over the ranks, in place): then
    N, μ, σ² and the backward sums Σ dy, Σ(dy x̂) are those of the global batch, as one process
    would compute them, while ``grads`` stay this rank's part (the gradient allreduce sums them).
    The kernels compute one process's statistics, so training on ranks takes the NumPy path.
    """

    #: None, or a callable summing an array over the ranks in place (``mlplab.training``)
    reduce = None

    def __init__(
        self, num_features: int, momentum: float = 0.1, eps: float = 1e-5, dtype=np.float32
    ):
        super().__init__()
        if not 0.0 <= float(momentum) <= 1.0:
            raise ConfigError(f"BatchNorm: momentum must be in [0, 1], got {momentum}")
        if not float(eps) > 0.0:
            raise ConfigError(f"BatchNorm: eps must be positive, got {eps}")
        self.num_features = int(num_features)
        self.momentum = float(momentum)
        self.eps = float(eps)
        dtype = np.dtype(dtype)
        self.params["gamma"] = np.ones(self.num_features, dtype)
        self.params["beta"] = np.zeros(self.num_features, dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.buffers["running_mean"] = np.zeros(self.num_features, dtype)
        self.buffers["running_var"] = np.ones(self.num_features, dtype)

    def forward(self, x, training=False):
        gamma, beta = self.params["gamma"], self.params["beta"]
        if self.checks_input():
            self.check_input(x, self.num_features, gamma.dtype)
        self.training = training
        self.fused = training and self.reduce is None and self.uses_kernel(x)
        if self.fused:
            return self.fused_forward(x)
        if not training:
            self.inv_std = 1 / (self.buffers["running_var"] + self.eps) ** 0.5
            scale = gamma * self.inv_std
            self.x = x
            if self.uses_kernel(x):
                from mlplab.kernels.batchnorm import batchnorm_eval_forward

                return batchnorm_eval_forward(x, scale, beta - self.buffers["running_mean"] * scale)
            y = x * scale
            y += beta - self.buffers["running_mean"] * scale
            return y
        if self.reduce is not None:
            return self._forward_reduced(x)
        n = x.shape[0]
        if n < 2:
            raise ShapeError(f"{self.name}: training needs a batch of at least 2 rows, got {n}")
        mean = x.mean(axis=0)
        xhat = x - mean
        y = xhat * xhat
        var = y.mean(axis=0)
        return self._normalize(xhat, y, mean, var, n)

    def _normalize(self, xhat, y, mean, var, n):
        """x̂ = (x - μ)/√(σ² + ε) in ``xhat``, y = γ x̂ + β in ``y``; the running statistics."""
        gamma, beta = self.params["gamma"], self.params["beta"]
        xp = array_module(xhat)
        self.inv_std = 1 / xp.sqrt(var + self.eps)
        xhat *= self.inv_std
        self.xhat = xhat
        xp.multiply(xhat, gamma, out=y)
        y += beta
        self.update_running_statistics(mean, var, n)
        return y

    def update_running_statistics(self, mean, var, n):
        """running ← (1 - m) running + m batch, the variance unbiased (× n/(n-1))."""
        m = self.momentum
        running_mean, running_var = self.buffers["running_mean"], self.buffers["running_var"]
        running_mean *= 1 - m
        running_mean += m * mean
        running_var *= 1 - m
        running_var += (m * n / (n - 1)) * var

    def uses_kernel(self, x) -> bool:
        if not kernels.fused():
            return False
        from mlplab.kernels.eligibility import takes

        return takes(x, self.params["gamma"], self.params["beta"])

    def fused_forward(self, x):
        """Training forward with the kernels; the running statistics as ``forward``'s."""
        from mlplab.kernels.batchnorm import batchnorm_train_forward

        n = x.shape[0]
        if n < 2:
            raise ShapeError(f"{self.name}: training needs a batch of at least 2 rows, got {n}")
        gamma, beta = self.params["gamma"], self.params["beta"]
        y, self.xhat, mean, var, self.inv_std = batchnorm_train_forward(x, gamma, beta, self.eps)
        self.update_running_statistics(mean, var, n)
        return y

    def _forward_reduced(self, x):
        """The training forward over the global batch: μ = Σx/N, then σ² = Σ(x - μ)²/N, each
        sum (and N) over every rank's rows."""
        xp = array_module(x)
        sums = xp.concatenate([x.sum(axis=0), xp.asarray([x.shape[0]], x.dtype)])
        self.reduce(sums)
        n = int(sums[-1])
        if n < 2:
            raise ShapeError(f"{self.name}: training needs a batch of at least 2 rows, got {n}")
        mean = sums[:-1] / n
        xhat = x - mean
        y = xhat * xhat
        squares = y.sum(axis=0)
        self.reduce(squares)
        self.n_global = n
        return self._normalize(xhat, y, mean, squares / n, n)

    def backward(self, dy):
        if self.fused:
            from mlplab.kernels.batchnorm import batchnorm_train_backward

            return batchnorm_train_backward(
                dy,
                self.xhat,
                self.params["gamma"],
                self.inv_std,
                self.grads["gamma"],
                self.grads["beta"],
                self.needs_input_grad,
            )
        xp = array_module(dy)
        dgamma, dbeta = self.grads["gamma"], self.grads["beta"]
        dy.sum(axis=0, out=dbeta)
        if not self.training:
            xhat = self.x - self.buffers["running_mean"]
            xhat *= self.inv_std
            xhat *= dy
            xhat.sum(axis=0, out=dgamma)
            if not self.needs_input_grad:
                return None
            return dy * (self.params["gamma"] * self.inv_std)
        tmp = dy * self.xhat
        tmp.sum(axis=0, out=dgamma)
        if not self.needs_input_grad:
            return None
        n = dy.shape[0]
        if self.reduce is not None:  # Σ dy and Σ(dy x̂) of the global batch; grads stay local
            sums = xp.concatenate([dbeta, dgamma])
            self.reduce(sums)
            n, dbeta, dgamma = self.n_global, sums[: len(dbeta)], sums[len(dbeta) :]
        xp.multiply(self.xhat, dgamma, out=tmp)
        dx = dy * n
        dx -= dbeta
        dx -= tmp
        dx *= (self.params["gamma"] * self.inv_std) / n
        return dx

    def get_config(self):
        return {"num_features": self.num_features, "momentum": self.momentum, "eps": self.eps}
