"""Sample and class weights: checked once where they enter, combined into one weight per row.

A row's weight w ≥ 0 scales its share of the loss and of every metric: L = Σ wᵢ ℓᵢ / Σ wᵢ, so
w = 2 counts a row twice (as a duplicated row) and w = 0 ignores it. Negative, NaN or infinite
weights are refused with the row that holds them. Class weights give every row of class c the
weight ``class_weight[c]``; ``"balanced"`` is scikit-learn's n / (C · count(c))
(``sklearn.utils.class_weight.compute_class_weight``). Both together multiply.
"""

import numpy as np

from mlplab.errors import ConfigError, LabelError, SampleWeightError, ShapeError


def check_sample_weight(weight, n_rows: int, where: str = "sample_weight"):
    """``weight`` as a float64 array of shape (n_rows,), or None for None.

    Raises ``ShapeError`` for a wrong shape and ``SampleWeightError`` naming the first row that
    is NaN, infinite or negative, or when every weight is 0.
    """
    if weight is None:
        return None
    w = np.asarray(weight)
    if w.dtype.kind not in "biuf":
        raise ShapeError(f"{where}: expected numbers, got dtype {w.dtype}")
    w = w.astype(np.float64).reshape(-1) if w.ndim == 2 and w.shape[1] == 1 else w
    if w.ndim != 1 or len(w) != n_rows:
        raise ShapeError(f"{where}: expected shape ({n_rows},), one weight per row, got {w.shape}")
    w = np.array(w, dtype=np.float64)  # a copy: the caller's array is never changed
    bad = np.flatnonzero(~(np.isfinite(w) & (w >= 0)))
    if len(bad):
        row = int(bad[0])
        raise SampleWeightError(
            f"{where}: weight {w[row]} at row {row} must be a finite number >= 0 "
            "(0 ignores the row)"
        )
    if n_rows and not w.any():
        raise SampleWeightError(
            f"{where}: every sample weight is zero; at least one row must count"
        )
    return w


def class_weight_per_class(class_weight, classes, y_index) -> np.ndarray:
    """(C,) weights of the classes ``classes`` (original label values, index order).

    class_weight: ``"balanced"``, a mapping {label: weight} (labels not named get 1), or None.
    y_index: the training rows' class indices 0..C-1 (for ``"balanced"``).
    """
    classes = np.asarray(classes)
    if class_weight is None:
        return np.ones(len(classes))
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ConfigError(
                f"class_weight: expected 'balanced' or a mapping of label to weight, "
                f"got {class_weight!r}"
            )
        from sklearn.utils.class_weight import compute_class_weight

        present = np.unique(y_index)
        weights = np.ones(len(classes))
        weights[present] = compute_class_weight("balanced", classes=present, y=y_index)
        return weights
    weights = np.ones(len(classes))
    lookup = {str(c): i for i, c in enumerate(classes.tolist())}
    for label, value in dict(class_weight).items():
        if str(label) not in lookup:
            raise LabelError(
                f"class_weight: label {label!r} is not one of the classes {classes.tolist()}"
            )
        value = float(value)
        if not (np.isfinite(value) and value >= 0):
            raise SampleWeightError(
                f"class_weight: weight of {label!r} must be a finite number >= 0, got {value}"
            )
        weights[lookup[str(label)]] = value
    return weights


def parse_class_weight(text: str, where: str = "class_weight"):
    """``"balanced"`` or ``"LABEL=W,LABEL=W"`` -> ``"balanced"`` or {label: weight}."""
    text = str(text).strip()
    if text in ("", "none"):
        return None
    if text == "balanced":
        return text
    mapping = {}
    for item in text.split(","):
        label, sep, value = item.partition("=")
        try:
            mapping[label.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep or not label.strip():
            raise ConfigError(
                f"{where}: expected balanced or LABEL=WEIGHT,..., got {item.strip()!r}"
            )
    return mapping


def row_weights(sample_weight, class_weights, y_index):
    """The weight of each row: its sample weight times its class's weight (None if neither)."""
    if class_weights is None:
        return sample_weight
    per_row = np.asarray(class_weights, dtype=np.float64)[np.asarray(y_index)]
    return per_row if sample_weight is None else sample_weight * per_row
