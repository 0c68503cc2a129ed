"""The lecture's centering for images ("in practice for images: center only"): subtract the mean
image (AlexNet) or the per-channel mean (VGGNet).

Input: images (N, H, W, C), or flattened (N, H·W·C) with ``image_shape=(H, W, C)`` given; the
output has the input's shape. An ``image_shape`` of (H, W) means one channel.
"""

import numpy as np

from mlplab.data.preprocessing.base import Preprocessor
from mlplab.data.preprocessing.moments import column_mean
from mlplab.data.validation import check_features
from mlplab.errors import ConfigError, ShapeError


class _ImageCentering(Preprocessor):
    def __init__(self, image_shape=None):
        self.image_shape = image_shape

    def _validate(self, X, fitting=False):
        """Flatten images to (N, D) (a view), checking them against ``image_shape``."""
        x = X if isinstance(X, np.ndarray) or hasattr(X, "tocsr") else np.asarray(X)
        if x.ndim > 2:
            shape = tuple(x.shape[1:]) if x.ndim == 4 else (*x.shape[1:], 1)
            if self.image_shape is not None and shape != self._shape():
                expected = ", ".join(map(str, self._shape()))
                raise ShapeError(
                    f"{self.name}: expected images of shape (N, {expected}), got {x.shape}"
                )
            if fitting:
                self.fitted_image_shape_ = list(shape)
            x = x.reshape(len(x), -1)
        elif fitting:
            if self.image_shape is None:
                raise ConfigError(
                    f"{self.name}: flattened input {x.shape} needs image_shape=(H, W, C)"
                )
            if int(np.prod(self._shape())) != x.shape[1]:
                raise ShapeError(
                    f"{self.name}: image_shape {self._shape()} does not hold {x.shape[1]} features"
                )
            self.fitted_image_shape_ = list(self._shape())
        expected = None if fitting else self.n_features_in_
        return check_features(x, self.name, expected, expected_by=type(self).__name__)

    def _shape(self):
        shape = tuple(int(s) for s in self.image_shape)
        return shape if len(shape) == 3 else (*shape, 1)

    def _restore(self, out, like):
        out = super()._restore(out, like)
        return out.reshape(np.shape(like)) if np.ndim(like) > 2 else out

    def _images(self, x):
        return x.reshape(len(x), *self.fitted_image_shape_)


class MeanImage(_ImageCentering):
    """x ↦ x - mean image, the mean over training examples of each pixel and channel.
    Fitted: ``mean_image_`` (H, W, C)."""

    name = "mean_image"
    fitted_arrays = ("mean_image_",)
    fitted_scalars = ("fitted_image_shape_",)

    def _fit(self, x):
        self.mean_image_ = column_mean(x).reshape(self.fitted_image_shape_)

    def _transform(self, x):
        return x - self.mean_image_.reshape(-1)

    def _inverse_transform(self, z):
        return z + self.mean_image_.reshape(-1)


class PerChannelMean(_ImageCentering):
    """x ↦ x - m_c, m_c the mean of channel c over all training pixels and examples.
    Fitted: ``channel_mean_`` (C,)."""

    name = "per_channel_mean"
    fitted_arrays = ("channel_mean_",)
    fitted_scalars = ("fitted_image_shape_",)

    def _fit(self, x):
        channels = self.fitted_image_shape_[-1]
        pixels = column_mean(x).reshape(-1, channels)
        self.channel_mean_ = pixels.mean(axis=0)

    def _transform(self, x):
        return (self._images(x) - self.channel_mean_).reshape(len(x), -1)

    def _inverse_transform(self, z):
        return (self._images(z) + self.channel_mean_).reshape(len(z), -1)
