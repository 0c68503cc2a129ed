"""A training run, end to end, in four steps: load → build → train → finish.

``train(config) -> Run`` is what ``mlplab train`` calls; ``resume(path)`` continues an
interrupted run in its own directory. The data is loaded and the network built before the run
directory is made, so bad data or a bad config leaves no directory behind.

SIGINT and SIGTERM stop training between two steps with a checkpoint of that step; the run is
marked ``interrupted`` and ``Interrupted`` (exit 130 / 143) carries the one line that says how
to continue. ``resume`` first removes the temporary files a killed writer left in the run.

With ``comm`` (``mlplab train --distributed`` under ``mpirun``) every rank loads the data and
builds the network, they agree on any error before training (rank 0 reports it), all train
together, and only rank 0 touches the run directory: the lock, the temporaries a resume
removes, the checkpoint it continues from (sent to the other ranks), checkpoints, metrics and
report (the other ranks return None). A signal on any rank stops every rank at the same step.
"""

import shutil
import signal
import time
from dataclasses import dataclass, replace
from pathlib import Path

from mlplab.config import RunConfig, as_config, load_config, save_config
from mlplab.data import Preprocessing
from mlplab.data.targets import output_size, targets_of_loss
from mlplab.errors import ConfigError, DivergenceError, FileFormatError, MlplabError
from mlplab.files.atomic import remove_temporaries
from mlplab.metrics import evaluate_network
from mlplab.model import Model
from mlplab.model_file import MODEL_FILENAME
from mlplab.network import build_mlp
from mlplab.runs import lock
from mlplab.runs.completion import write_outputs
from mlplab.runs.directory import (
    CHECKPOINTS_DIR,
    CONFIG_FILE,
    METRICS_FILE,
    PLOTS_DIR,
    marker,
    now,
    prepare_directory,
    read_info,
    replaced_path,
    write_info,
)
from mlplab.runs.fit import fit, resume_point
from mlplab.runs.metrics_file import write_metrics
from mlplab.runs.record import Run
from mlplab.training.distributed import agree, on_root
from mlplab.training.interrupts import Interrupted, deferring, signal_name

SPLITS = ("train", "val", "test")


def train(
    config=None,
    *,
    force: bool = False,
    quiet: bool = True,
    progress: bool | None = None,
    callbacks=(),
    comm=None,
    splits=SPLITS,
) -> Run:
    """Train a network as ``config`` says (a ``RunConfig``, a nested dict, or a TOML path).

    Writes a run directory (``mlplab.runs``) and returns the ``Run``; ``run.model`` predicts
    with ``run.model.predict(x)``. ``quiet=False`` prints one line per epoch; ``progress``
    shows the trainer's progress bar (default: when stderr is a terminal). ``splits``: the
    splits the final metrics are measured on (a search's trials leave out ``test``).
    """
    config = as_config(config if config is not None else RunConfig())
    options = {"quiet": quiet, "progress": progress, "callbacks": callbacks, "comm": comm}
    return _execute(config, None, force=force, splits=splits, **options)


def resume(
    path, *, quiet: bool = True, progress: bool | None = None, callbacks=(), comm=None
) -> Run:
    """Continue an interrupted run from its last checkpoint, in its own directory."""
    directory = Path(path)
    config, checkpoint = on_root(comm, lambda: _resume_point(directory))
    options = {"quiet": quiet, "progress": progress, "callbacks": callbacks, "comm": comm}
    return _execute(config, directory, **options, resume=True, checkpoint=checkpoint)


def _resume_point(directory: Path):
    """The config of the run in ``directory``, if it is a run that can be resumed, and the
    checkpoint it continues from, once the temporaries of killed writers are gone."""
    if not (directory / CONFIG_FILE).is_file():
        raise FileFormatError(f"{directory}: not a run directory (no {CONFIG_FILE})")
    config = load_config(directory / CONFIG_FILE).validate()
    info = read_info(directory)  # none or corrupt: try the checkpoint
    if info.get("status") == "complete":
        raise ConfigError(
            f"{directory}: the run is already complete ({info.get('epochs')} epochs); "
            "nothing to resume"
        )
    if info.get("status") == "incomplete":
        raise ConfigError(
            f"{directory}: training finished, its plots or report did not; "
            f"rebuild them with: mlplab report {directory}"
        )
    for folder in (directory, directory / CHECKPOINTS_DIR, directory / PLOTS_DIR):
        remove_temporaries(folder)  # left by a process killed while writing
    return config, resume_point(config, directory)  # before run.json says anything new


