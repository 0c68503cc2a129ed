"""The lecture's data preprocessing: zero-centering, standardization, PCA, PCA and ZCA whitening,
mean-image and per-channel-mean subtraction, and the polar feature transform.

Each step is a scikit-learn transformer fitted on training data only, and saves to plain arrays
+ JSON (``to_state`` / ``from_state``).
"""

from mlplab.data.preprocessing.centering import ZeroCenter
from mlplab.data.preprocessing.chain import Preprocessing
from mlplab.data.preprocessing.image_mean import MeanImage, PerChannelMean
from mlplab.data.preprocessing.pca import PCA
from mlplab.data.preprocessing.polar import PolarTransform
from mlplab.data.preprocessing.registry import PREPROCESSORS, make_preprocessor
from mlplab.data.preprocessing.standardize import Standardize
from mlplab.data.preprocessing.zca import ZCAWhitening

__all__ = [
    "PCA",
    "PREPROCESSORS",
    "MeanImage",
    "PerChannelMean",
    "PolarTransform",
    "Preprocessing",
    "Standardize",
    "ZCAWhitening",
    "ZeroCenter",
    "make_preprocessor",
]
