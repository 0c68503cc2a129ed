"""A dataset with its training, validation and test splits, class labels and feature shape."""

from dataclasses import dataclass, field

import numpy as np

from mlplab.data.labels import LabelEncoder
from mlplab.data.validation import count_nonfinite

SPLITS = ("train", "val", "test")


@dataclass
class Dataset:
    """Features are 2-D (N, D) arrays (possibly memory maps), labels (N,) class indices 0..C-1
    (or, for regression and multi-label, the targets: ``mlplab.data.targets``).

    ``feature_shape`` is each example's natural shape, e.g. (32, 32, 3) for CIFAR-10 (height,
    width, channels) or (2,) for points in the plane; D = prod(feature_shape).
    ``labels`` maps class indices back to the original label values (``labels.classes_``); a
    ``Targets`` for regression and multi-label.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    labels: LabelEncoder
    feature_shape: tuple = ()
    source: str = ""
    notes: list = field(default_factory=list)
    #: the feature columns' names, for data read from a file with a header (else empty).
    feature_names: tuple = ()
    #: sample weights per split, ``{"train": (N,), "val": ..., "test": ...}``, from a weight
    #: column (``load_data(weight_column=...)``); None when the data has none.
    weights: dict | None = None

    def __post_init__(self):
        if not self.feature_shape:
            self.feature_shape = (int(self.x_train.shape[1]),)
        self.feature_shape = tuple(int(s) for s in self.feature_shape)

    @property
    def classes(self) -> list:
        """The original label values, in class-index order (multi-label: the label columns'
        names; regression: empty)."""
        classes = self.labels.classes_
        return [] if classes is None else classes.tolist()

    @property
    def n_classes(self) -> int:
        return self.labels.n_classes

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[1])

    def split(self, which: str):
        """(x, y) of ``"train"``, ``"val"`` or ``"test"``."""
        return getattr(self, f"x_{which}"), getattr(self, f"y_{which}")

    def weight(self, which: str):
        """The sample weights of a split (None when the data has none)."""
        return None if self.weights is None else self.weights[which]

    def images(self, which: str = "train"):
        """The features of a split reshaped to (N, *feature_shape)."""
        x = getattr(self, f"x_{which}")
        return x.reshape((len(x), *self.feature_shape))

    def summary(self) -> dict:
        """Plain data for ``mlplab data info``: shapes, classes and counts, ranges, NaN count."""
        out = {
            "name": self.name,
            "source": self.source,
            "feature_shape": list(self.feature_shape),
            "n_features": self.n_features,
            "dtype": str(self.x_train.dtype),
            "classes": self.classes,
            "splits": {},
            "notes": list(self.notes),
        }
        for which in SPLITS:
            x, y = self.split(which)
            y = np.asarray(y)
            if y.ndim == 2:  # multi-label: the rows with each label
                counts = y.sum(axis=0).astype(np.int64)
            elif self.labels.classes_ is None:  # regression: no classes to count
                counts = []
            else:
                counts = np.bincount(y.astype(np.int64), minlength=self.n_classes)
            nan = count_nonfinite(x) if x.size else 0
            finite_min, finite_max = _finite_range(x)
            out["splits"][which] = {
                "examples": int(len(x)),
                "shape": list(x.shape),
                "class_counts": [int(c) for c in counts],
                "min": finite_min,
                "max": finite_max,
                "nonfinite": nan,
            }
        return out


def _finite_range(x):
    """(min, max) over the finite values (row chunks for memory maps), None if there are none."""
    from mlplab.data.validation import row_blocks

    if x.size == 0:
        return None, None
    low, high = np.inf, -np.inf
    for _, part in row_blocks(x):
        if part.dtype.kind == "f":
            part = part[np.isfinite(part)]
        if part.size:
            low, high = min(low, float(part.min())), max(high, float(part.max()))
    return (low, high) if low <= high else (None, None)
