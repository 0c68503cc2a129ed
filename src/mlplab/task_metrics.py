"""Final metrics of each task from ``sklearn.metrics``, as plain JSON for run.json, ``mlplab
evaluate``, the report and ``--json``.

- classification (and binary, one yes/no label): ``classification_report`` — per class
  ``precision``, ``recall``, ``f1``, ``support`` (lists in class order), its ``macro avg`` and
  ``weighted avg``, and the ``confusion`` matrix (rows: truth).
- multi-label (K 0/1 columns): the same per label, plus ``micro avg``; ``accuracy`` is exact
  match (``accuracy_score``: a row counts when all K labels are right), so it never exceeds 1.
- regression: ``r2``, ``mae``, ``mse`` (``r2_score``, ``mean_absolute_error``,
  ``mean_squared_error``; averaged uniformly over several targets).

Classes never predicted (or never present) get 0, as ``zero_division=0``.
"""

import numpy as np

AVERAGES = ("micro avg", "macro avg", "weighted avg")


def task_metrics(kind: str, y_true, y_pred, n_classes: int = 0, weight=None) -> dict:
    """``kind``: classification, multilabel or regression; y as class indices (N,), 0/1 (N, K)
    or values (N,)/(N, K); ``n_classes`` fixes the classes 0..C-1 of a classification."""
    if kind == "regression":
        return _regression(y_true, y_pred, weight)
    return _report(kind, np.asarray(y_true).astype(np.int64), y_pred, n_classes, weight)


def _report(kind, y_true, y_pred, n_classes, weight) -> dict:
    from sklearn.metrics import classification_report, confusion_matrix

    multilabel = kind == "multilabel"
    columns = y_true.shape[1] if multilabel else n_classes
    labels = list(range(columns))
    report = classification_report(
        y_true, y_pred, labels=labels, sample_weight=weight, output_dict=True, zero_division=0
    )
    per_class = [report[str(k)] for k in labels]
    found = {
        "precision": [float(c["precision"]) for c in per_class],
        "recall": [float(c["recall"]) for c in per_class],
        "f1": [float(c["f1-score"]) for c in per_class],
        "support": [_number(c["support"]) for c in per_class],
    }
    for average in AVERAGES if multilabel else AVERAGES[1:]:
        if average in report:
            row = report[average]
            found[average] = {
                "precision": float(row["precision"]),
                "recall": float(row["recall"]),
                "f1": float(row["f1-score"]),
            }
    if multilabel:
        from sklearn.metrics import accuracy_score

        found["accuracy"] = float(accuracy_score(y_true, y_pred, sample_weight=weight))
    else:
        counts = confusion_matrix(y_true, y_pred, labels=labels, sample_weight=weight)
        found["confusion"] = counts.tolist() if weight is not None else counts.astype(int).tolist()
    return found


def _regression(y_true, y_pred, weight) -> dict:
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64).reshape(y_true.shape)
    return {
        "r2": float(r2_score(y_true, y_pred, sample_weight=weight)),
        "mae": float(mean_absolute_error(y_true, y_pred, sample_weight=weight)),
        "mse": float(mean_squared_error(y_true, y_pred, sample_weight=weight)),
    }


def _number(value):
    value = float(value)
    return int(value) if value.is_integer() else value
