"""TensorBoard: the history's scalars, per-layer histograms and a run's hyperparameters.

Every epoch the numbers of the history record go out as scalars under their history names
(``loss``, ``val_accuracy``, ``lr``, ``update_ratio/<param>``, ``dead/<layer>``,
``saturated/<layer>``... — whatever the monitors logged), at step = epoch (1-based, as in the
history). Every ``histograms_every`` epochs: ``weights/<param>`` and ``gradients/<param>`` (the
last batch's gradients) and ``activations/<layer>`` (each layer's output on a fixed probe of the
first ``probe_size`` training rows, evaluation mode). At the end of training, with
``hparams``, one HParams entry: the hyperparameters and the final numbers of the history
(TensorBoard's HParams view compares the runs of a search side by side).

Written through tensorboardX, the ``tensorboard`` extra: ``pip install 'mlplab[tensorboard]'``.
"""

import math
import numbers
import uuid

import numpy as np

from mlplab.errors import ConfigError
from mlplab.training.callbacks import Callback

EXTRA = "TensorBoard needs tensorboardX: pip install 'mlplab[tensorboard]'"


def summary_writer(log_dir):
    """tensorboardX's ``SummaryWriter`` on ``log_dir``, or a one-line error naming the extra.

    Each writer gets its own file: event files are named by the second they were opened in, so
    two writers of one folder within a second (a trial's curve and its HParams) would share one."""
    require_tensorboardx()
    from tensorboardX import SummaryWriter

    return SummaryWriter(logdir=str(log_dir), filename_suffix=f".{uuid.uuid4().hex[:8]}")


def require_tensorboardx() -> None:
    """A ``ConfigError`` naming the extra when tensorboardX is not installed."""
    try:
        import tensorboardX  # noqa: F401
    except ImportError:
        raise ConfigError(EXTRA) from None


class TensorBoard(Callback):
    """Write scalars, histograms and hyperparameters to TensorBoard event files in ``log_dir``.

    ``histograms_every``: epochs between histograms (0 = none). ``hparams``: a dict of the run's
    hyperparameters (plain values) for the HParams view, written when training ends.
    """

    order = 95  # after the monitors and the epoch's own callbacks have logged their numbers

    def __init__(
        self,
        log_dir: str = "tensorboard",
        histograms_every: int = 1,
        probe_size: int = 256,
        hparams: dict | None = None,
    ):
        self.log_dir, self.histograms_every = str(log_dir), max(0, int(histograms_every))
        self.probe_size, self.hparams = int(probe_size), dict(hparams or {})
        self.writer = None
        require_tensorboardx()  # before training starts

    def on_train_begin(self, trainer):
        if self.writer is None:
            self.writer = summary_writer(self.log_dir)
        X, _, rows = trainer.train_data
        rows = np.sort(rows[: self.probe_size])
        self.probe = np.asarray(X[rows], dtype=trainer.net.dtype)

    def on_epoch_end(self, trainer):
        logs = trainer.epoch_logs
        step = int(logs["epoch"])
        for tag, value in scalars(logs).items():
            self.writer.add_scalar(tag, value, step)
        if self.histograms_every and step % self.histograms_every == 0:
            self._histograms(trainer.net, step)
        self.writer.flush()

    def _histograms(self, net, step: int):
        for name, layer, key in net.parameters():
            self.writer.add_histogram(f"weights/{name}", _host(layer.params[key]), step)
            self.writer.add_histogram(f"gradients/{name}", _host(layer.grads[key]), step)
        h = self.probe
        for i, layer in enumerate(net.layers):
            h = layer.forward(h, False)
            self.writer.add_histogram(f"activations/{i}.{type(layer).__name__}", _host(h), step)

    def on_train_end(self, trainer):
        if self.hparams and trainer.history.records:
            record = trainer.history.records[-1]
            add_hparams(self.writer, self.hparams, scalars(record), int(record["epoch"]))
        self.close()

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def add_hparams(writer, hparams: dict, metrics: dict, step: int) -> None:
    """One HParams session in the writer's own directory: ``hparams`` and ``metrics`` (each
    also a scalar ``final/<name>`` at ``step``), so the view lists this run with its numbers."""
    from tensorboardX.summary import hparams as hparams_summary

    final = {f"final/{name}": float(value) for name, value in metrics.items()}
    for summary in hparams_summary(hparam_values(hparams), final):
        writer.file_writer.add_summary(summary)
    for tag, value in final.items():
        writer.add_scalar(tag, value, step)
    writer.flush()


def write_hparams(log_dir, hparams: dict, metrics: dict, step: int) -> None:
    """``add_hparams`` on the event files of ``log_dir`` (a search trial that has ended)."""
    writer = summary_writer(log_dir)
    try:
        add_hparams(writer, hparams, scalars(metrics), step)
    finally:
        writer.close()


def scalars(record: dict) -> dict:
    """The finite numbers of a history record, but its epoch."""
    return {
        key: float(value)
        for key, value in record.items()
        if key != "epoch"
        and isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(value)
    }


def hparam_values(values: dict) -> dict:
    """Hyperparameters as TensorBoard takes them: numbers, strings and booleans; others (lists,
    tables) as their text."""
    return {
        str(k): v if isinstance(v, bool | int | float | str) else str(v) for k, v in values.items()
    }


def _host(a):
    """A NumPy array (a CuPy array is copied to the host)."""
    return a.get() if hasattr(a, "get") else np.asarray(a)
