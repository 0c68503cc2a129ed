"""Early stopping on a validation metric, restoring the best weights."""

import math

import numpy as np

from mlplab.errors import ConfigError
from mlplab.training.callbacks import Callback

#: parts of a metric's name that mean larger is better
LARGER_IS_BETTER = ("acc", "f1", "precision", "recall", "r2", "auc")


def metric_mode(monitor: str) -> str:
    """``"max"`` for a metric where larger is better (accuracy, F1, precision, recall, R², AUC),
    else ``"min"`` (losses, errors), as Keras's and Lightning's ``mode="auto"``."""
    return "max" if any(part in monitor.lower() for part in LARGER_IS_BETTER) else "min"


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    mode: ``"min"``, ``"max"`` or ``"auto"`` (``metric_mode``: max for accuracy, F1, precision,
    recall, R², else min). With
    ``restore_best_weights`` the network's parameters and buffers are set back, at the end of
    training, to those of the best epoch (``best_epoch``, 1-based, as in the history).
    ties: ``"first"`` (Keras's rule: an equal value is no improvement, the first of equally
    good epochs is kept) or ``"last"`` (an equal value counts: the latest is kept and patience
    starts again). Accuracy on a small validation set moves in steps of 1/n and plateaus; with
    ``"last"`` a plateau does not stop the run and the epoch kept is the most trained of the
    equally good ones.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 5,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best_weights: bool = True,
        ties: str = "first",
    ):
        if mode == "auto":
            mode = metric_mode(monitor)
        if mode not in ("min", "max"):
            raise ConfigError(f"early stopping: mode must be min, max or auto, got {mode!r}")
        if int(patience) < 0:
            raise ConfigError(f"early stopping: patience must be >= 0, got {patience}")
        if ties not in ("first", "last"):
            raise ConfigError(f"early stopping: ties must be first or last, got {ties!r}")
        self.monitor, self.patience, self.mode, self.ties = monitor, int(patience), mode, ties
        self.min_delta = abs(float(min_delta))
        self.restore_best_weights = bool(restore_best_weights)
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = 0
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights: dict = {}
        self._stopped_before = False  # restored from a checkpoint written after it fired

    def on_train_begin(self, trainer):
        if self._stopped_before:  # a resumed run ends where the uninterrupted one ended
            trainer.stop_training = True
            self._stopped_before = False

    what = "early stopping"

    def _improved(self, value: float) -> bool:
        target = self.best - self.min_delta if self.mode == "min" else self.best + self.min_delta
        if value == target:
            return self.ties == "last"
        return value < target if self.mode == "min" else value > target

    def on_epoch_end(self, trainer):
        if not self.observe(trainer):
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = int(trainer.epoch_logs["epoch"])
                trainer.stop_training = True

    def observe(self, trainer) -> bool:
        """Read ``monitor`` from the epoch's logs; on an improvement remember the epoch (and
        the weights) and return True."""
        logs = trainer.epoch_logs
        if self.monitor not in logs:
            raise ConfigError(
                f"{self.what}: metric {self.monitor!r} is not logged; available: "
                f"{', '.join(k for k in logs if k != 'epoch')} (val_* needs validation data)"
            )
        value = float(logs[self.monitor])
        if not self._improved(value):
            return False
        self.best, self.best_epoch, self.wait = value, int(logs["epoch"]), 0
        if self.restore_best_weights:
            self._snapshot(trainer.net)
        return True

    def on_train_end(self, trainer):
        if self.restore_best_weights and self.best_weights:
            for key, array in _arrays(trainer.net):
                array[...] = self.best_weights[key]

    def _snapshot(self, net):
        for key, array in _arrays(net):
            if key in self.best_weights:
                self.best_weights[key][...] = array
            else:
                self.best_weights[key] = array.copy()

    def state_dict(self) -> dict:
        state = {
            "best": self.best,
            "best_epoch": self.best_epoch,
            "wait": self.wait,
            "stopped_epoch": self.stopped_epoch,
        }
        state.update({f"weights.{k}": v for k, v in self.best_weights.items()})
        return state

    def load_state_dict(self, state: dict) -> None:
        self.best = float(state["best"])
        self.best_epoch = int(state["best_epoch"])
        self.wait = int(state["wait"])
        self.stopped_epoch = int(state["stopped_epoch"])
        self._stopped_before = self.stopped_epoch > 0
        self.best_weights = {
            k[len("weights.") :]: np.array(v) for k, v in state.items() if k.startswith("weights.")
        }


def _arrays(net):
    """(key, live array) for every parameter and buffer of ``net``."""
    for i, layer in enumerate(net.layers):
        for key, value in layer.params.items():
            yield f"{i}.params.{key}", value
        for key, value in getattr(layer, "buffers", {}).items():
            yield f"{i}.buffers.{key}", value
