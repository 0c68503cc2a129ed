"""What every preprocessing step shares: scikit-learn's estimator conventions, boundary checks,
and a state of plain arrays + JSON (``to_state`` / ``from_state``) for model files.

A step is fitted on training data only (``fit``); ``transform`` applies the fitted statistics to
any data (training, validation, test, prediction) and refuses a feature count that differs from
training; ``inverse_transform`` maps back where the step is invertible.
"""

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from mlplab.data.validation import check_features, is_checked, mark_checked
from mlplab.errors import ConfigError, ShapeError


class Preprocessor(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Base class. Subclasses set ``name`` (their registry name), list their fitted arrays in
    ``fitted_arrays`` and implement ``_fit(x)``, ``_transform(x)``, ``_inverse_transform(z)``
    on float64 (N, D) arrays.

    Output names (``get_feature_names_out``) are the input's, one to one, unless a step says
    otherwise; ``set_output(transform="pandas")`` makes ``transform`` return a DataFrame, and a
    DataFrame's column names are kept in ``feature_names_in_`` and checked at ``transform``."""

    name = "preprocessor"
    fitted_arrays: tuple = ()
    fitted_scalars: tuple = ()

    # -- scikit-learn interface ----------------------------------------------------------------
    def fit(self, X, y=None):
        x = self._validate(X, fitting=True)
        if x.shape[0] < self.min_samples():
            raise ShapeError(
                f"{self.name}: needs at least {self.min_samples()} training examples to fit, "
                f"got n_samples={x.shape[0]} (shape {x.shape})"
            )
        self.n_features_in_ = x.shape[1]
        self._fit(x)
        return self

    def transform(self, X):
        check_is_fitted(self)
        x = self._validate(X)
        out = self._restore(self._transform(x.astype(np.float64)), X)
        return mark_checked(out) if is_checked(x) else out  # finite in, finite out

    def inverse_transform(self, X):
        check_is_fitted(self)
        z = np.asarray(X)
        if z.ndim > 2:
            z = z.reshape(len(z), -1)
        if z.ndim != 2 or z.shape[1] != self.output_features():
            raise ShapeError(
                f"{self.name} inverse: expected shape (N, {self.output_features()}), got {z.shape}"
            )
        return self._restore(self._inverse_transform(z.astype(np.float64)), X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags

    # -- for subclasses ---------------------------------------------------------------------
    def min_samples(self) -> int:
        return 1

    def output_features(self) -> int:
        """Features per example after ``transform``."""
        return self.n_features_in_

    def _validate(self, X, fitting=False):
        """2-D numeric finite input of the training width (memory maps are not copied)."""
        x = X if isinstance(X, np.ndarray) or hasattr(X, "tocsr") else np.asarray(X)
        expected = None if fitting else self.n_features_in_
        x = check_features(x, self.name, expected, expected_by=type(self).__name__)
        self._check_names(X if hasattr(X, "columns") else x, fitting)
        return x

    def _check_names(self, X, fitting):
        """Record (fit) or compare (transform) a DataFrame's column names, as scikit-learn does;
        sets ``n_features_in_`` when fitting."""
        validate_data(self, X, reset=fitting, skip_check_array=True)

    def _restore(self, out, like):
        """The output in the input's float dtype (float32 for integer input such as pixels)."""
        given = getattr(like, "dtype", None)
        dtype = np.float64 if given is None else given if given.kind == "f" else np.float32
        return out.astype(dtype, copy=False)

    # -- state: plain arrays + JSON -----------------------------------------------------------
    def to_state(self):
        """(arrays: {name: ndarray}, meta: JSON-able dict) holding the parameters and the fit."""
        check_is_fitted(self)
        arrays = {k: np.ascontiguousarray(getattr(self, k)) for k in self.fitted_arrays}
        meta = {
            "name": self.name,
            "params": {k: _jsonable(v) for k, v in self.get_params().items()},
            "fitted": {
                k: _jsonable(getattr(self, k)) for k in ("n_features_in_", *self.fitted_scalars)
            },
        }
        return arrays, meta

    @classmethod
    def from_state(cls, arrays, meta):
        """Rebuild a fitted step from ``to_state``'s output."""
        try:
            step = cls(**meta["params"])
            for key in cls.fitted_arrays:
                setattr(step, key, np.asarray(arrays[key]))
            for key, value in meta["fitted"].items():
                setattr(step, key, value)
        except (KeyError, TypeError) as e:
            raise ConfigError(f"{cls.name}: incomplete or invalid saved state ({e})") from None
        try:  # the arrays must fit together: one row of zeros goes through
            step.transform(np.zeros((1, int(step.n_features_in_))))
        except (ValueError, TypeError, IndexError) as e:
            raise ConfigError(f"{cls.name}: saved state is inconsistent ({e})") from None
        return step


def _jsonable(value):
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, np.generic):
        return value.item()
    return value
