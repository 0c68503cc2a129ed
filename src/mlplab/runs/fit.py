"""The train step of a run: the callbacks a run directory needs, the ``Trainer`` its config
describes, and the fit."""

import sys
import warnings

from mlplab.config.epoch_budget import run_epochs
from mlplab.losses import LOSSES
from mlplab.runs.directory import CHECKPOINTS_DIR, METRICS_FILE
from mlplab.runs.epoch_lines import EpochLines
from mlplab.runs.metrics_file import MetricsFile
from mlplab.runs.resume_check import KEY, check_unchanged, run_settings
from mlplab.training import (
    BatchNormGapMonitor,
    Callback,
    Checkpoint,
    EarlyStopping,
    KeepBest,
    LayerStatsMonitor,
    TensorBoard,
    Trainer,
    UpdateRatioMonitor,
    get_callback,
    save_checkpoint,
)
from mlplab.training.checkpoint import (
    CheckpointData,
    CheckpointWarning,
    load_latest,
    previous_path,
)


def fit(
    network, train_data, val_data, config, directory, *, quiet, progress, callbacks, resume,
    comm=None,
):  # fmt: skip
    """Train ``network`` in place; return the per-epoch records. ``resume``: the checkpoint to
    continue from (``resume_point``) or None.

    ``train_data`` and ``val_data`` are ``(x, y, w)`` with w the rows' sample weights (or None).
    The epochs are ``[training] epochs`` or, when 0, those its step budget takes on
    ``train_data`` (``run_epochs``). The optimizer and the schedule are the config's tables,
    as they are (``get_optimizer``, ``get_schedule``); ``[training] l2`` and ``l1`` are the
    penalties, ``max_norm`` and ``clip_norm`` the constraint and the clipping (0 = off). With
    ``comm``, data-parallel over its ranks; only rank 0 reads and writes the run directory
    (metrics, checkpoints) and prints epoch lines.
    """
    t = config.training
    root = comm is None or comm.root
    settings = {KEY: run_settings(directory)} if root else None
    validated = len(val_data[1]) > 0
    trainer = Trainer(
        network,
        optimizer=dict(t.optimizer),
        schedule=dict(t.schedule),
        l2=t.l2,
        l1=t.l1,
        max_norm=t.max_norm or None,
        clip_norm=t.clip_norm or None,
        batch_size=t.batch_size,
        epochs=run_epochs(t, len(train_data[1])),
        seed=t.seed,
        callbacks=callback_stack(
            config, directory, quiet, progress, callbacks, settings, root, validated=validated
        ),
        quiet=quiet or progress is False or not root,
        comm=comm,
    )
    last = directory / CHECKPOINTS_DIR / "last.safetensors"
    x, y, w = train_data
    xv, yv, wv = val_data
    validation = ((xv, yv) if wv is None else (xv, yv, wv)) if validated else None
    history = trainer.fit(x, y, validation_data=validation, resume=resume, sample_weight=w)
    if not t.checkpoint_every and root:
        save_checkpoint(trainer, last, settings, keep_previous=True)
    return [dict(record) for record in history.records]


def resume_point(config, directory) -> CheckpointData | None:
    """The checkpoint a resumed run continues from (the latest readable one), after checking
    that ``config.toml`` still says what it said when the run started; None, with a warning,
    for a run stopped before its first checkpoint (it starts over: nothing was saved)."""
    last = directory / CHECKPOINTS_DIR / "last.safetensors"
    if not last.is_file() and not previous_path(last).is_file():
        warnings.warn(
            f"{directory}: no checkpoint yet ({last} is missing): the run was stopped before "
            "its first one; training starts from the beginning",
            CheckpointWarning,
            stacklevel=2,
        )
        return None
    checkpoint = load_latest(last)
    check_unchanged(checkpoint, run_settings(directory), config.training.epochs, directory)
    return checkpoint


def callback_stack(
    config, directory, quiet, progress, callbacks, settings=None, root=True, validated=True
) -> list:
    """Callbacks in a fixed order (checkpoints save their state by position): early stopping
    (when configured and there are validation rows to watch) and keep-best (when configured),
    the babysitting monitors (with plots or TensorBoard; they log per-layer statistics,
    update/weight ratios and, with batch norm, its batch-vs-running-average gap into the
    history), the metrics file, the epoch lines, the config's callbacks, the caller's,
    TensorBoard (when configured), checkpoints. Off rank 0 (``root`` False) the ones that write
    files or lines are placeholders, so that every rank's callbacks have the same positions."""
    t = config.training
    configured = [get_callback(spec) for spec in t.callbacks]
    stack = []
    if t.early_stopping and validated:
        monitor = early_stopping_monitor(config)
        stack.append(EarlyStopping(monitor=monitor, patience=t.early_stopping, ties="last"))
    if t.keep_best:
        stack.append(KeepBest(monitor=t.keep_best))
    if config.output.plots or config.output.tensorboard:
        stack += [LayerStatsMonitor(), UpdateRatioMonitor()]
        if not any(isinstance(cb, BatchNormGapMonitor) for cb in configured):
            stack.append(BatchNormGapMonitor())
    stack.append(MetricsFile(directory / METRICS_FILE) if root else Callback())
    if not quiet and not (progress if progress is not None else sys.stderr.isatty()):
        stack.append(EpochLines(sys.stderr) if root else Callback())
    stack += configured
    stack += list(callbacks)
    if config.output.tensorboard:
        stack.append(TensorBoard(config.output.tensorboard) if root else Callback())
    every = t.checkpoint_every or None
    checkpoint = Checkpoint(
        directory / CHECKPOINTS_DIR,
        every_epochs=every,
        extra=settings,
        max_overhead=t.checkpoint_overhead,
    )
    stack.append(checkpoint if root else Callback())
    return stack


def early_stopping_monitor(config) -> str:
    """``[training] early_stopping_monitor``, or when "" val_accuracy for a classification
    loss and val_loss for the others (benchmarks/ACCURACY.md: on noisy data the validation
    loss turns up while the accuracy still climbs, and stopping on it cost up to 5 points)."""
    if config.training.early_stopping_monitor:
        return config.training.early_stopping_monitor
    task = getattr(LOSSES.get(config.network.loss), "task", "")
    return "val_accuracy" if task == "classification" else "val_loss"
