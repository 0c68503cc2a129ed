"""The final metrics of a run on one split (train, val, test), as ``run.json`` records them."""

import numpy as np

from mlplab.metrics import confusion_matrix, precision_recall


def split_metrics(network, x, y, n_classes: int | None = None, batch_size: int = 4096) -> dict:
    """Mean loss (and accuracy) in evaluation mode, in batches; given ``n_classes`` also the
    confusion matrix and per-class precision and recall."""
    total = 0.0
    classify = network.loss.task == "classification"
    predictions = []
    for start in range(0, len(y), batch_size):
        xb = np.asarray(x[start : start + batch_size], dtype=network.dtype)
        yb = y[start : start + batch_size]
        scores = network.forward(xb, False)
        loss, _ = network.loss(scores, yb)
        total += loss * len(yb)
        if classify:
            predictions.append(network.loss.predict(scores))
    result = {"examples": int(len(y)), "loss": total / max(len(y), 1)}
    if classify:
        predicted = np.concatenate(predictions) if predictions else np.zeros(0, np.int64)
        result["accuracy"] = float((predicted == y).mean()) if len(y) else 0.0
        if n_classes:
            confusion = confusion_matrix(y, predicted, n_classes)
            precision, recall = precision_recall(confusion)
            result.update(
                precision=precision.tolist(), recall=recall.tolist(), confusion=confusion.tolist()
            )
    return result
