"""The train step of a run: the callbacks a run directory needs, the ``Trainer`` its config
describes, and the fit."""

import sys

from mlplab.errors import FileFormatError
from mlplab.runs.directory import CHECKPOINTS_DIR, METRICS_FILE
from mlplab.runs.epoch_lines import EpochLines
from mlplab.runs.metrics_file import MetricsFile
from mlplab.training import (
    BatchNormGapMonitor,
    Checkpoint,
    EarlyStopping,
    LayerStatsMonitor,
    Trainer,
    UpdateRatioMonitor,
    get_callback,
    save_checkpoint,
)


def fit(network, train_data, val_data, config, directory, *, quiet, progress, callbacks, resume):
    """Train ``network`` in place; return the per-epoch records.

    The optimizer and the schedule are the config's tables, as they are (``get_optimizer``,
    ``get_schedule``); ``[training] l2`` and ``l1`` are the penalties, ``max_norm`` and
    ``clip_norm`` the constraint and the clipping (0 = off).
    """
    t = config.training
    checkpoints = directory / CHECKPOINTS_DIR
    trainer = Trainer(
        network,
        optimizer=dict(t.optimizer),
        schedule=dict(t.schedule),
        l2=t.l2,
        l1=t.l1,
        max_norm=t.max_norm or None,
        clip_norm=t.clip_norm or None,
        batch_size=t.batch_size,
        epochs=t.epochs,
        seed=t.seed,
        callbacks=callback_stack(config, directory, quiet, progress, callbacks),
        quiet=quiet or progress is False,
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


def callback_stack(config, directory, quiet, progress, callbacks) -> list:
    """Callbacks in a fixed order (checkpoints save their state by position): early stopping
    (when configured), the babysitting monitors (with plots; they log per-layer statistics,
    update/weight ratios and, with batch norm, its batch-vs-running-average gap into the
    history), the metrics file, the epoch lines, the config's
    callbacks, the caller's, checkpoints."""
    t = config.training
    configured = [get_callback(spec) for spec in t.callbacks]
    stack = []
    if t.early_stopping:
        stack.append(EarlyStopping(monitor="val_loss", patience=t.early_stopping))
    if config.output.plots:
        stack += [LayerStatsMonitor(), UpdateRatioMonitor()]
        if not any(isinstance(cb, BatchNormGapMonitor) for cb in configured):
            stack.append(BatchNormGapMonitor())
    stack.append(MetricsFile(directory / METRICS_FILE))
    if not quiet and not (progress if progress is not None else sys.stderr.isatty()):
        stack.append(EpochLines(sys.stderr))
    stack += configured
    stack += list(callbacks)
    stack.append(Checkpoint(directory / CHECKPOINTS_DIR, every_epochs=t.checkpoint_every or None))
    return stack
