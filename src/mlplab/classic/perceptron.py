"""Rosenblatt's perceptron: threshold units trained by error correction."""

import numpy as np

from mlplab.classic._error_correction import train_until_no_mistakes
from mlplab.classic.fitted import check_fitted, class_indices, features
from mlplab.errors import ConfigError


class Perceptron:
    """Rosenblatt's perceptron [Rosenblatt, 1958; the Mark I machine, 1957].

    Each unit k fires y_k = 1 if w_k · x + b_k > 0, else 0. After every example j the weights move
    by the error-correction rule

        w_i(t+1) = w_i(t) + α (d_j − y_j(t)) x_{j,i},    b(t+1) = b(t) + α (d_j − y_j(t)),

    so nothing changes when the unit is right, and the example is added to (or subtracted from)
    the weights when it is wrong. Two classes use one unit (d = 1 for the second class); more use
    one unit per class, one-vs-rest (d_k = 1 for class k only), and predict the class whose unit
    has the largest w_k · x + b_k.

    Convergence [Novikoff, 1962]: if some unit vector (w*, b*) separates the data with margin
    γ = min_j ±(w* · x_j + b*) and R = max_j ‖(x_j, 1)‖, a unit starting from zero makes at most
    (R/γ)² mistakes, whatever α > 0 — so it stops changing after at most (R/γ)² + 1 epochs. On
    data no hyperplane separates (XOR) every epoch has a mistake and it never stops.

    Shapes: x (N, D), W (D, K), b (K,); K = 1 for two classes, else the number of classes.
    """

    def __init__(self, lr: float = 1.0, epochs: int = 100, shuffle: bool = True, seed: int = 0):
        if not lr > 0:
            raise ConfigError(f"perceptron: the learning rate must be positive, got {lr}")
        if int(epochs) < 1:
            raise ConfigError(f"perceptron: epochs must be at least 1, got {epochs}")
        self.lr = float(lr)
        self.epochs = int(epochs)
        self.shuffle = bool(shuffle)
        self.seed = seed

    def fit(self, x, y):
        """Train from zero weights; stop after the first epoch without a mistake.

        Sets ``classes_``, ``W``, ``b``, ``mistakes_`` (examples misclassified in each epoch,
        counted while training) and ``converged_``.
        """
        x = features("perceptron", x)
        self.classes_, index = class_indices("perceptron", y, len(x))
        n_units = 1 if len(self.classes_) == 2 else len(self.classes_)
        targets = index[:, None].astype(np.float64) if n_units == 1 else np.eye(n_units)[index]
        self.W = np.zeros((x.shape[1], n_units))
        self.b = np.zeros(n_units)
        rng = np.random.default_rng(self.seed)
        train_until_no_mistakes(self, x, targets, rng)
        return self

    def update(self, x, d) -> bool:
        """One step of the rule on one example x (D,) with desired outputs d (K,) in {0, 1}.

        Returns whether any unit was wrong (and so whether the weights changed).
        """
        fired = (x @ self.W + self.b > 0).astype(np.float64)
        error = d - fired
        if not error.any():
            return False
        self.W += self.lr * np.outer(x, error)
        self.b += self.lr * error
        return True

    def decision_function(self, x):
        """w · x + b per unit: (N,) for two classes, else (N, K)."""
        check_fitted("perceptron", self)
        x = features("perceptron", x, self.W.shape[0])
        scores = x @ self.W + self.b
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict(self, x):
        """The class of each row: the step for two classes, the strongest unit for more."""
        scores = self.decision_function(x)
        index = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]

    def score(self, x, y) -> float:
        """Accuracy on (x, y)."""
        return float(np.mean(self.predict(x) == np.asarray(y)))
