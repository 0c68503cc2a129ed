"""Batch norm's train/test gap of a saved run, on its own data (a line of ``mlplab info``)."""

import numpy as np

from mlplab.config import DataConfig
from mlplab.diagnostics.batchnorm_gap import batchnorm_gap, has_batchnorm
from mlplab.errors import MlplabError
from mlplab.io import load


def run_batchnorm_gap(path, config) -> dict | None:
    """The gap of a saved run on its own test split (else validation, else training) with its
    training batch size; None without batch norm, or when the run's config or data is missing."""
    if not config or "data" not in config:
        return None
    model = load(path)
    if not has_batchnorm(model.network):
        return None
    try:
        data = DataConfig(**config["data"]).load()
    except (MlplabError, OSError, TypeError):
        return None
    split, x = next(
        (name, getattr(data, f"x_{name}"))
        for name in ("test", "val", "train")
        if getattr(data, f"x_{name}", None) is not None and len(getattr(data, f"x_{name}")) > 1
    )
    batch_size = int(config.get("training", {}).get("batch_size", 64))
    gap = batchnorm_gap(model.network, model.transform(np.asarray(x)), batch_size)
    return {**gap, "split": split}
