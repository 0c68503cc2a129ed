"""Preprocessing steps by name (``PREPROCESSORS``) and from spec strings such as ``"pca:0.99"``.

Spec grammar: ``NAME`` or ``NAME:ARG``; the argument is the number of components or variance
fraction for ``pca`` and ``pca_whiten``, ε for ``zca``.
"""

from mlplab.data.preprocessing.centering import ZeroCenter
from mlplab.data.preprocessing.image_mean import MeanImage, PerChannelMean
from mlplab.data.preprocessing.pca import PCA
from mlplab.data.preprocessing.polar import PolarTransform
from mlplab.data.preprocessing.standardize import Standardize
from mlplab.data.preprocessing.zca import ZCAWhitening
from mlplab.errors import ConfigError
from mlplab.registry import Registry

PREPROCESSORS = Registry("preprocessing step")
PREPROCESSORS.register("center", "zero_center", "zero-center", "centre")(ZeroCenter)
PREPROCESSORS.register("standardize", "normalize", "standardise", "normalise")(Standardize)
PREPROCESSORS.register("pca")(PCA)
PREPROCESSORS.register("zca", "zca_whiten", "zca_whitening")(ZCAWhitening)
PREPROCESSORS.register("mean_image", "mean-image")(MeanImage)
PREPROCESSORS.register("per_channel_mean", "channel_mean", "per-channel-mean")(PerChannelMean)
PREPROCESSORS.register("polar")(PolarTransform)

WHITEN_NAMES = ("pca_whiten", "pca_whitening", "pca-whiten", "whiten")
IMAGE_STEPS = (MeanImage, PerChannelMean)


def make_preprocessor(spec: str, feature_shape=None):
    """An unfitted step from ``NAME[:ARG]``; image steps get ``image_shape=feature_shape``."""
    name, _, arg = str(spec).strip().partition(":")
    whiten = name.lower() in WHITEN_NAMES
    cls = PCA if whiten else PREPROCESSORS.get(name)
    if cls in IMAGE_STEPS:
        if arg:
            raise ConfigError(f"preprocessing {spec!r}: {name} takes no argument")
        if feature_shape is None or len(feature_shape) < 2:
            raise ConfigError(
                f"preprocessing {spec!r}: needs images; the data's feature shape is "
                f"{tuple(feature_shape) if feature_shape else 'unknown'}, not (H, W[, C])"
            )
        return cls(image_shape=tuple(feature_shape))
    if cls is PCA:
        return PCA(n_components=_number(spec, arg) if arg else None, whiten=whiten)
    if cls is ZCAWhitening:
        return ZCAWhitening(eps=float(_number(spec, arg))) if arg else ZCAWhitening()
    if arg:
        raise ConfigError(f"preprocessing {spec!r}: {name} takes no argument")
    return cls()


def step_class(name: str):
    """The class whose ``to_state`` wrote ``name``."""
    return PREPROCESSORS.get(name)


def _number(spec, text):
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            raise ConfigError(f"preprocessing {spec!r}: {text!r} is not a number") from None
