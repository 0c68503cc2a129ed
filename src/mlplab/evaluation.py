"""Evaluate and describe trained models: what ``mlplab evaluate`` and ``mlplab info`` show."""

from pathlib import Path

import numpy as np

from mlplab.errors import ConfigError


def labelled_split(
    config: dict | None,
    data=None,
    split: str = "test",
    label=None,
    where="evaluate",
    feature_names=None,
):
    """``(x, y, source)``: raw features and original labels of a run config's ``split``.

    The data is the run's own source (or ``data``), cut with the run's seed and fractions, so
    ``test`` is the run's held-out set; ``split="all"`` joins the training, validation and test
    splits. An empty split is a ``ConfigError`` that starts with ``where``. With the model's
    ``feature_names``, a file's columns are matched to the training columns by name.
    """
    from mlplab.config import RunConfig

    if split not in ("train", "val", "test", "all"):
        raise ConfigError(f"{where}: split must be train, val, test or all, got {split!r}")
    d = (RunConfig.from_dict(config) if config else RunConfig()).data
    if data is not None:
        d.source = str(data)
    if label is not None:
        d.label = str(label)
    if not d.source:
        raise ConfigError(f"{where}: give the data with --data")
    from mlplab.data.targets import targets_of_loss

    loss = ((config or {}).get("network") or {}).get("loss") or "softmax"
    dataset = d.load(targets_of_loss(loss))
    xs, ys = [], []
    for which in ("train", "val", "test") if split == "all" else (split,):
        x, y = dataset.split(which)
        xs.append(np.asarray(x))
        ys.append(dataset.labels.inverse_transform(y))
    x, y = np.concatenate(xs), np.concatenate(ys)
    if len(y) == 0:
        raise ConfigError(f"{where}: the {split} split of {d.source} is empty")
    if feature_names and dataset.feature_names:
        from mlplab.data.features import match_columns

        x = match_columns(d.source, x, dataset.feature_names, feature_names)
    return x, y, d.source


def evaluate_on_data(path, data=None, split: str = "test", label=None) -> dict:
    """Metrics of the model at ``path`` (run directory or model file, or a loaded ``Model`` or
    ``Ensemble``) on a split of ``data``.

    ``data`` defaults to the run's own data source, split with the run's seed and fractions, so
    ``split="test"`` is the run's held-out test set.
    """
    from mlplab.io import load
    from mlplab.metrics import evaluate

    model = path if hasattr(path, "predict_proba") else load(path)
    if model is path:
        path = "model"
    names = getattr(model, "feature_names", None)
    x, y, source = labelled_split(model.config, data, split, label, feature_names=names)
    result = evaluate(model, x, y, where=f"{source} ({split} labels)")
    return {"model": str(path), "data": source, "split": split, **result}


def describe(path) -> dict:
    """Everything ``mlplab info`` prints, as plain data."""
    from mlplab.ensembles.average import describe_ensemble
    from mlplab.ensembles.files import is_ensemble
    from mlplab.io import load
    from mlplab.model_file import read_model_document, resolve_model_path
    from mlplab.runs.directory import read_info

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
    if Path(path).is_dir():
        info = read_info(path)  # untrusted: only values of the expected types are shown
        number = (int, float)
        expected = {"status": str, "epochs": int, "seconds": number, "finished": str}
        for key, kind in expected.items():
            if isinstance(info.get(key), kind) and not isinstance(info.get(key), bool):
                data[key] = info[key]
        metrics = info.get("metrics")
        if isinstance(metrics, dict) and all(
            isinstance(m, dict) and isinstance(m.get("loss"), number) for m in metrics.values()
        ):
            data["metrics"] = metrics
    return data
