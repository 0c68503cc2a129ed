"""Classification metrics from class indices: accuracy, confusion matrix, precision and recall.

confusion[i, j] = number of examples of true class i predicted as class j (rows: truth, as
scikit-learn's ``confusion_matrix``). precision_j = confusion[j, j] / Σᵢ confusion[i, j],
recall_i = confusion[i, i] / Σⱼ confusion[i, j]; a class never predicted (or never present)
gets precision (recall) 0, as scikit-learn's ``zero_division=0``.
"""

import numpy as np


def confusion_matrix(y_true, y_pred, n_classes: int) -> np.ndarray:
    """(C, C) integer counts; y_true and y_pred are class indices of shape (N,)."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return counts


def precision_recall(confusion: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-class precision and recall, each of shape (C,)."""
    hits = np.diag(confusion).astype(np.float64)
    predicted = confusion.sum(axis=0)
    actual = confusion.sum(axis=1)
    precision = np.divide(hits, predicted, out=np.zeros_like(hits), where=predicted > 0)
    recall = np.divide(hits, actual, out=np.zeros_like(hits), where=actual > 0)
    return precision, recall


def evaluate(model, x, y, where: str = "labels") -> dict:
    """Loss (without regularization), accuracy, confusion matrix and per-class precision/recall.

    ``x`` holds raw features and ``y`` labels in their original values; ``model`` is a ``Model``.
    """
    indices = model.encode_labels(y, where)
    scores = model.scores(x)
    loss, _ = model.network.loss(scores, indices)
    predicted = model.network.loss.predict(scores)
    result = {"examples": int(len(indices)), "loss": float(loss)}
    if model.network.loss.task != "classification":
        return result
    n_classes = scores.shape[1]
    confusion = confusion_matrix(indices, predicted, n_classes)
    precision, recall = precision_recall(confusion)
    result["accuracy"] = float((predicted == indices).mean()) if len(indices) else 0.0
    result["classes"] = (
        model.classes.tolist() if model.classes is not None else list(range(n_classes))
    )
    result["precision"] = precision.tolist()
    result["recall"] = recall.tolist()
    result["confusion"] = confusion.tolist()
    return result
