"""Evaluate several models (an ensemble and its members) on one data split, loaded once."""

from mlplab.evaluation import labelled_split


def evaluate_models(models, data=None, split: str = "test") -> tuple[list[dict], str]:
    """Loss and accuracy of each model on the first model's ``split`` (or ``data``)."""
    from mlplab.metrics import evaluate

    x, y, source = labelled_split(models[0].config, data, split, where="ensemble")
    where = f"{source} ({split} labels)"
    return [evaluate(m, x, y, where=where) for m in models], f"{source} ({split} split)"
