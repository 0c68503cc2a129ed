"""The lecture's feature transform f(x, y) = (r(x, y), θ(x, y)): points in the plane to polar
coordinates, after which the red and blue ``circles`` are separated by a line (r = const)."""

import numpy as np

from mlplab.data.preprocessing.base import Preprocessor
from mlplab.errors import ConfigError, ShapeError


class PolarTransform(Preprocessor):
    """(x, y) ↦ (r, θ) with r = √(x² + y²), θ = atan2(y, x) ∈ (-π, π]; inverse (r cos θ, r sin θ).

    ``columns=None``: the input is points (N, 2). ``columns=(i, j)``: columns i and j of a wider
    table hold (x, y) and become (r, θ) in place; the other columns pass through unchanged.
    Stateless (``fit`` only records the width). Shapes: (N, D) -> (N, D).
    """

    name = "polar"

    def __init__(self, columns=None):
        self.columns = columns

    def _columns(self):
        if self.columns is None:
            return 0, 1
        try:
            first, second = (int(c) for c in self.columns)
        except (TypeError, ValueError):
            raise ConfigError(
                f"polar: columns must be two column indices (i, j), got {self.columns!r}"
            ) from None
        if first == second or min(first, second) < 0:
            raise ConfigError(
                f"polar: columns must be two distinct indices >= 0, got {self.columns!r}"
            )
        return first, second

    def _fit(self, x):
        if self.columns is None and x.shape[1] != 2:
            raise ShapeError(f"polar: expected points of shape (N, 2), got {x.shape}")
        needed = max(self._columns()) + 1
        if x.shape[1] < needed:
            raise ShapeError(
                f"polar: columns {tuple(self.columns)} need at least {needed} features, got "
                f"{x.shape[1]} feature(s) (shape {x.shape})"
            )

    def _transform(self, x):
        i, j = self._columns()
        out = x.copy()
        out[:, i], out[:, j] = np.hypot(x[:, i], x[:, j]), np.arctan2(x[:, j], x[:, i])
        return out

    def _inverse_transform(self, z):
        i, j = self._columns()
        out = z.copy()
        out[:, i], out[:, j] = z[:, i] * np.cos(z[:, j]), z[:, i] * np.sin(z[:, j])
        return out

    def get_feature_names_out(self, input_features=None):
        """The input names, with the (x, y) pair named ``r`` and ``theta``."""
        names = super().get_feature_names_out(input_features).astype(object)
        i, j = self._columns()
        names[i], names[j] = "r", "theta"
        return names
