"""Boundary checks shared by the classic models: finite 2-D features and matching labels."""

import numpy as np

from mlplab.errors import DTypeError, LabelError, MlplabError, NonFiniteError, ShapeError


def check_features(model: str, x, features: int | None = None) -> np.ndarray:
    """Return ``x`` as a float64 array of shape (N, D), or raise naming ``model``."""
    x = np.asarray(x)
    if x.ndim != 2:
        raise ShapeError(f"{model}: expected a 2-D input (samples, features), got shape {x.shape}")
    if features is not None and x.shape[1] != features:
        raise ShapeError(f"{model}: expected {features} input features, got {x.shape[1]}")
    if x.dtype.kind not in "fiub":
        raise DTypeError(f"{model}: expected numeric features, got dtype {x.dtype}")
    x = x.astype(np.float64, copy=False)
    if not np.isfinite(x).all():
        row, col = np.argwhere(~np.isfinite(x))[0]
        raise NonFiniteError(f"{model}: non-finite value {x[row, col]} at row {row}, column {col}")
    return x


def check_labels(model: str, y, n_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (classes, indices into classes) for class labels y of shape (N,)."""
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != n_samples:
        raise ShapeError(f"{model}: expected labels of shape ({n_samples},), got {y.shape}")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise NonFiniteError(f"{model}: labels contain NaN or inf")
    classes, indices = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise LabelError(f"{model}: needs at least 2 classes, got {len(classes)} ({classes})")
    return classes, indices


def check_fitted(model: str, estimator) -> None:
    """Raise if ``fit`` has not run yet."""
    if getattr(estimator, "W", None) is None:
        raise MlplabError(f"{model}: not fitted yet; call fit(x, y) first")
