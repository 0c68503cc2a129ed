"""``mlplab.load``, and mlplab's file functions in one place for users and scripts.

``load`` decides what a path holds: an ensemble directory (``ensemble.json``) or a model file (or
a run directory holding one). The model file format lives in ``mlplab.model_file``; the
safetensors + JSON envelope and atomic writes in ``mlplab.files``.
"""

import os
from pathlib import Path

from mlplab.ensembles.average import load_ensemble
from mlplab.ensembles.files import is_ensemble
from mlplab.errors import ConfigError
from mlplab.files.atomic import atomic_write
from mlplab.model import Model, load_model
from mlplab.model_file import (
    FORMAT,
    FORMAT_VERSION,
    MODEL_FILENAME,
    read_model_document,
    resolve_model_path,
)
from mlplab.model_file import save_model as _save_model

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MODEL_FILENAME",
    "atomic_write",
    "load",
    "read_model_document",
    "resolve_model_path",
    "save_model",
]


def load(path):
    """Load a model file (or a run directory) written by mlplab: returns a ``Model``.

    An ensemble directory (``mlplab ensemble``) loads as an ``Ensemble``, used the same way.
    """
    if not isinstance(path, str | os.PathLike):
        raise ConfigError(f"load: expected a file or directory path, got {type(path).__name__}")
    return load_ensemble(path) if is_ensemble(path) else load_model(path)


def save_model(model, path) -> Path:
    """Write ``model`` (a ``Model``, or a bare ``Sequential``) to ``path`` atomically."""
    if not isinstance(model, Model):
        model = Model(model)
    return _save_model(model, path)
