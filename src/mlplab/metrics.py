"""Classification metrics from class indices: accuracy, confusion matrix, precision and recall.

confusion[i, j] = number of examples of true class i predicted as class j (rows: truth, as
scikit-learn's ``confusion_matrix``). precision_j = confusion[j, j] / Σᵢ confusion[i, j],
recall_i = confusion[i, i] / Σⱼ confusion[i, j]; a class never predicted (or never present)
gets precision (recall) 0, as scikit-learn's ``zero_division=0``.
"""

import numpy as np

from mlplab.data.file_rows import file_rows


def confusion_matrix(y_true, y_pred, n_classes: int, weight=None) -> np.ndarray:
    """(C, C) integer counts (Σ w with ``weight``); y_true, y_pred: class indices (N,)."""
    if weight is None:
        counts = np.zeros((n_classes, n_classes), dtype=np.int64)
        np.add.at(counts, (np.asarray(y_true), np.asarray(y_pred)), 1)
        return counts
    counts = np.zeros((n_classes, n_classes), dtype=np.float64)
    np.add.at(counts, (np.asarray(y_true), np.asarray(y_pred)), np.asarray(weight, np.float64))
    return counts


def precision_recall(confusion: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-class precision and recall, each of shape (C,)."""
    hits = np.diag(confusion).astype(np.float64)
    predicted = confusion.sum(axis=0)
    actual = confusion.sum(axis=1)
    precision = np.divide(hits, predicted, out=np.zeros_like(hits), where=predicted > 0)
    recall = np.divide(hits, actual, out=np.zeros_like(hits), where=actual > 0)
    return precision, recall


def count_correct(predicted, y, weight=None):
    """How many rows are predicted right (targets of shape (N, 1) are compared as (N,)).

    A row of several labels (multi-label, (N, K)) counts only when all K are right: exact-match
    (subset) accuracy, as ``sklearn.metrics.accuracy_score``, so accuracy never exceeds 1. With
    ``weight`` (N,): Σ wᵢ over the rows predicted right (a float).
    """
    if y.shape != predicted.shape:
        y = y.reshape(predicted.shape)
    right = predicted == y
    if right.ndim == 2:
        right = right.all(axis=1)
    if weight is not None:
        return float(np.dot(right, weight))
    return int(right.sum())


def evaluate_batches(
    scores_of,
    loss,
    x,
    y,
    rows=None,
    batch_size: int = 4096,
    confusion: bool | int = False,
    weight=None,
) -> dict:
    """Mean loss and accuracy of ``scores_of(x_batch)`` against ``y``, batch by batch.

    The one evaluation routine (the trainer's validation, run metrics, ``mlplab evaluate``,
    ensembles). loss = Σᵦ Lᵦ·nᵦ / N, with Lᵦ the loss of batch b's nᵦ rows (no regularization),
    summed as a Python float in batch order; accuracy = correct / N for a classification or
    binary loss. With ``confusion``: also the task's detailed metrics from ``sklearn.metrics``
    (``mlplab.task_metrics``): the (C, C) confusion matrix and per-class precision, recall and
    F1 with macro and weighted averages (classification, binary), per-label and averaged
    precision/recall/F1 (multi-label), R², MAE, MSE (regression); C = ``confusion`` if it is a
    number, else the number of score columns.

    scores_of: (n, D) rows -> (n, C) scores, in evaluation mode; x: (N, D); y: (N,) labels or
    (N, K) targets; rows: the row indices to use (default: all, read as slices of x and y;
    a memory-mapped x is read from its file, ``mlplab.data.file_rows``, so that evaluating a
    file larger than memory leaves one batch resident); weight: (N,) sample weights of x's
    rows — then loss = Σᵦ Lᵦ·Wᵦ / Σ w with Lᵦ the batch's weighted mean and Wᵦ its Σ w,
    accuracy = Σ w·[right] / Σ w, and the confusion matrix holds Σ w instead of counts.
    Returns ``{"examples", "loss"[, "accuracy"][, "precision", "recall", "f1", "confusion",
    "macro avg", ...]}``.
    """
    reader = file_rows(x) if isinstance(x, np.ndarray) else None
    if reader is not None:  # a memory map: each batch read from its file, nothing mapped
        with reader:
            return evaluate_batches(scores_of, loss, reader, y, rows, batch_size, confusion, weight)
    n = len(y) if rows is None else len(rows)
    classify = getattr(loss, "task", "classification") in ("classification", "binary")
    n_classes = 0 if confusion is True else int(confusion)
    total, correct, predictions, seen = 0.0, 0, [], 0.0
    for start in range(0, n, batch_size):
        part = (
            slice(start, start + batch_size) if rows is None else rows[start : start + batch_size]
        )
        xb, yb = x[part], y[part]
        wb = None if weight is None else weight[part]
        scores = scores_of(xb)
        if wb is None:
            batch_loss, _ = loss(scores, yb)
            total += batch_loss * len(yb)
        else:
            batch_loss, _ = loss(scores, yb, weight=wb)
            total += batch_loss * float(wb.sum())
            seen += float(wb.sum())
        predicted = loss.predict(scores) if classify or confusion else None
        if classify:
            correct += count_correct(predicted, yb, wb)
        if confusion:
            predictions.append(predicted)
            n_classes = n_classes or scores.shape[1]
    denominator = max(n, 1) if weight is None else (seen or 1.0)
    result = {"examples": int(n), "loss": total / denominator}
    if classify:
        result["accuracy"] = correct / denominator
    if confusion and predictions:
        from mlplab.task_metrics import task_metrics

        truth = y if rows is None else y[rows]
        w = None if weight is None else (weight if rows is None else weight[rows])
        predicted = np.concatenate(predictions)
        kind = getattr(loss, "task", "classification")
        if kind == "binary":
            kind = "multilabel" if predicted.ndim == 2 else "classification"
            n_classes = max(n_classes, 2)
        result.update(task_metrics(kind, truth, predicted, n_classes, w))
    return result


def evaluate_network(
    net, x, y, rows=None, batch_size: int = 4096, confusion: bool | int = False, weight=None
) -> dict:
    """``evaluate_batches`` of a network (``Sequential``) in evaluation mode: each batch of x
    is read (a ``np.memmap`` batch by batch) in the network's dtype and run forward."""

    def scores_of(xb):
        return net.forward(np.asarray(xb, dtype=net.dtype), False)

    return evaluate_batches(scores_of, net.loss, x, y, rows, batch_size, confusion, weight)


def evaluate(model, x, y, where: str = "labels", batch_size: int = 4096) -> dict:
    """Loss (without regularization) and the task's metrics (``evaluate_batches`` with
    ``confusion``): accuracy, confusion matrix and per-class precision/recall/F1 for a
    classifier; per-label ones for multi-label; R², MAE and MSE for regression.

    ``x`` holds raw features and ``y`` labels in their original values; ``model`` is a ``Model``
    or an ``Ensemble`` (anything with ``encode_labels``, ``scores`` and ``network.loss``);
    evaluated in batches of ``batch_size`` rows. ``task`` names the kind of result.
    """
    indices = model.encode_labels(y, where)
    loss = model.network.loss
    n_classes = getattr(model, "n_classes", 0) or True
    found = evaluate_batches(
        model.scores, loss, x, indices, batch_size=batch_size, confusion=n_classes
    )
    task = loss.task
    if task == "binary":
        task = "multilabel" if np.ndim(indices) == 2 else "binary"
    classes = model.classes
    if task in ("classification", "binary", "multilabel"):
        width = len(found["precision"])
        found["classes"] = classes.tolist() if classes is not None else list(range(width))
    return {"task": task, **found}
