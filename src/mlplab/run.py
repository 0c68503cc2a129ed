"""A training run, end to end: config, data, preprocessing, network, trainer, run directory.

``train(config) -> Run`` is what ``mlplab train`` calls. A run directory holds::

    model.safetensors   the model (weights + JSON description; ``mlplab.load``)
    config.toml         the effective config; ``mlplab train --config`` on it replays the run
    metrics.csv         one row per epoch
    run.json            status, final metrics, timings (what ``mlplab info`` shows)
    plots/              learning curves, per-layer statistics
    checkpoints/        the trainer's checkpoints (``mlplab train --resume RUN``)
    report.html         one self-contained page: config, metrics, plots, network summary

An existing run directory is never overwritten unless ``force`` is given, and even then only if
it is an mlplab run directory (or empty).
"""

import contextlib
import csv
import io as _io
import json
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from mlplab.config import RunConfig, as_config, load_config, save_config
from mlplab.errors import ConfigError, FileFormatError
from mlplab.io import MODEL_FILENAME, atomic_write

RUN_FILE = "run.json"
CONFIG_FILE = "config.toml"
METRICS_FILE = "metrics.csv"
REPORT_FILE = "report.html"
PLOTS_DIR = "plots"
CHECKPOINTS_DIR = "checkpoints"
SPLIT_NAMES = {"train": "training", "val": "validation", "test": "test"}


