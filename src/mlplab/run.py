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
import re
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from mlplab.config import RunConfig, as_config, load_config, save_config
from mlplab.errors import ConfigError, FileFormatError, MlplabError
from mlplab.files.atomic import atomic_write
from mlplab.model_file import MODEL_FILENAME
from mlplab.training.callbacks import Callback

RUN_FILE = "run.json"
CONFIG_FILE = "config.toml"
METRICS_FILE = "metrics.csv"
REPORT_FILE = "report.html"
PLOTS_DIR = "plots"
CHECKPOINTS_DIR = "checkpoints"


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
    return _execute(config, None, quiet=quiet, progress=progress, callbacks=callbacks, force=force)


def resume(path, *, quiet: bool = True, progress: bool | None = None, callbacks=()) -> Run:
    """Continue an interrupted run from its last checkpoint, in its own directory."""
    directory = Path(path)
    if not (directory / CONFIG_FILE).is_file():
        raise FileFormatError(f"{directory}: not a run directory (no {CONFIG_FILE})")
    config = load_config(directory / CONFIG_FILE).validate()
    info = _read_info(directory)  # none or corrupt: try the checkpoint
    if info.get("status") == "complete":
        raise ConfigError(
            f"{directory}: the run is already complete ({info.get('epochs')} epochs); "
            "nothing to resume"
        )
    return _execute(
        config, directory, quiet=quiet, progress=progress, callbacks=callbacks, resume=True
    )


def _execute(config, directory, *, quiet, progress, callbacks, resume=False, force=False) -> Run:
    """Load and prepare the data first, so that bad data leaves no run directory behind."""
    from mlplab.data import Preprocessing
    from mlplab.model import Model
    from mlplab.network import MLPConfig, build_mlp
    from mlplab.version import __version__

    started = time.perf_counter()
    d, n = config.data, config.network
    dataset = d.load()
    preprocessing = Preprocessing.from_specs(d.preprocess, dataset.feature_shape)
    x = {which: dataset.split(which)[0] for which in ("train", "val", "test")}
    y = {which: dataset.split(which)[1] for which in ("train", "val", "test")}
    if len(preprocessing):
        preprocessing.fit(x["train"])
        # an empty split (--val-fraction 0, tiny data) stays empty
        x = {w: preprocessing.transform(v) if len(v) else v for w, v in x.items()}
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
    replaced = None
    if directory is None:
        directory, replaced = prepare_directory(config, force)
    # the saved config leaves the directory out: replaying it writes a new run, not this one
    replay = config.copy()
    replay.output.dir = ""
    model = Model(
        network,
        preprocessing=preprocessing,
        labels=dataset.labels,
        n_features_in=dataset.n_features,
        config=replay.to_dict(),
        feature_names=dataset.feature_names,
    )
    if not resume:
        save_config(replay, directory / CONFIG_FILE)
    _write_info(
        directory,
        {"status": "running", "started": _now(), "mlplab_version": __version__},
    )
    try:
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
    except KeyboardInterrupt:
        _write_info(directory, {"status": "interrupted"})
        import sys

        print(
            f"training interrupted; continue it with: mlplab train --resume {directory}",
            file=sys.stderr,
        )
        if replaced is not None:
            print(
                f"the run it was replacing is kept in {replaced} until this one completes "
                "(another --force keeps it and starts over)",
                file=sys.stderr,
            )
        raise
    except MlplabError as e:
        if replaced is not None:  # --force replaces a run only with a finished one
            shutil.rmtree(directory)
            replaced.rename(directory)
            message = str(e).split(" The last good checkpoint is ")[0]  # it was just removed
            raise type(e)(f"{message} ({directory}: the previous run is kept)") from None
        _write_info(directory, {"status": "failed", "error": str(e)})
        raise
    metrics = {
        which: _split_metrics(
            network, x[which], y[which], dataset.n_classes if which == "test" else None
        )
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
            "source": dataset.source,
            "examples": {which: int(len(y[which])) for which in y},
            "features": dataset.n_features,
            "classes": dataset.classes,
        },
        "metrics": metrics,
    }
    info = _write_info(directory, info)
    run = Run(directory, config, model, history, metrics, info)
    plots = draw_plots(run) if config.output.plots else {}
    from mlplab.report import write_report

    write_report(run, plots)
    if replaced is None and resume:  # a resumed --force run: the run it replaced can go now
        replaced = replaced_path(directory)
    if replaced is not None and replaced.is_dir():
        shutil.rmtree(replaced)
    return run


