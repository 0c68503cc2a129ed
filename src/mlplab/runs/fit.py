"""The train step of a run: the callbacks a run directory needs, the ``Trainer`` its config
describes, and the fit."""

import sys

from mlplab.errors import FileFormatError
from mlplab.runs.directory import CHECKPOINTS_DIR, METRICS_FILE
from mlplab.runs.epoch_lines import EpochLines
from mlplab.runs.metrics_file import MetricsFile
from mlplab.training import (
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


def fit(network, train_data, val_data, config, directory, *, quiet, progress, callbacks, resume):
    """Train ``network`` in place; return the per-epoch records.

    ``train_data`` and ``val_data`` are ``(x, y, w)`` with w the rows' sample weights (or None).
    The optimizer and the schedule are the config's tables, as they are (``get_optimizer``,
    ``get_schedule``); ``[training] l2`` is the L2 penalty.
    """
    t = config.training
    checkpoints = directory / CHECKPOINTS_DIR
    trainer = Trainer(
        network,
        optimizer=dict(t.optimizer),
        schedule=dict(t.schedule),
        l2=t.l2,
        batch_size=t.batch_size,
        epochs=t.epochs,
        seed=t.seed,
        callbacks=callback_stack(config, directory, quiet, progress, callbacks),
        quiet=quiet or progress is False,
    )
    last = checkpoints / "last.safetensors"
    if resume and not last.is_file():
        raise FileFormatError(f"{directory}: no checkpoint to resume from ({last} is missing)")
    x, y, w = train_data
    xv, yv, wv = val_data
    validation = ((xv, yv) if wv is None else (xv, yv, wv)) if len(yv) else None
    history = trainer.fit(
        x, y, validation_data=validation, resume=last if resume else None, sample_weight=w
    )
    if not t.checkpoint_every:
        save_checkpoint(trainer, last)
    return [dict(record) for record in history.records]


def callback_stack(config, directory, quiet, progress, callbacks) -> list:
    """Callbacks in a fixed order (checkpoints save their state by position): early stopping
    and keep-best (when configured), the babysitting monitors (with plots or TensorBoard; they log
    per-layer statistics and update/weight ratios into the history), the metrics file, the epoch
    lines, the config's callbacks, the caller's, TensorBoard (when configured), checkpoints."""
    t = config.training
    stack = []
    if t.early_stopping:
        stack.append(EarlyStopping(monitor="val_loss", patience=t.early_stopping))
    if t.keep_best:
        stack.append(KeepBest(monitor=t.keep_best))
    if config.output.plots or config.output.tensorboard:
        stack += [LayerStatsMonitor(), UpdateRatioMonitor()]
    stack.append(MetricsFile(directory / METRICS_FILE))
    if not quiet and not (progress if progress is not None else sys.stderr.isatty()):
        stack.append(EpochLines(sys.stderr))
    stack += [get_callback(spec) for spec in t.callbacks]
    stack += list(callbacks)
    if config.output.tensorboard:
        stack.append(TensorBoard(config.output.tensorboard))
    stack.append(Checkpoint(directory / CHECKPOINTS_DIR, every_epochs=t.checkpoint_every or None))
    return stack
