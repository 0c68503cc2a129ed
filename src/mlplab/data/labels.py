"""Class labels of any value (strings, non-contiguous integers) mapped to class indices 0..C-1.

The mapping is plain JSON (``to_state``/``from_state``) so that it travels with a model file and
predictions come back in the user's own label values.
"""

import numpy as np

from mlplab.errors import LabelError


def _as_label_array(y, where: str):
    """Labels as a 1-D array of ints or strings; integral floats become ints."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise LabelError(f"{where}: expected labels of shape (N,), got shape {y.shape}")
    if y.dtype.kind == "b":
        return y.astype(np.int64)
    if y.dtype.kind in "iu":
        return y.astype(np.int64)
    if y.dtype.kind == "f":
        finite = np.isfinite(y)
        if not finite.all():
            row = int(np.argmin(finite))
            raise LabelError(f"{where}: label at row {row} is {y[row]}, not a class")
        fractional = y != np.round(y)
        if fractional.any():
            row = int(np.argmax(fractional))
            raise LabelError(
                f"{where}: labels must be integers or strings, got {y[row].item()!r} at row {row} "
                f"(dtype {y.dtype}; is this a regression target?)"
            )
        return y.astype(np.int64)
    if y.dtype.kind in "US":
        return y.astype(str)
    if y.dtype.kind == "O":
        kinds = {type(v).__name__ for v in y.tolist()}
        if kinds <= {"str"}:
            return y.astype(str)
        if kinds <= {"int", "bool"}:
            return y.astype(np.int64)
        raise LabelError(
            f"{where}: labels must all be integers or all strings, got {sorted(kinds)}"
        )
    raise LabelError(f"{where}: labels must be integers or strings, got dtype {y.dtype}")


class LabelEncoder:
    """Sorted distinct label values ``classes_``; ``transform`` gives each label's index.

    Shapes: y (N,) of ints or strings -> (N,) int64 in 0..C-1.
    """

    def __init__(self, classes=None):
        self.classes_ = None if classes is None else np.asarray(classes)

    def fit(self, y, where: str = "labels"):
        y = _as_label_array(y, where)
        if y.size == 0:
            raise LabelError(f"{where}: no labels")
        classes = np.unique(y)
        if len(classes) < 2:
            raise LabelError(
                f"{where}: every label is {classes[0].item()!r}, a single class; "
                "a classifier needs at least 2 classes"
            )
        self.classes_ = classes
        return self

    def transform(self, y, where: str = "labels"):
        y = _as_label_array(y, where)
        if y.dtype.kind != self.classes_.dtype.kind and y.size:
            raise LabelError(
                f"{where}: labels are {_kind_name(y)} but the classes seen in training are "
                f"{_kind_name(self.classes_)}"
            )
        index = np.searchsorted(self.classes_, y)
        index = np.minimum(index, len(self.classes_) - 1)
        unknown = self.classes_[index] != y
        if unknown.any():
            row = int(np.argmax(unknown))
            raise LabelError(
                f"{where}: label {y[row].item()!r} at row {row} is not one of the "
                f"{len(self.classes_)} training classes"
            )
        return index.astype(np.int64)

    def fit_transform(self, y, where: str = "labels"):
        return self.fit(y, where).transform(y, where)

    def inverse_transform(self, index):
        """Class indices (N,) back to the original label values."""
        index = np.asarray(index)
        if index.size and (index.min() < 0 or index.max() >= len(self.classes_)):
            raise LabelError(
                f"class index out of range 0..{len(self.classes_) - 1}: "
                f"got {int(index.min())}..{int(index.max())}"
            )
        return self.classes_[index]

    @property
    def n_classes(self) -> int:
        return len(self.classes_)

    @property
    def is_identity(self) -> bool:
        """True when the labels already are 0..C-1."""
        return self.classes_.dtype.kind == "i" and np.array_equal(
            self.classes_, np.arange(len(self.classes_))
        )

    def to_state(self) -> dict:
        """Plain JSON: ``{"kind": "int"|"str", "classes": [...]}``."""
        return {"kind": _kind_name(self.classes_), "classes": self.classes_.tolist()}

    @classmethod
    def from_state(cls, state: dict):
        kind = state.get("kind")
        if kind not in ("int", "str") or not isinstance(state.get("classes"), list):
            raise LabelError(
                f"label mapping: expected kind int or str and a classes list, got {state}"
            )
        dtype = np.int64 if kind == "int" else str
        return cls(np.asarray(state["classes"], dtype=dtype))

    def __repr__(self) -> str:
        return (
            f"LabelEncoder(classes={self.classes_.tolist() if self.classes_ is not None else None})"
        )


def _kind_name(a) -> str:
    return "int" if a.dtype.kind in "iu" else "str"
