"""Widrow and Hoff's Adaline: a linear unit trained by the delta (LMS) rule."""

import numpy as np

from mlplab.classic.fitted import check_fitted, features
from mlplab.data.validation import check_labels
from mlplab.errors import ConfigError, DivergenceError, ShapeError


class Adaline:
    """ADAptive LINear Element [Widrow & Hoff, 1960], trained with the delta (LMS) rule.

    The unit is linear, o = w · x + b, and learns from the error before any threshold:

        online (one example p at a time):  Δw = α (t_p − o_p) x_p
        batch (all N examples at once):    Δw = (α/N) Σ_p (t_p − o_p) x_p

    Why it is gradient descent [Rumelhart, Hinton & Williams, 1986]: with
    E_p = ½ Σ_j (t_pj − o_pj)² and o_pj = Σ_i w_ji i_pi, the chain rule gives
    ∂E_p/∂w_ji = ∂E_p/∂o_pj · ∂o_pj/∂w_ji = −(t_pj − o_pj) · i_pi = −δ_pj i_pi, so the online
    step is α times −∇E_p and the batch step is (α/N) times −∇E for E = Σ_p E_p. E is a convex
    quadratic, so batch descent with α below 2 / λ_max((1/N) X̃ᵀX̃) (X̃ = [X, 1]) reaches its unique
    minimum: the least-squares solution. Online LMS with a fixed α hovers around it unless the
    targets are exactly linear in x.

    Shapes: x (N, D), t (N,) or (N, K), W (D, K), b (K,).
    """

    def __init__(
        self,
        lr: float = 0.01,
        epochs: int = 100,
        mode: str = "online",
        shuffle: bool = True,
        seed: int = 0,
    ):
        if not lr > 0:
            raise ConfigError(f"adaline: the learning rate must be positive, got {lr}")
        if int(epochs) < 1:
            raise ConfigError(f"adaline: epochs must be at least 1, got {epochs}")
        if mode not in ("online", "batch"):
            raise ConfigError(f"adaline: mode must be 'online' or 'batch', got {mode!r}")
        self.lr = float(lr)
        self.epochs = int(epochs)
        self.mode = mode
        self.shuffle = bool(shuffle)
        self.seed = seed

    def fit(self, x, t):
        """Train from zero weights for ``epochs`` passes; ``errors_`` holds E after each one."""
        x = features("adaline", x)
        t = self._check_targets(t, len(x))
        self._single_output = t.ndim == 1
        t = t.reshape(len(x), -1)
        self.W = np.zeros((x.shape[1], t.shape[1]))
        self.b = np.zeros(t.shape[1])
        rng = np.random.default_rng(self.seed)
        self.errors_ = []
        for epoch in range(self.epochs):
            if self.mode == "batch":
                dW, db = self.delta_rule(x, t)
                self.W += (self.lr / len(x)) * dW
                self.b += (self.lr / len(x)) * db
            else:
                order = rng.permutation(len(x)) if self.shuffle else range(len(x))
                for p in order:
                    self.update(x[p], t[p])
            with np.errstate(over="ignore", invalid="ignore"):
                error = self.error(x, t)
            if not np.isfinite(error):
                raise DivergenceError(
                    f"adaline: the squared error became {error} in epoch {epoch + 1}; "
                    f"the learning rate {self.lr:g} is too high"
                )
            self.errors_.append(error)
        return self

    def update(self, x, t):
        """One online step on one example x (D,) with targets t (K,); returns δ = t − o."""
        delta = t - (x @ self.W + self.b)
        self.W += self.lr * np.outer(x, delta)
        self.b += self.lr * delta
        return delta

    def delta_rule(self, x, t):
        """(Σ_p δ_p x_pᵀ, Σ_p δ_p) with δ_p = t_p − o_p: minus the gradient of E (dW, db)."""
        delta = t.reshape(len(x), -1) - (x @ self.W + self.b)
        return x.T @ delta, delta.sum(axis=0)

    def error(self, x, t) -> float:
        """E = ½ Σ_p Σ_j (t_pj − o_pj)²."""
        residual = t.reshape(len(x), -1) - (x @ self.W + self.b)
        return 0.5 * float((residual * residual).sum())

    def predict(self, x):
        """The linear output o = x W + b: (N,) for one target, else (N, K)."""
        check_fitted("adaline", self)
        x = features("adaline", x, self.W.shape[0])
        out = x @ self.W + self.b
        return out[:, 0] if self._single_output else out

    def _check_targets(self, t, n_samples):
        t = np.asarray(t, dtype=np.float64)
        if t.ndim not in (1, 2) or t.shape[0] != n_samples:
            raise ShapeError(
                f"adaline: expected targets of shape ({n_samples},) or ({n_samples}, K), "
                f"got {t.shape}"
            )
        return check_labels(t, "adaline targets", dtype=np.float64)
