"""Widrow and Hoff's Madaline: many Adalines voting through a fixed logic unit, trained by MRI."""

import numpy as np

from mlplab.classic._error_correction import train_until_no_mistakes
from mlplab.classic.fitted import check_fitted, class_indices, features
from mlplab.errors import ConfigError, LabelError

#: the fixed output unit: ±1 outputs of the Adalines (N, M) -> ±1 decision (N,)
LOGIC = {
    "or": lambda s: np.where((s > 0).any(axis=-1), 1.0, -1.0),
    "and": lambda s: np.where((s > 0).all(axis=-1), 1.0, -1.0),
    "majority": lambda s: np.where(s.sum(axis=-1) > 0, 1.0, -1.0),
}


class Madaline:
    """Many ADALINEs [Widrow & Hoff, 1960; Widrow, 1962], trained by Madaline Rule I (MRI).

    M Adalines compute net inputs s_m = w_m · x + b_m and fire q_m = sign(s_m) ∈ {−1, +1}; a fixed
    logic unit (OR, AND or majority; a majority tie is −1) turns q into the output y. Only the
    Adalines learn. MRI, the principle of minimal disturbance [Widrow & Lehr, "30 years of
    adaptive neural networks: perceptron, Madaline, and backpropagation", Proc. IEEE 78(9), 1990]:
    when y is right nothing changes; when it is wrong, flip as few Adalines as will correct y —
    those whose q disagrees with the target d, the one(s) with s_m closest to zero first — and
    adapt each by the α-LMS rule toward its new sign:

        w_m ← w_m + α (d − s_m) x̃ / ‖x̃‖²,   x̃ = (x, 1) (the bias is the weight on 1).

    With α = 1 one step puts s_m exactly on d; 0 < α < 2 keeps each step stable. Weights start
    small and random (``init_scale``), so the Adalines differ; two Adalines and an OR unit can
    carve XOR, which no single Adaline can.

    Two classes only: the second (sorted) class is d = +1. Shapes: x (N, D), W (D, M), b (M,).
    """

    def __init__(
        self,
        n_adalines: int = 2,
        logic: str = "or",
        lr: float = 0.5,
        epochs: int = 100,
        init_scale: float = 0.1,
        shuffle: bool = True,
        seed: int = 0,
    ):
        if int(n_adalines) < 1:
            raise ConfigError(f"madaline: n_adalines must be at least 1, got {n_adalines}")
        if logic not in LOGIC:
            raise ConfigError(f"madaline: logic must be one of {sorted(LOGIC)}, got {logic!r}")
        if not 0 < lr < 2:
            raise ConfigError(f"madaline: α-LMS needs a learning rate in (0, 2), got {lr}")
        if int(epochs) < 1:
            raise ConfigError(f"madaline: epochs must be at least 1, got {epochs}")
        if not init_scale >= 0:
            raise ConfigError(f"madaline: init_scale must be non-negative, got {init_scale}")
        self.n_adalines = int(n_adalines)
        self.logic = logic
        self.lr = float(lr)
        self.epochs = int(epochs)
        self.init_scale = float(init_scale)
        self.shuffle = bool(shuffle)
        self.seed = seed

    def fit(self, x, y):
        """Train from small random weights; stop after the first epoch without a mistake.

        Sets ``classes_``, ``W``, ``b``, ``mistakes_`` (examples wrong in each epoch, counted
        while training) and ``converged_``.
        """
        x = features("madaline", x)
        self.classes_, index = class_indices("madaline", y, len(x))
        if len(self.classes_) != 2:
            raise LabelError(
                f"madaline: one logic output separates 2 classes, got {len(self.classes_)}"
            )
        targets = np.where(index == 1, 1.0, -1.0)
        rng = np.random.default_rng(self.seed)
        self.W = self.init_scale * rng.standard_normal((x.shape[1], self.n_adalines))
        self.b = self.init_scale * rng.standard_normal(self.n_adalines)
        train_until_no_mistakes(self, x, targets, rng)
        return self

    def update(self, x, d) -> bool:
        """One MRI step on one example x (D,) with target d ∈ {−1, +1}; returns whether the
        output was wrong (and so whether any Adaline was adapted)."""
        s = x @ self.W + self.b
        if LOGIC[self.logic](np.where(s > 0, 1.0, -1.0)) == d:
            return False
        augmented_norm = float(x @ x) + 1.0
        for m in self.adalines_to_flip(s, d):
            step = self.lr * (d - s[m]) / augmented_norm
            self.W[:, m] += step * x
            self.b[m] += step
        return True

    def adalines_to_flip(self, s, d) -> np.ndarray:
        """Minimal disturbance: the fewest Adalines, closest to zero first, whose flip to sign d
        makes the logic unit output d. s (M,) net inputs, d ∈ {−1, +1}."""
        wrong = np.flatnonzero(np.where(s > 0, 1.0, -1.0) != d)
        wrong = wrong[np.argsort(np.abs(s[wrong]), kind="stable")]
        if self.logic == "or":
            needed = 1 if d > 0 else len(wrong)
        elif self.logic == "and":
            needed = len(wrong) if d > 0 else 1
        else:
            agree = self.n_adalines - len(wrong)
            majority = self.n_adalines // 2 + 1 if d > 0 else (self.n_adalines + 1) // 2
            needed = max(majority - agree, 0)
        return wrong[:needed]

    def net_inputs(self, x):
        """s = x W + b of every Adaline, (N, M)."""
        check_fitted("madaline", self)
        x = features("madaline", x, self.W.shape[0])
        return x @ self.W + self.b

    def predict(self, x):
        """The class of each row: the logic unit over the Adalines' signs."""
        fired = np.where(self.net_inputs(x) > 0, 1.0, -1.0)
        return self.classes_[(LOGIC[self.logic](fired) > 0).astype(int)]

    def score(self, x, y) -> float:
        """Accuracy on (x, y)."""
        return float(np.mean(self.predict(x) == np.asarray(y)))
