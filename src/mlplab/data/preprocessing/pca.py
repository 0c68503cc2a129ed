"""PCA and PCA whitening, as in the lecture:

    cov = Xᵀ X / (N - 1);  U, S = eig(cov);  X_rot = X U[:, :k];  X_white = X_rot / √(S + ε)

(with X centered). k is a number of components or the fraction of the variance to keep.
"""

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin

from mlplab.data.preprocessing.base import Preprocessor
from mlplab.data.preprocessing.moments import column_mean, covariance, eigen_decomposition
from mlplab.errors import ConfigError


class PCA(ClassNamePrefixFeaturesOutMixin, Preprocessor):
    """Project onto the top principal components; with ``whiten`` also divide each by √(λ + ε).

    ``n_components``: None (all), an int k ≥ 1, or a float in (0, 1): the fewest components whose
    explained variance reaches that fraction. Fitted: ``mean_`` (D,), ``components_`` (k, D),
    ``explained_variance_`` (k,), ``explained_variance_ratio_`` (k,). Shapes: (N, D) -> (N, k).
    Output names: ``pca0`` .. ``pca{k-1}``.
    """

    name = "pca"
    fitted_arrays = ("mean_", "components_", "explained_variance_", "explained_variance_ratio_")
    fitted_scalars = ("n_components_",)

    def __init__(self, n_components=None, whiten=False, eps=1e-5):
        self.n_components = n_components
        self.whiten = whiten
        self.eps = eps

    def min_samples(self):
        return 2

    def output_features(self):
        return self.n_components_

    @property
    def _n_features_out(self):
        return self.n_components_

    def _fit(self, x):
        self.mean_ = column_mean(x)
        values, vectors = eigen_decomposition(covariance(x, self.mean_))
        k = self._component_count(values, x.shape[1])
        total = values.sum()
        self.n_components_ = k
        self.components_ = np.ascontiguousarray(vectors[:, :k].T)
        self.explained_variance_ = values[:k]
        self.explained_variance_ratio_ = values[:k] / total if total > 0 else np.zeros(k)

    def _component_count(self, values, n_features):
        k = self.n_components
        if k is None:
            return n_features
        if isinstance(k, float) and 0 < k < 1:
            ratio = np.cumsum(values) / values.sum() if values.sum() > 0 else np.ones_like(values)
            return int(np.searchsorted(ratio, k - 1e-12) + 1)
        if isinstance(k, (int, np.integer)) and 1 <= k <= n_features:
            return int(k)
        raise ConfigError(
            f"{self.name}: n_components must be an integer 1..{n_features} or a fraction in "
            f"(0, 1), got {k!r}"
        )

    def _scale(self):
        return np.sqrt(self.explained_variance_ + self.eps)

    def _transform(self, x):
        z = (x - self.mean_) @ self.components_.T
        return z / self._scale() if self.whiten else z

    def _inverse_transform(self, z):
        if self.whiten:
            z = z * self._scale()
        return z @ self.components_ + self.mean_
