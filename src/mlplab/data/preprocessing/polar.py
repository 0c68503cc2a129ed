"""The lecture's feature transform f(x, y) = (r(x, y), θ(x, y)): points in the plane to polar
coordinates, after which the red and blue ``circles`` are separated by a line (r = const)."""

import numpy as np

from mlplab.data.preprocessing.base import Preprocessor
from mlplab.errors import ShapeError


class PolarTransform(Preprocessor):
    """(x, y) ↦ (r, θ) with r = √(x² + y²), θ = atan2(y, x) ∈ (-π, π]; inverse (r cos θ, r sin θ).

    Stateless (``fit`` only records the width, which must be 2). Shapes: (N, 2) -> (N, 2).
    """

    name = "polar"

    def _fit(self, x):
        if x.shape[1] != 2:
            raise ShapeError(f"polar: expected points of shape (N, 2), got {x.shape}")

    def _transform(self, x):
        return np.column_stack([np.hypot(x[:, 0], x[:, 1]), np.arctan2(x[:, 1], x[:, 0])])

    def _inverse_transform(self, z):
        return np.column_stack([z[:, 0] * np.cos(z[:, 1]), z[:, 0] * np.sin(z[:, 1])])
