"""Data: built-in datasets, loaders for the real file formats, label encoding, preprocessing.

``load_data(spec)`` takes a built-in name (``DATASETS``) or a path and returns a ``Dataset`` with
training, validation and test splits and the label mapping. The preprocessing steps (which
import scikit-learn) load on first use.
"""

from mlplab.data.builtin import DATASETS
from mlplab.data.dataset import Dataset
from mlplab.data.features import load_features
from mlplab.data.from_arrays import dataset_from_arrays
from mlplab.data.labels import LabelEncoder
from mlplab.data.load import load_data
from mlplab.data.validation import check_features

PREPROCESSING_NAMES = (
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
)

__all__ = [
    "DATASETS",
    "Dataset",
    "LabelEncoder",
    "check_features",
    "dataset_from_arrays",
    "load_data",
    "load_features",
    *PREPROCESSING_NAMES,
]


def __getattr__(name):
    if name in PREPROCESSING_NAMES:
        from mlplab.data import preprocessing

        return getattr(preprocessing, name)
    raise AttributeError(f"module 'mlplab.data' has no attribute {name!r}")