@dataclass
class Data:
    """The load step's result: the dataset, its fitted preprocessing, arrays per split, and
    the sample weights per split (``{split: None}`` when the run is unweighted)."""

    dataset: object
    preprocessing: Preprocessing
    x: dict
    y: dict
    w: dict


def _execute(
    config, directory, *, quiet, progress, callbacks, comm=None, resume=False, force=False,
    checkpoint=None, splits=SPLITS,
) -> Run | None:  # fmt: skip
    started = time.perf_counter()
    data, model = agree(comm, lambda: _load_and_build(config))
    replaced, root = None, comm is None or comm.root
    if directory is None:
        directory, replaced = on_root(comm, lambda: prepare_directory(config, force))  # locked
        replaced = replaced if root else None
    else:
        on_root(comm, lambda: lock.acquire(directory))
    try:
        on_root(comm, lambda: _start_record(config, directory, resume))
        options = {"quiet": quiet, "progress": progress, "callbacks": callbacks, "comm": comm}
        try:
            with deferring((signal.SIGINT, signal.SIGTERM)):  # training stops between two steps
                history = _train(
                    model.network,
                    data,
                    config,
                    directory,
                    replaced,
                    {**options, "resume": checkpoint},
                )
            if not root:
                return None
            run = finish(config, directory, model, data, history, started, splits)
        except KeyboardInterrupt as stop:
            if not root:
                raise
            raise _interrupted(stop, directory, replaced) from None
        if replaced is None and resume:  # a resumed --force run: the run it replaced can go now
            replaced = replaced_path(directory)
        if replaced is not None and replaced.is_dir():
            shutil.rmtree(replaced)
        return run
    finally:
        if root:
            lock.release(directory)


def _start_record(config, directory: Path, resume: bool) -> None:
    """``config.toml`` (a new run) and ``run.json`` saying the run is running."""
    if not resume:
        save_config(_replay_config(config), directory / CONFIG_FILE)
    write_info(directory, {"status": "running", "started": now(), **marker()})


def _load_and_build(config):
    data = load(config)
    return data, build(config, data)


# -- the steps ----------------------------------------------------------------------------------
def load(config: RunConfig) -> Data:
    """Load the data and fit the preprocessing on the training split; transform every split."""
    dataset = config.data.load(targets_of_loss(config.network.loss))
    preprocessing = Preprocessing.from_specs(config.data.preprocess, dataset.feature_shape)
    x = {which: dataset.split(which)[0] for which in SPLITS}
    y = {which: dataset.split(which)[1] for which in SPLITS}
    if len(preprocessing):
        preprocessing.fit(x["train"])
        # an empty split (--val-fraction 0, tiny data) stays empty
        x = {w: preprocessing.transform(v) if len(v) else v for w, v in x.items()}
    return Data(dataset, preprocessing, x, y, split_weights(config, dataset, y))


def split_weights(config: RunConfig, dataset, y: dict) -> dict:
    """Each split's row weights: ``[data] weight`` times ``[training] class_weight`` (the
    balanced weights from the training split's counts); None where neither is set."""
    from mlplab.data.sample_weights import class_weight_per_class, parse_class_weight, row_weights

    class_weight = parse_class_weight(config.training.class_weight, "training.class_weight")
    per_class = None
    if class_weight is not None:
        per_class = class_weight_per_class(class_weight, dataset.classes, y["train"])
    return {which: row_weights(dataset.weight(which), per_class, y[which]) for which in y}


def build(config: RunConfig, data: Data) -> Model:
    """The network of ``[network]``, sized by the data (outputs: classes or targets), in a
    ``Model`` with the preprocessing, the labels and the config that replays the run."""
    outputs = output_size(data.dataset.labels, targets_of_loss(config.network.loss))
    network_config = replace(
        config.network, input_size=int(data.x["train"].shape[1]), output_size=int(outputs)
    )
    network = build_mlp(network_config, seed=config.training.seed)
    return Model(
        network,
        preprocessing=data.preprocessing,
        labels=data.dataset.labels,
        n_features_in=data.dataset.n_features,
        config=_replay_config(config).to_dict(),
        feature_names=data.dataset.feature_names,
    )


