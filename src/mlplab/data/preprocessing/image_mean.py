"""The lecture's centering for images ("in practice for images: center only"): subtract the mean
image (AlexNet) or the per-channel mean (VGGNet).

Input: images (N, H, W, C), or flattened (N, H·W·C) with ``image_shape=(H, W, C)`` given; the
output has the input's shape. An ``image_shape`` of (H, W) means one channel; one size may be
-1, inferred from the width as in ``numpy.reshape`` (``(-1, 1)``: any number of one-channel
pixels). ``MeanImage`` needs no shape for flattened rows (the mean image of the rows is their
column mean whatever the layout); ``PerChannelMean`` does, since the channels are unknown.
"""

import numpy as np

from mlplab.data.preprocessing.base import Preprocessor
from mlplab.data.preprocessing.moments import column_mean
from mlplab.data.validation import check_features
from mlplab.errors import ConfigError, ShapeError


class _ImageCentering(Preprocessor):
    #: the image shape assumed for flattened rows when ``image_shape`` is None (None: refuse).
    flat_shape = None

    def __init__(self, image_shape=None):
        self.image_shape = image_shape

    def _validate(self, X, fitting=False):
        """Flatten images to (N, D) (a view), checking them against ``image_shape``."""
        x = X if isinstance(X, np.ndarray) or hasattr(X, "tocsr") else np.asarray(X)
        shape = None
        if x.ndim > 2:
            shape = tuple(x.shape[1:]) if x.ndim == 4 else (*x.shape[1:], 1)
            if self.image_shape is not None and self._resolve(int(np.prod(shape))) != shape:
                expected = ", ".join(map(str, self._declared()))
                raise ShapeError(
                    f"{self.name}: expected images of shape (N, {expected}), got {x.shape}"
                )
            x = x.reshape(len(x), -1)
        elif fitting and self.image_shape is None and self.flat_shape is None:
            raise ConfigError(f"{self.name}: flattened input {x.shape} needs image_shape=(H, W, C)")
        expected = None if fitting else self.n_features_in_
        x = check_features(x, self.name, expected, expected_by=type(self).__name__)
        self._check_names(X if hasattr(X, "columns") else x, fitting)
        if fitting:
            self.fitted_image_shape_ = list(shape or self._resolve(x.shape[1]))
        return x

    def _declared(self):
        """``image_shape`` (or ``flat_shape``) as (H, W, C); (H, W) means one channel."""
        given = self.flat_shape if self.image_shape is None else self.image_shape
        shape = tuple(int(s) for s in given)
        return shape if len(shape) == 3 else (*shape, 1)

    def _resolve(self, features: int):
        """The declared shape with its -1 (if any) inferred from ``features``, as a reshape."""
        shape = self._declared()
        known = int(np.prod([s for s in shape if s != -1]))
        if -1 in shape and known > 0 and features % known == 0:
            shape = tuple(features // known if s == -1 else s for s in shape)
        if int(np.prod(shape)) != features:
            raise ShapeError(
                f"{self.name}: image_shape {self._declared()} does not hold {features} features"
            )
        return shape

    def _restore(self, out, like):
        out = super()._restore(out, like)
        shape = np.asarray(like).shape  # (not np.shape: array-likes may refuse dispatch)
        return out.reshape(shape) if len(shape) > 2 else out

    def _images(self, x):
        return x.reshape(len(x), *self.fitted_image_shape_)


class MeanImage(_ImageCentering):
    """x ↦ x - mean image, the mean over training examples of each pixel and channel.
    Fitted: ``mean_image_`` (H, W, C)."""

    name = "mean_image"
    flat_shape = (-1, 1)
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
