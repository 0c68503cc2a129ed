"""Zero-centering: subtract the training mean of every feature (the lecture's
``X -= np.mean(X, axis=0)``)."""

from mlplab.data.preprocessing.base import Preprocessor
from mlplab.data.preprocessing.moments import column_mean


class ZeroCenter(Preprocessor):
    """x ↦ x - μ, μ the per-feature mean of the training data. Shapes: (N, D) -> (N, D)."""

    name = "center"
    fitted_arrays = ("mean_",)

    def _fit(self, x):
        self.mean_ = column_mean(x)

    def _transform(self, x):
        return x - self.mean_

    def _inverse_transform(self, z):
        return z + self.mean_
