"""A trained model: the network plus what prediction needs (preprocessing, class labels).

``Model.predict(x)`` takes raw features as the user has them, applies the preprocessing fitted
on the training data, runs the network in evaluation mode and returns labels in their original
values (strings, non-contiguous integers). Shapes: x (N, D) -> labels (N,), probabilities (N, C).
"""

import numpy as np

from mlplab.errors import DTypeError, NonFiniteError, ShapeError


class Model:
    """A network with its preprocessing steps and class labels; saved and loaded as one file."""

    def __init__(self, network, preprocessing=(), classes=None, n_features_in=None, config=None):
        self.network = network
        self.preprocessing = list(preprocessing or ())
        self.classes = None if classes is None else np.asarray(classes)
        self.n_features_in = int(
            n_features_in if n_features_in is not None else network.in_features
        )
        #: the run config that trained the model (a plain dict), when there is one.
        self.config = config

    # -- prediction ---------------------------------------------------------------------------
    def check_input(self, x):
        """Validate raw features at the API boundary: 2-D, numeric, right width, finite."""
        x = np.asarray(x)
        if x.ndim == 1 and self.n_features_in == 1:
            x = x.reshape(-1, 1)
        if x.ndim != 2 or x.shape[1] != self.n_features_in:
            raise ShapeError(
                f"model input: expected shape (N, {self.n_features_in}) as in training, "
                f"got {x.shape}"
            )
        if x.dtype.kind not in "fiub":
            raise DTypeError(f"model input: expected numbers, got dtype {x.dtype}")
        if x.dtype.kind == "f" and not np.isfinite(x).all():
            row, col = np.argwhere(~np.isfinite(x))[0]
            raise NonFiniteError(
                f"model input: non-finite value {x[row, col]} at row {row}, column {col}"
            )
        return x

    def transform(self, x):
        """Raw features -> network inputs (the fitted preprocessing steps, in order)."""
        x = self.check_input(x)
        for step in self.preprocessing:
            x = step.transform(x)
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
        if self.classes is None or self.network.loss.task != "classification":
            return indices
        return self.classes[indices]

    def predict_proba(self, x):
        """Class probabilities, shape (N, C); columns follow ``classes``."""
        return self.network.loss.probabilities(self.scores(x))

    def encode_labels(self, y, where: str = "labels"):
        """Original label values -> class indices 0..C-1; unknown labels are a LabelError."""
        from mlplab.errors import LabelError

        y = np.asarray(y)
        if self.classes is None:
            return y
        lookup = {_plain(c): i for i, c in enumerate(self.classes.tolist())}
        try:
            return np.fromiter((lookup[_plain(v)] for v in y.tolist()), np.int64, len(y))
        except KeyError as e:
            known = ", ".join(map(str, self.classes.tolist()))
            raise LabelError(
                f"{where}: label {e.args[0]!r} was not seen in training (classes: {known})"
            ) from None

    # -- description --------------------------------------------------------------------------
    @property
    def n_classes(self) -> int:
        return 0 if self.classes is None else len(self.classes)

    def summary(self) -> str:
        return self.network.summary()

    def save(self, path):
        """Write the model file (safetensors + JSON metadata); see ``mlplab.io``."""
        from mlplab.io import save_model

        return save_model(self, path)


def _plain(value):
    """A hashable key that matches 3, 3.0 and np.int64(3), and leaves strings alone."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
