"""Data: built-in datasets, loaders for the real file formats, label encoding, preprocessing.

``load_data(spec)`` takes a built-in name (``DATASETS``) or a path and returns a ``Dataset`` with
training, validation and test splits and the label mapping.
"""

from mlplab.data.builtin import DATASETS
from mlplab.data.dataset import Dataset
from mlplab.data.from_arrays import dataset_from_arrays
from mlplab.data.labels import LabelEncoder
from mlplab.data.load import load_data
from mlplab.data.preprocessing import (
    PCA,
    PREPROCESSORS,
    MeanImage,
    PerChannelMean,
    PolarTransform,
    Preprocessing,
    Standardize,
    ZCAWhitening,
    ZeroCenter,
    make_preprocessor,
)
from mlplab.data.validation import check_features

__all__ = [
    "DATASETS",
    "PCA",
    "PREPROCESSORS",
    "Dataset",
    "LabelEncoder",
    "MeanImage",
    "PerChannelMean",
    "PolarTransform",
    "Preprocessing",
    "Standardize",
    "ZCAWhitening",
    "ZeroCenter",
    "check_features",
    "dataset_from_arrays",
    "load_data",
    "make_preprocessor",
]
