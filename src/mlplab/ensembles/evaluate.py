"""Evaluate several models (an ensemble and its members) on one data split, loaded once."""

import numpy as np

from mlplab.errors import ConfigError


def labelled_split(config: dict | None, data=None, split: str = "test"):
    """``(x, y, source)``: raw features and original labels of a run config's split.

    The split is cut with the run's seed and fractions, so ``test`` is the run's held-out set.
    """
    from mlplab.config import RunConfig
    from mlplab.data import load_data

    run_config = RunConfig.from_dict(config) if config else RunConfig()
    d = run_config.data
    if data is not None:
        d.source = str(data)
    dataset = load_data(
        d.source, seed=d.seed, val_fraction=d.validation, test_fraction=d.test,
        label_column=d.label or None,
    )  # fmt: skip
    x, y = dataset.split(split)
    if len(y) == 0:
        raise ConfigError(f"ensemble: the {split} split of {d.source} is empty")
    return np.asarray(x), dataset.labels.inverse_transform(y), d.source


def evaluate_models(models, data=None, split: str = "test") -> tuple[list[dict], str]:
    """Loss and accuracy of each model on the first model's ``split`` (or ``data``)."""
    from mlplab.metrics import evaluate

    x, y, source = labelled_split(models[0].config, data, split)
    where = f"{source} ({split} labels)"
    return [evaluate(m, x, y, where=where) for m in models], f"{source} ({split} split)"
