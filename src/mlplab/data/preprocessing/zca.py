"""ZCA whitening (Bell & Sejnowski, "The 'independent components' of natural scenes are edge
filters", 1997): whiten, then rotate back to the original axes.

    W = U diag(1 / √(λ + ε)) Uᵀ,   x ↦ (x - μ) W

W is symmetric; among all whitening matrices it keeps the result closest to the input.
"""

import numpy as np

from mlplab.data.preprocessing.base import Preprocessor
from mlplab.data.preprocessing.moments import column_mean, covariance, eigen_decomposition


class ZCAWhitening(Preprocessor):
    """Fitted: ``mean_`` (D,), ``whitening_`` W (D, D), ``coloring_`` W⁻¹ (D, D).
    Shapes: (N, D) -> (N, D)."""

    name = "zca"
    fitted_arrays = ("mean_", "whitening_", "coloring_")

    def __init__(self, eps=1e-5):
        self.eps = eps

    def min_samples(self):
        return 2

    def _fit(self, x):
        self.mean_ = column_mean(x)
        values, vectors = eigen_decomposition(covariance(x, self.mean_))
        scale = np.sqrt(values + self.eps)
        self.whitening_ = (vectors / scale) @ vectors.T
        self.coloring_ = (vectors * scale) @ vectors.T

    def _transform(self, x):
        return (x - self.mean_) @ self.whitening_

    def _inverse_transform(self, z):
        return z @ self.coloring_ + self.mean_