def _train(network, data: Data, config, directory, replaced, options) -> list[dict]:
    """The train step (``fit``), recording in ``run.json`` how it ended if it did not finish.

    When training fails, a run that ``--force`` was replacing comes back (``replaced``).
    Off rank 0 (``comm``) nothing is recorded."""
    root = options["comm"] is None or options["comm"].root
    try:
        return fit(
            network, (data.x["train"], data.y["train"], data.w["train"]),
            (data.x["val"], data.y["val"], data.w["val"]), config, directory, **options,
        )  # fmt: skip
    except MlplabError as e:
        if not root:
            raise
        if replaced is not None:  # --force replaces a run only with a finished one
            shutil.rmtree(directory)
            replaced.rename(directory)
            message = str(e).split(" The last good checkpoint is ")[0]  # it was just removed
            kept = type(e)(f"{message} ({directory}: the previous run is kept)")
            kept.agreed = getattr(e, "agreed", False)
            raise kept from None
        diverged = {"diverged": str(e)} if isinstance(e, DivergenceError) else {}
        write_info(directory, {"status": "failed", "error": str(e), **diverged})
        raise


def _interrupted(stop: KeyboardInterrupt, directory: Path, replaced) -> Interrupted:
    """Record in ``run.json`` that the run was interrupted; the one line that says where it
    stopped and how to continue, as an ``Interrupted`` with the signal's exit code."""
    write_info(directory, {"status": "interrupted"})
    signum = getattr(stop, "signum", signal.SIGINT)
    if isinstance(stop, Interrupted) and not stop.hard and str(stop):
        message = str(stop)  # stopped between two steps, a checkpoint saved there
    else:
        message = f"interrupted by {signal_name(signum)}; the last complete checkpoint is kept"
    message += f"; continue with: mlplab train --resume {directory}"
    if replaced is not None:
        message += f" (the run it replaces stays in {replaced} until this one completes)"
    interrupted = Interrupted(signum, message, hard=getattr(stop, "hard", True))
    interrupted.agreed = getattr(stop, "agreed", False)  # every rank stopped at this step
    return interrupted


def finish(
    config, directory: Path, model: Model, data: Data, history, started: float, splits=SPLITS
) -> Run:
    """Final metrics per split (of ``splits``), then the model, metrics.csv, run.json, plots
    and report."""
    network, dataset = model.network, data.dataset
    metrics = {
        which: evaluate_network(
            network,
            data.x[which],
            data.y[which],
            confusion=(dataset.n_classes or True) if which == "test" else False,
            weight=data.w[which],
        )
        for which in SPLITS
        if which in splits and len(data.y[which])
    }
    seconds = time.perf_counter() - started
    info = {
        "finished": now(),
        "epochs": len(history),
        "seconds": round(seconds, 3),
        "parameters": network.parameter_count(),
        "data": {
            "name": dataset.name,
            "source": dataset.source,
            "examples": {which: int(len(data.y[which])) for which in data.y},
            "features": dataset.n_features,
            "classes": dataset.classes,
        },
        "metrics": metrics,
    }
    info.update(_weights_and_best(config, history))
    info = write_info(directory, info)  # first: a model on disk implies its final metrics
    model.save(directory / MODEL_FILENAME)
    write_metrics(directory / METRICS_FILE, history)
    run = Run(directory, config, model, history, metrics, info)
    write_outputs(run)  # plots, report, then "complete"
    return run


def _weights_and_best(config: RunConfig, history) -> dict:
    """run.json's ``weights`` (when the run is weighted) and ``keep_best`` (the epoch whose
    weights the model has, when ``[training] keep_best`` is set)."""
    from mlplab.training.early_stopping import metric_mode

    found = {}
    if config.data.weight or config.training.class_weight:
        found["weights"] = {
            "column": config.data.weight or None,
            "class_weight": config.training.class_weight or None,
        }
    monitor = config.training.keep_best
    scored = [r for r in history if monitor and monitor in r]
    if scored:
        pick = min if metric_mode(monitor) == "min" else max
        best = pick(scored, key=lambda r: r[monitor])  # the first of equals, as KeepBest
        found["keep_best"] = {"monitor": monitor, "epoch": best["epoch"], "value": best[monitor]}
    return found


def _replay_config(config: RunConfig) -> RunConfig:
    """The config to save: without the directory, so that replaying it writes a new run."""
    replay = config.copy()
    replay.output.dir = ""
    return replay