def _split_metrics(network, x, y, n_classes: int | None = None, batch_size: int = 4096) -> dict:
    """Mean loss (and accuracy) in evaluation mode, in batches; given ``n_classes`` also the
    confusion matrix and per-class precision and recall."""
    from mlplab.metrics import confusion_matrix, precision_recall

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


# -- directories ------------------------------------------------------------------------------
def replaced_path(directory: Path) -> Path:
    """Where ``--force`` keeps the run it replaces until the new one completes."""
    return directory.with_name(f".{directory.name}.replaced")


def _read_info(directory: Path) -> dict:
    """A run directory's run.json, or {} when it has none readable."""
    with contextlib.suppress(OSError, ValueError):
        info = json.loads((directory / RUN_FILE).read_text(encoding="utf-8"))
        return info if isinstance(info, dict) else {}
    return {}


def prepare_directory(config: RunConfig, force: bool) -> tuple[Path, Path | None]:
    """Create the run directory; refuse an existing one unless ``force`` (and it is a run).

    Returns the directory and, when ``force`` replaces a run, where the old run was moved
    (beside it, hidden): it is deleted once the new run completes, restored if training fails.
    If a replacement was stopped midway (killed), the old run is still there: a new ``force``
    keeps it and drops the unfinished run, and ``mlplab train --resume`` completing the
    unfinished run deletes it.
    """
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
            replaced = replaced_path(directory)
            if replaced.is_dir() and _read_info(directory).get("status") != "complete":
                # an earlier --force was stopped: `replaced` holds the run it was replacing and
                # `directory` the unfinished new one; keep the finished run, drop the other
                shutil.rmtree(directory)
            else:
                if replaced.exists():
                    shutil.rmtree(replaced)
                directory.rename(replaced)
        else:
            replaced = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ConfigError(f"output.dir: cannot create {directory} ({e.strerror})") from None
        return directory, replaced
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(config.data.source).stem).strip("-.") or "run"
    stem = Path("runs") / f"{name}-{datetime.now():%Y%m%d-%H%M%S}"
    directory, k = stem, 1
    while True:
        try:
            directory.mkdir(parents=True)
            return directory, None
        except FileExistsError:
            k += 1
            directory = stem.with_name(f"{stem.name}-{k}")
        except OSError as e:
            raise ConfigError(
                f"cannot create the run directory {directory} ({e.strerror})"
            ) from None


def _write_info(directory: Path, info: dict) -> dict:
    """Merge ``info`` into ``run.json`` (atomically) and return the merged record."""
    info = {**_read_info(directory), **info}
    atomic_write(directory / RUN_FILE, json.dumps(info, indent=2) + "\n")
    return info


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


