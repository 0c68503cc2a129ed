"""Targets that are not one class per row: regression values, or several 0/1 labels per row.

``Targets`` stands where a classifier's ``LabelEncoder`` stands (``Dataset.labels``,
``Model.labels``) with the same methods, so the rest of the pipeline need not ask which task it
serves. ``labels_for(targets, y)`` picks the encoder from the loss's kind of targets.
Shapes: regression y (N,) or (N, K) floats; multi-label y (N, K) of 0/1.
"""

import numpy as np

from mlplab.data.labels import LabelEncoder
from mlplab.errors import LabelError

#: what a loss expects as targets: class labels (softmax, svm), one or several yes/no labels
#: (bce), or numbers (mse, huber).
TARGETS = {"classification": "classes", "binary": "binary", "regression": "values"}


class Targets:
    """Regression values (``kind="regression"``) or multi-label 0/1 columns (``"multilabel"``).

    ``names`` are the label columns' names; ``classes_`` are those names for multi-label (the
    columns of ``predict_proba``) and None for regression; ``transform`` checks and returns floats.
    """

    def __init__(self, kind: str, names=()):
        if kind not in ("regression", "multilabel"):
            raise LabelError(f"targets: kind must be regression or multilabel, got {kind!r}")
        self.kind = kind
        self.names = [str(n) for n in names]

    def fit(self, y, where: str = "targets"):
        y = self._matrix(y, where)
        if not self.names or len(self.names) != y.shape[1]:
            self.names = [str(k) for k in range(y.shape[1])]
        self.transform(y, where)
        return self

    def transform(self, y, where: str = "targets"):
        y = self._matrix(y, where)
        if self.names and y.shape[1] != len(self.names):
            raise LabelError(
                f"{where}: expected {len(self.names)} target columns, got {y.shape[1]}"
            )
        if self.kind == "multilabel":
            bad = np.argwhere((y != 0) & (y != 1))
            if len(bad):
                row, k = bad[0]
                raise LabelError(
                    f"{where}: label column {self.names[k]!r} has {y[row, k].item()!r} at row "
                    f"{row}; multi-label columns must be 0 or 1"
                )
        return y[:, 0] if self.kind == "regression" and y.shape[1] == 1 else y

    def fit_transform(self, y, where: str = "targets"):
        return self.fit(y, where).transform(y, where)

    def inverse_transform(self, y):
        return np.asarray(y)

    def _matrix(self, y, where):
        y = np.asarray(y)
        y = y.reshape(-1, 1) if y.ndim == 1 else y
        if y.ndim != 2:
            raise LabelError(f"{where}: expected targets of shape (N,) or (N, K), got {y.shape}")
        if y.dtype.kind not in "fiub":
            raise LabelError(f"{where}: {self.kind} targets must be numbers, got dtype {y.dtype}")
        y = y.astype(np.float64)
        if not np.isfinite(y).all():
            row, k = np.argwhere(~np.isfinite(y))[0]
            raise LabelError(f"{where}: target {y[row, k]} at row {row}, column {k}")
        return y

    @property
    def classes_(self):
        return np.asarray(self.names) if self.kind == "multilabel" else None

    @property
    def n_classes(self) -> int:
        return len(self.names) if self.kind == "multilabel" else 0

    @property
    def n_outputs(self) -> int:
        return len(self.names)

    is_identity = True

    def to_state(self) -> dict:
        return {"kind": self.kind, "names": list(self.names)}

    def __repr__(self) -> str:
        return f"Targets({self.kind!r}, names={self.names})"


def labels_for(targets: str, y, where: str = "labels"):
    """The unfitted encoder of ``y`` for a loss that takes ``targets`` (``TARGETS``): a
    ``LabelEncoder`` for classes (and for one yes/no column), ``Targets`` otherwise."""
    if targets == "values":
        return Targets("regression")
    several = np.ndim(y) == 2 and np.shape(y)[1] > 1
    if several and targets == "binary":
        return Targets("multilabel")
    if several:
        raise LabelError(
            f"{where}: {np.shape(y)[1]} label columns are a multi-label task: use --loss bce "
            '(loss = "bce" in [network])'
        )
    return LabelEncoder()


def output_size(labels, targets: str) -> int:
    """The network's outputs: one per class, one per target, or 1 for a binary loss on classes."""
    if isinstance(labels, Targets):
        return labels.n_outputs
    if targets == "binary":
        if labels.n_classes != 2:
            raise LabelError(
                f"binary cross-entropy needs 2 classes, got {labels.n_classes}; "
                "use --loss softmax, or give several 0/1 label columns for multi-label"
            )
        return 1
    return labels.n_classes


def labels_from_state(state: dict):
    """A ``LabelEncoder`` or ``Targets`` from ``to_state()`` (model files of every version)."""
    if isinstance(state, dict) and state.get("kind") in ("regression", "multilabel"):
        names = state.get("names")
        if not isinstance(names, list):
            raise LabelError(f"targets: expected a names list, got {state}")
        return Targets(state["kind"], names)
    return LabelEncoder.from_state(state)


def targets_of_loss(loss_name: str) -> str:
    """``TARGETS`` of a registered loss by name (classes for an unknown task)."""
    from mlplab.losses import LOSSES

    return TARGETS.get(getattr(LOSSES.get(loss_name), "task", ""), "classes")
