"""Standardization, the lecture's "normalize": zero mean and unit variance per feature
(``X /= np.std(X, axis=0)`` after centering)."""

import numpy as np

from mlplab.data.preprocessing.base import Preprocessor
from mlplab.data.preprocessing.moments import column_mean, column_variance


class Standardize(Preprocessor):
    """x ↦ (x - μ) / σ with the training mean μ and standard deviation σ (divisor N, as
    scikit-learn's ``StandardScaler``); a constant feature keeps σ = 1. Shapes: (N, D) -> (N, D).
    """

    name = "standardize"
    fitted_arrays = ("mean_", "scale_")

    def _fit(self, x):
        self.mean_ = column_mean(x)
        std = np.sqrt(column_variance(x, self.mean_))
        self.scale_ = np.where(std > 1e-12 * np.maximum(np.abs(self.mean_), 1.0), std, 1.0)

    def _transform(self, x):
        return (x - self.mean_) / self.scale_

    def _inverse_transform(self, z):
        return z * self.scale_ + self.mean_
