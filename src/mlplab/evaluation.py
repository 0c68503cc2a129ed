"""Evaluate and describe trained models: what ``mlplab evaluate`` and ``mlplab info`` show."""

from pathlib import Path

import numpy as np

from mlplab.errors import ConfigError


def evaluate_on_data(path, data=None, split: str = "test", label=None) -> dict:
    """Metrics of the model at ``path`` (run directory or model file, or a loaded ``Model`` or
    ``Ensemble``) on a split of ``data``.

    ``data`` defaults to the run's own data source, split with the run's seed and fractions, so
    ``split="test"`` is the run's held-out test set.
    """
    from mlplab.config import RunConfig
    from mlplab.data import load_data
    from mlplab.io import load
    from mlplab.metrics import evaluate

    if split not in ("train", "val", "test", "all"):
        raise ConfigError(f"evaluate: split must be train, val, test or all, got {split!r}")
    model = path if hasattr(path, "predict_proba") else load(path)
    if model is path:
        path = "model"
    config = RunConfig.from_dict(model.config) if model.config else RunConfig()
    if data is not None:
        config.data.source = str(data)
    if label is not None:
        config.data.label = str(label)
    if not config.data.source:
        raise ConfigError("evaluate: give the data with --data")
    d = config.data
    dataset = load_data(
        d.source,
        seed=d.seed,
        val_fraction=d.validation,
        test_fraction=d.test,
        label_column=d.label or None,
    )
    parts = ("train", "val", "test") if split == "all" else (split,)
    xs, ys = [], []
    for which in parts:
        x, y = dataset.split(which)
        xs.append(np.asarray(x))
        ys.append(dataset.labels.inverse_transform(y))
    x, y = np.concatenate(xs), np.concatenate(ys)
    if len(y) == 0:
        raise ConfigError(f"evaluate: the {split} split of {config.data.source} is empty")
    result = evaluate(model, x, y, where=f"{config.data.source} ({split} labels)")
    return {"model": str(path), "data": config.data.source, "split": split, **result}


def describe(path) -> dict:
    """Everything ``mlplab info`` prints, as plain data."""
    import json

    from mlplab.ensembles.files import describe_ensemble, is_ensemble
    from mlplab.io import load, read_model_document, resolve_model_path

    if is_ensemble(path):
        return describe_ensemble(path)
    model_path = resolve_model_path(path)
    document, _ = read_model_document(model_path)
    model = load(model_path)
    data = {
        "path": str(path),
        "format_version": document["format_version"],
        "mlplab_version": document.get("mlplab_version"),
        "summary": model.summary(),
        "parameters": model.network.parameter_count(),
        "layers": [{"class": e["class"], "config": e["config"]} for e in document["layers"]],
        "loss": document["loss"],
        "n_features_in": model.n_features_in,
        "classes": None if model.classes is None else model.classes.tolist(),
        "preprocessing": [
            step.get("name", "?") for step in (document.get("preprocessing") or {}).get("steps", [])
        ],
        "config": document.get("config"),
    }
    run_file = Path(path) / "run.json"
    if Path(path).is_dir() and run_file.is_file():
        try:
            info = json.loads(run_file.read_text())
        except json.JSONDecodeError:
            info = {}
        for key in ("status", "epochs", "seconds", "metrics", "finished"):
            if key in info:
                data[key] = info[key]
    return data
