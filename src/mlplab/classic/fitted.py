"""What the classic models share around their data: class labels as indices, the fitted check.

Their features and labels are validated by ``mlplab.data.validation`` like every other input.
"""

import numpy as np

from mlplab.data.labels import LabelEncoder
from mlplab.data.validation import WIDTH_INPUT, check_features, check_labels
from mlplab.errors import MlplabError


def features(model: str, x, width: int | None = None) -> np.ndarray:
    """``x`` as a finite float64 array (N, D), ``width`` columns if given, or raise naming
    ``model``."""
    return check_features(x, model, width, dtype=np.float64, mismatch=WIDTH_INPUT)


def class_indices(model: str, y, n_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """(classes, indices into classes) for class labels y of shape (N,), at least 2 classes."""
    y = check_labels(y, model, n_samples)
    labels = LabelEncoder().fit(y, model)
    return labels.classes_, labels.transform(y, model)


def check_fitted(model: str, estimator) -> None:
    """Raise if ``fit`` has not run yet."""
    if getattr(estimator, "W", None) is None:
        raise MlplabError(f"{model}: not fitted yet; call fit(x, y) first")
