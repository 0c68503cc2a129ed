"""Train one search trial in memory: ``mlplab.data`` + ``build_mlp`` + the ``Trainer``.

Reads a run config's sections (``data``, ``network``, ``training``) with ``mlplab train``'s
defaults, standardizes features on the training split, and reports each epoch's metrics to
``on_epoch``. Used by search trials and the ensemble benchmark when no run directory is wanted.
"""

import numpy as np

from mlplab.errors import ConfigError
from mlplab.network import MLPConfig, build_mlp

DEFAULTS = {
    "data": {"source": "digits", "validation": 0.15, "test": 0.15, "seed": 0},
    "network": {
        "hidden": [256, 256], "activation": "relu", "init": "auto", "norm": "batch",
        "dropout": 0.0, "loss": "softmax", "dtype": "float32",
    },
    "training": {
        "optimizer": "adam", "lr": 1e-3, "momentum": 0.9, "schedule": "constant",
        "weight_decay": 0.0, "epochs": 20, "batch_size": 64, "seed": 0,
    },
}  # fmt: skip
IGNORED = {"output", "checkpoint_every", "early_stopping", "preprocess", "label"}


def resolved(config: dict) -> dict:
    """``config``'s sections over the defaults; unknown keys are a ConfigError."""
    out = {section: dict(values) for section, values in DEFAULTS.items()}
    for section, values in config.items():
        if section in IGNORED:
            continue
        if section not in DEFAULTS or not isinstance(values, dict):
            raise ConfigError(f"training config: unknown section [{section}]")
        for key, value in values.items():
            if key not in DEFAULTS[section] and key not in IGNORED:
                known = ", ".join(DEFAULTS[section])
                raise ConfigError(f"training config: unknown key {section}.{key} (known: {known})")
            out[section][key] = value
    return out


def load_splits(data: dict):
    """``{"train": (x, y), "val": ..., "test": ...}``, standardized with training statistics."""
    from mlplab.data import load_data

    dataset = load_data(
        data["source"], seed=data["seed"], val_fraction=data["validation"],
        test_fraction=data["test"],
    )  # fmt: skip
    splits = {w: tuple(np.asarray(a) for a in dataset.split(w)) for w in ("train", "val", "test")}
    mean = splits["train"][0].mean(0)
    std = splits["train"][0].std(0) + 1e-8
    splits = {w: (((x - mean) / std).astype(np.float32), y) for w, (x, y) in splits.items()}
    return splits, dataset.n_classes


def minimal_train(config: dict, on_epoch=None, splits=None, callbacks=()):
    """Train from a run config; call ``on_epoch(epoch, logs)``; return ``(network, metrics)``.

    ``metrics`` holds ``val_accuracy``, ``val_loss``, ``test_accuracy``, ``test_loss`` and
    ``epoch``. ``splits`` (from ``load_splits``) skips loading the data again.
    """
    from mlplab.train import Callback, Trainer

    c = resolved(config)
    n, t = c["network"], c["training"]
    if splits is None:
        splits, n_classes = load_splits(c["data"])
    else:
        n_classes = int(max(int(y.max()) for _, y in splits.values())) + 1
    xtr, ytr = splits["train"]
    hidden = n["hidden"] if isinstance(n["hidden"], list | tuple) else [n["hidden"]]
    network = build_mlp(
        MLPConfig(
            input_size=xtr.shape[1], output_size=n_classes, hidden=[int(h) for h in hidden],
            activation=n["activation"], init=None if n["init"] == "auto" else n["init"],
            norm=n["norm"], dropout=float(n["dropout"]), loss=n["loss"], dtype=n["dtype"],
        ),
        seed=int(t["seed"]),
    )  # fmt: skip

    class Report(Callback):
        def on_epoch_end(self, trainer):
            if on_epoch is not None:
                on_epoch(trainer.epoch + 1, dict(trainer.epoch_logs))

    options = {"momentum": t["momentum"]} if t["optimizer"] in ("momentum", "nesterov") else {}
    decoupled = t["optimizer"] == "adamw"
    if decoupled:
        options["weight_decay"] = float(t["weight_decay"])
    trainer = Trainer(
        network, optimizer=t["optimizer"], lr=float(t["lr"]), schedule=t["schedule"],
        l2=0.0 if decoupled else float(t["weight_decay"]), batch_size=int(t["batch_size"]),
        epochs=int(t["epochs"]), seed=int(t["seed"]), quiet=True, optimizer_options=options,
        callbacks=[*callbacks, Report()],
    )  # fmt: skip
    trainer.fit(xtr, ytr, validation_data=splits["val"])
    metrics = {"epoch": trainer.epoch}
    for which in ("val", "test"):
        metrics.update(trainer.evaluate(*splits[which], prefix=f"{which}_"))
    return network, metrics