@dataclass
class Run:
    """A finished (or interrupted) run: its directory, config, model, history and metrics."""

    directory: Path
    config: RunConfig
    model: object = None
    history: list = field(default_factory=list)
    #: final metrics per split: {"train": {"loss", "accuracy"}, "val": ..., "test": ...}
    metrics: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)

    @property
    def test_accuracy(self):
        return self.metrics.get("test", {}).get("accuracy")

    @classmethod
    def open(cls, path) -> "Run":
        """Open a run directory written by ``train``."""
        from mlplab.io import load

        directory = Path(path)
        if not directory.is_dir():
            raise FileFormatError(f"{directory}: no such run directory")
        info_path = directory / RUN_FILE
        if not info_path.is_file():
            raise FileFormatError(f"{directory}: not a run directory (no {RUN_FILE})")
        try:
            info = json.loads(info_path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise FileFormatError(f"{info_path}: corrupt (invalid JSON)") from None
        if not isinstance(info, dict):
            raise FileFormatError(f"{info_path}: corrupt (not a JSON object)")
        config = load_config(directory / CONFIG_FILE)
        model = load(directory / MODEL_FILENAME) if (directory / MODEL_FILENAME).exists() else None
        return cls(
            directory=directory,
            config=config,
            model=model,
            history=read_metrics(directory / METRICS_FILE),
            metrics=info.get("metrics", {}),
            info=info,
        )

    def to_dict(self) -> dict:
        return {
            "directory": str(self.directory),
            "status": self.info.get("status"),
            "epochs": self.info.get("epochs"),
            "seconds": self.info.get("seconds"),
            "parameters": self.info.get("parameters"),
            "metrics": self.metrics,
        }


# -- the pipeline -----------------------------------------------------------------------------
def train(
    config=None,
    *,
    force: bool = False,
    quiet: bool = True,
    progress: bool | None = None,
    callbacks=(),
) -> Run:
    """Train a network as ``config`` says (a ``RunConfig``, a nested dict, or a TOML path).

    Writes a run directory (see the module docstring) and returns the ``Run``; ``run.model``
    predicts with ``run.model.predict(x)``. ``quiet=False`` prints one line per epoch;
    ``progress`` shows the trainer's progress bar (default: when stderr is a terminal).
    """
    config = as_config(config if config is not None else RunConfig())
    directory = prepare_directory(config, force)
    return _execute(config, directory, quiet=quiet, progress=progress, callbacks=callbacks)


def resume(path, *, quiet: bool = True, progress: bool | None = None, callbacks=()) -> Run:
    """Continue an interrupted run from its last checkpoint, in its own directory."""
    directory = Path(path)
    if not (directory / CONFIG_FILE).is_file():
        raise FileFormatError(f"{directory}: not a run directory (no {CONFIG_FILE})")
    config = load_config(directory / CONFIG_FILE).validate()
    return _execute(
        config, directory, quiet=quiet, progress=progress, callbacks=callbacks, resume=True
    )


def _execute(config, directory, *, quiet, progress, callbacks, resume=False) -> Run:
    from mlplab.model import Model
    from mlplab.network import MLPConfig, build_mlp

    started = time.perf_counter()
    dataset = open_dataset(config.data)
    steps = [make_preprocessing(name) for name in config.data.preprocess]
    x = {which: dataset.split(which)[0] for which in ("train", "val", "test")}
    y = {which: dataset.split(which)[1] for which in ("train", "val", "test")}
    for step in steps:
        step.fit(x["train"])
        x = {which: step.transform(value) for which, value in x.items()}
    n = config.network
    network = build_mlp(
        MLPConfig(
            input_size=int(x["train"].shape[1]),
            output_size=int(dataset.n_classes),
            hidden=list(n.hidden),
            activation=n.activation,
            init=None if n.init == "auto" else n.init,
            norm=n.norm,
            dropout=n.dropout,
            loss=n.loss,
            dtype=n.dtype,
        ),
        seed=config.training.seed,
    )
    dtype = network.dtype
    x = {which: np.asarray(value, dtype=dtype) for which, value in x.items()}
    model = Model(
        network,
        preprocessing=steps,
        classes=np.asarray(dataset.classes),
        n_features_in=dataset.n_features,
        config=config.to_dict(),
    )
    save_config(config, directory / CONFIG_FILE)
    _write_info(directory, {"status": "running", "started": _now()})
    history = fit(
        network,
        (x["train"], y["train"]),
        (x["val"], y["val"]),
        config,
        directory,
        quiet=quiet,
        progress=progress,
        callbacks=callbacks,
        resume=resume,
    )
    metrics = {
        which: _split_metrics(network, x[which], y[which])
        for which in ("train", "val", "test")
        if len(y[which])
    }
    seconds = time.perf_counter() - started
    model.save(directory / MODEL_FILENAME)
    write_metrics(directory / METRICS_FILE, history)
    info = {
        "status": "complete",
        "finished": _now(),
        "epochs": len(history),
        "seconds": round(seconds, 3),
        "parameters": network.parameter_count(),
        "data": {
            "name": dataset.name,
            "source": getattr(dataset, "source", ""),
            "examples": {which: int(len(y[which])) for which in y},
            "features": dataset.n_features,
            "classes": [_plain(c) for c in dataset.classes],
        },
        "metrics": metrics,
    }
    from mlplab import __version__

    info["mlplab_version"] = __version__
    _write_info(directory, info)
    run = Run(directory, config, model, history, metrics, info)
    plots = draw_plots(run, x["train"], y["train"]) if config.output.plots else {}
    from mlplab.report import write_report

    write_report(run, plots)
    return run


def _split_metrics(network, x, y) -> dict:
    scores = network.scores(x)
    loss, _ = network.loss(scores, y)
    result = {"loss": float(loss), "examples": int(len(y))}
    if network.loss.task == "classification":
        result["accuracy"] = float((network.loss.predict(scores) == y).mean())
    return result


# -- directories ------------------------------------------------------------------------------
def prepare_directory(config: RunConfig, force: bool) -> Path:
    """Create the run directory; refuse an existing one unless ``force`` (and it is a run)."""
    if config.output.dir:
        directory = Path(config.output.dir)
        if directory.exists() and not directory.is_dir():
            raise ConfigError(f"output.dir: {directory} exists and is not a directory")
        if directory.is_dir() and any(directory.iterdir()):
            if not force:
                raise ConfigError(
                    f"run directory {directory} already exists; "
                    "pass --force to overwrite it or choose another --out"
                )
            if not (directory / RUN_FILE).is_file() and not (directory / CONFIG_FILE).is_file():
                raise ConfigError(
                    f"{directory} is not an mlplab run directory; refusing to overwrite it, "
                    "even with --force"
                )
            shutil.rmtree(directory)
        directory.mkdir(parents=True, exist_ok=True)
        return directory
    stem = Path("runs") / f"{Path(config.data.source).stem}-{datetime.now():%Y%m%d-%H%M%S}"
    directory, k = stem, 1
    while True:
        try:
            directory.mkdir(parents=True)
            return directory
        except FileExistsError:
            k += 1
            directory = stem.with_name(f"{stem.name}-{k}")


def _write_info(directory: Path, info: dict) -> None:
    path = directory / RUN_FILE
    if path.is_file():
        with contextlib.suppress(json.JSONDecodeError):
            info = {**json.loads(path.read_text()), **info}
    atomic_write(path, json.dumps(info, indent=2) + "\n")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


# -- metrics.csv ------------------------------------------------------------------------------
def write_metrics(path, history: list[dict]) -> None:
    """One row per epoch, columns from the history's keys (epoch first)."""
    columns = []
    for row in history:
        columns += [k for k in row if k not in columns]
    buffer = _io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in history:
        writer.writerow({k: _plain(v) for k, v in row.items()})
    atomic_write(path, buffer.getvalue())


def read_metrics(path) -> list[dict]:
    path = Path(path)
    if not path.is_file():
        return []
    rows = []
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            rows.append({k: _number(v) for k, v in row.items()})
    return rows


def _number(text: str):
    for convert in (int, float):
        try:
            return convert(text)
        except (TypeError, ValueError):
            pass
    return text


# -- the adapters to data, preprocessing, trainer and plots ----------------------------------
def open_dataset(data):
    """A ``mlplab.data`` Dataset from the [data] section: a built-in name or a file."""
    from mlplab.data import load_dataset

    return load_dataset(
        data.source,
        seed=data.seed,
        val_fraction=data.validation,
        test_fraction=data.test,
        label=data.label or None,
    )


def make_preprocessing(name: str):
    """A preprocessing transformer from its name (``mlplab.data`` registry)."""
    from mlplab.data import get_preprocessing

    return get_preprocessing(name)


def fit(network, train_data, val_data, config, directory, *, quiet, progress, callbacks, resume):
    """Train ``network`` in place; return the history (one dict per epoch)."""
    from mlplab.optim import get_optimizer
    from mlplab.schedules import get_schedule

    t = config.training
    optimizer = _optimizer(get_optimizer, t)
    schedule = get_schedule(t.schedule)
    l2 = 0.0 if t.optimizer == "adamw" else t.weight_decay
    x, y = train_data
    xv, yv = val_data
    optimizer.bind(network)
    steps_per_epoch = max(1, -(-len(x) // t.batch_size))
    schedule.bind(t.epochs, steps_per_epoch)
    rng = np.random.default_rng(t.seed)
    history = []
    step = 0
    for epoch in range(1, t.epochs + 1):
        start = time.perf_counter()
        order = rng.permutation(len(x))
        total = 0.0
        for i in range(0, len(x), t.batch_size):
            batch = order[i : i + t.batch_size]
            if len(batch) < 2:
                continue
            count = epoch - 1 if schedule.unit == "epoch" else step
            optimizer.lr = schedule.lr(count, t.lr)
            total += network.loss_and_gradients(x[batch], y[batch], l2=l2) * len(batch)
            optimizer.step()
            step += 1
        row = {"epoch": epoch, "lr": optimizer.lr}
        tr = _split_metrics(network, x, y)
        row.update(train_loss=tr["loss"], train_accuracy=tr.get("accuracy"))
        if len(yv):
            va = _split_metrics(network, xv, yv)
            row.update(val_loss=va["loss"], val_accuracy=va.get("accuracy"))
            schedule.observe(va["loss"])
        row["seconds"] = round(time.perf_counter() - start, 4)
        history.append(row)
        if not quiet:
            print(
                f"epoch {epoch}/{t.epochs}  loss {row['train_loss']:.4f}  "
                f"val acc {row.get('val_accuracy', float('nan')):.4f}",
                flush=True,
            )
    return history


def _optimizer(get_optimizer, t):
    kwargs = {"lr": t.lr}
    if t.optimizer in ("momentum", "nesterov"):
        kwargs["momentum"] = t.momentum
    if t.optimizer == "adamw":
        kwargs["weight_decay"] = t.weight_decay
    return get_optimizer(t.optimizer, **kwargs)


def draw_plots(run, x_train, y_train) -> dict:
    """Draw the run's figures into ``plots/``; return {title: path}."""
    from mlplab.plots.run_history import plot_run_history

    directory = run.directory / PLOTS_DIR
    directory.mkdir(exist_ok=True)
    plots = {}
    if run.history:
        plots["Learning curves"] = plot_run_history(run.history, directory / "learning_curves.png")
    return plots