# -- training ---------------------------------------------------------------------------------
def fit(network, train_data, val_data, config, directory, *, quiet, progress, callbacks, resume):
    """Train ``network`` in place with ``mlplab.training.Trainer``; return the per-epoch records.

    Callbacks, in a fixed order (checkpoints save their state by position): early stopping
    (when configured), the babysitting monitors (with plots; they log per-layer statistics
    and update/weight ratios into the history), the metrics file, the epoch lines, the user's
    callbacks, checkpoints.
    """
    import sys

    from mlplab.training import (
        Checkpoint,
        EarlyStopping,
        LayerStatsMonitor,
        Trainer,
        UpdateRatioMonitor,
        get_callback,
        save_checkpoint,
    )

    t = config.training
    options = {}
    if t.optimizer in ("momentum", "nesterov"):
        options["momentum"] = t.momentum
    if t.optimizer == "adamw":
        options["weight_decay"] = t.weight_decay
    checkpoints = directory / CHECKPOINTS_DIR
    stack = []
    if t.early_stopping:
        stack.append(EarlyStopping(monitor="val_loss", patience=t.early_stopping))
    if config.output.plots:
        stack += [LayerStatsMonitor(), UpdateRatioMonitor()]
    stack.append(MetricsFile(directory / METRICS_FILE))
    if not quiet and not (progress if progress is not None else sys.stderr.isatty()):
        stack.append(EpochLines(sys.stderr))
    stack += [get_callback(spec) for spec in t.callbacks]
    stack += list(callbacks)
    stack.append(Checkpoint(checkpoints, every_epochs=t.checkpoint_every or None))
    trainer = Trainer(
        network,
        optimizer=t.optimizer,
        lr=t.lr,
        schedule=t.schedule,
        l2=0.0 if t.optimizer == "adamw" else t.weight_decay,
        batch_size=t.batch_size,
        epochs=t.epochs,
        seed=t.seed,
        callbacks=stack,
        quiet=quiet or progress is False,
        optimizer_options=options,
    )
    last = checkpoints / "last.safetensors"
    if resume and not last.is_file():
        raise FileFormatError(f"{directory}: no checkpoint to resume from ({last} is missing)")
    x, y = train_data
    xv, yv = val_data
    history = trainer.fit(
        x, y, validation_data=(xv, yv) if len(yv) else None, resume=last if resume else None
    )
    if not t.checkpoint_every:
        save_checkpoint(trainer, last)
    return [dict(record) for record in history.records]


class MetricsFile(Callback):
    """Rewrite ``metrics.csv`` after every epoch, so an interrupted run keeps its curve."""

    def __init__(self, path):
        self.path = Path(path)

    def on_epoch_end(self, trainer):
        write_metrics(self.path, trainer.history.records)


class EpochLines(Callback):
    """One line per epoch on ``stream`` (the progress report when stderr is not a terminal)."""

    def __init__(self, stream):
        self.stream = stream

    def on_epoch_end(self, trainer):
        logs = trainer.epoch_logs
        parts = [f"epoch {logs['epoch']}/{trainer.epochs}", f"loss {logs['loss']:.4f}"]
        parts += [
            f"{key.replace('_', ' ')} {logs[key]:.4f}"
            for key in ("accuracy", "val_loss", "val_accuracy")
            if key in logs
        ]
        parts.append(f"{logs['time']:.2f} s")
        print("  ".join(parts), file=self.stream, flush=True)


def draw_plots(run) -> dict:
    """Draw the run's figures into ``plots/``; return {title: path}."""
    from mlplab.plots.layer_history import has_layer_statistics, plot_layer_history
    from mlplab.plots.learning_curves import plot_learning_curves
    from mlplab.training import History

    directory = run.directory / PLOTS_DIR
    directory.mkdir(exist_ok=True)
    plots = {}
    if run.history:
        plots["Learning curves"] = plot_learning_curves(
            History(run.history), directory / "learning_curves.png"
        )
    test = run.metrics.get("test", {})
    if "confusion" in test:
        from mlplab.plots.confusion_matrix import plot_confusion_matrix

        classes = run.info.get("data", {}).get("classes") or list(range(len(test["confusion"])))
        plots["Confusion matrix (test)"] = plot_confusion_matrix(
            test["confusion"], classes, directory / "confusion_matrix.png"
        )
    if has_layer_statistics(run.history):
        plots["Per-layer statistics"] = plot_layer_history(
            run.history, directory / "layer_statistics.png", run.model.network
        )
    return plots
