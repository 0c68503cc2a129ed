"""A trained model: the network plus what prediction needs (preprocessing, class labels).

The labels are a ``LabelEncoder`` (classification, binary) or ``mlplab.data.targets.Targets``
(regression: ``predict`` gives values (N,) or (N, K); multi-label: 0/1 of shape (N, K) and
``predict_proba`` one probability per label, columns named by ``classes``).

``Model.predict(x)`` takes raw features as the user has them, applies the preprocessing fitted
on the training data, runs the network in evaluation mode and returns labels in their original
values (strings, non-contiguous integers). Shapes: x (N, D) -> labels (N,), probabilities (N, C).
"""

import numpy as np

from mlplab.data import LabelEncoder, Preprocessing
from mlplab.data.targets import Targets
from mlplab.data.validation import check_features
from mlplab.errors import ConfigError
from mlplab.model_file import DESCRIPTION_ERRORS, corrupt_description, read_model_parts, save_model


class Model:
    """A network with its preprocessing steps and class labels; saved and loaded as one file."""

    def __init__(
        self,
        network,
        preprocessing=None,
        labels=None,
        n_features_in=None,
        config=None,
        feature_names=None,
    ):
        self.network = network
        if not isinstance(preprocessing, Preprocessing):
            preprocessing = Preprocessing(preprocessing or ())
        #: the fitted preprocessing chain (``mlplab.data.Preprocessing``), possibly empty.
        self.preprocessing = preprocessing
        if labels is not None and not isinstance(labels, LabelEncoder | Targets):
            labels = LabelEncoder(np.asarray(labels))
        #: the mapping between original label values and class indices, or None.
        self.labels = labels
        self.n_features_in = int(
            n_features_in if n_features_in is not None else network.in_features
        )
        #: the run config that trained the model (a plain dict), when there is one.
        self.config = config
        #: the training file's feature column names (prediction CSVs are matched by name), or None.
        self.feature_names = list(feature_names) if feature_names else None

    # -- prediction ---------------------------------------------------------------------------
    def check_input(self, x):
        """Validate raw features at the API boundary (``mlplab.data.validation``): 2-D (a 1-D
        array for a one-feature model is a column), numeric, the training width, finite."""
        x = np.asarray(x) if not hasattr(x, "ndim") else x
        if x.ndim == 1 and self.n_features_in == 1:
            x = x.reshape(-1, 1)
        return check_features(x, "model input", self.n_features_in, expected_by="the model")

    def transform(self, x):
        """Raw features -> network inputs (the fitted preprocessing steps, in order)."""
        x = self.check_input(x)
        if len(self.preprocessing):
            x = self.preprocessing.transform(x)
        return np.asarray(x, dtype=self.network.dtype)

    def scores(self, x):
        """Evaluation-mode network scores, shape (N, outputs)."""
        return self.network.scores(self.transform(x))

    def predict_indices(self, x):
        """Predicted class indices 0..C-1 (or values, for regression)."""
        return self.network.loss.predict(self.scores(x))

    def predict(self, x):
        """Predicted labels in their original values."""
        indices = self.predict_indices(x)
        regression = self.network.loss.task == "regression"
        if regression or not isinstance(self.labels, LabelEncoder):  # values, multi-label 0/1
            return indices
        return self.classes[indices]

    def predict_proba(self, x):
        """Class probabilities, shape (N, C); columns follow ``classes``."""
        if not hasattr(self.network.loss, "probabilities"):
            raise ConfigError(f"{type(self.network.loss).__name__} gives no probabilities")
        scores = self.scores(x)
        try:
            proba = self.network.loss.probabilities(scores)
        except NotImplementedError as e:
            raise ConfigError(f"this model cannot give probabilities: {e}") from None
        if proba.shape[1] == 1 and self.n_classes == 2:  # binary: P(second class) -> both
            proba = np.concatenate([1 - proba, proba], axis=1)
        return proba

    def encode_labels(self, y, where: str = "labels"):
        """Original label values -> class indices 0..C-1; unknown labels are a LabelError."""
        if self.labels is None:
            return np.asarray(y)
        return self.labels.transform(y, where)

    # -- description --------------------------------------------------------------------------
    @property
    def classes(self):
        """The original label values, in class-index order (None for regression)."""
        return None if self.labels is None else self.labels.classes_

    @property
    def n_classes(self) -> int:
        return 0 if self.labels is None else self.labels.n_classes

    def summary(self) -> str:
        return self.network.summary()

    def save(self, path):
        """Write the model file (safetensors + JSON metadata); see ``mlplab.model_file``."""
        return save_model(self, path)

    def to_onnx(self, path, dtype=None):
        """Write the model as an ONNX graph (needs the ``onnx`` extra); see ``docs/export.md``."""
        from mlplab.export import save_onnx

        return save_onnx(self, path, dtype=dtype)


def load_model(path) -> Model:
    """Read a model file (or a run directory holding ``model.safetensors``) into a ``Model``."""
    path, parts = read_model_parts(path)
    try:
        return Model(**parts)
    except DESCRIPTION_ERRORS as error:
        raise corrupt_description(path, error) from None
