"""Polyak averaging: evaluate a running average of the weights instead of the weights themselves.

After every optimizer step t = 1, 2, ..., for every learnable array w (an exponential moving
average, the form the lecture recommends; Polyak & Juditsky 1992 average uniformly):

    w̄ ← β_t w̄ + (1 − β_t) w,     β_t = min(β, (1 + t) / (10 + t)) with ``warmup`` (else β),

w̄ starting as the weights when training starts. The warm-up (as in TensorFlow's
``ExponentialMovingAverage(num_updates=...)``) lets the average forget the random initial weights
in a short run; with β = 0.999 and a few hundred steps it otherwise stays near them.

The average sits nearer the bottom of the valley the noisy SGD iterates bounce around, so it
usually evaluates better, for free (an ensemble of the iterates along the trajectory). Each
epoch the callback logs ``ema_val_loss`` and ``ema_val_accuracy`` (given validation data);
at the end of training it puts the average into the network (``apply_at_end``), so the saved
and evaluated model is the averaged one. Batch-norm running statistics (``buffers``) are
averaged the same way, so they match the averaged weights.
"""

import numpy as np

from mlplab.errors import ConfigError
from mlplab.training.callbacks import Callback


class PolyakAveraging(Callback):
    """EMA of the weights with decay ``beta`` (0 < β < 1), updated after each step."""

    order = 50  # before checkpoints (order 100), so a checkpoint saves this step's average

    def __init__(self, beta: float = 0.999, validation_data=None, apply_at_end=True, warmup=True):
        if not 0.0 < beta < 1.0:
            raise ConfigError(f"Polyak averaging: beta must be in (0, 1), got {beta}")
        self.beta = float(beta)
        self.warmup = bool(warmup)
        self.updates = 0
        self.validation_data = validation_data
        self.apply_at_end = bool(apply_at_end)
        self.average: dict = {}

    # -- the average ------------------------------------------------------------------------------
    def on_train_begin(self, trainer):
        arrays = dict(_averaged_arrays(trainer.net))
        if set(self.average) != set(arrays):  # a resumed run keeps its restored average
            self.average = {name: value.copy() for name, value in arrays.items()}
            self.updates = 0

    def on_batch_end(self, trainer):
        self.updates += 1
        beta = self.current_beta()
        for name, value in _averaged_arrays(trainer.net):
            average = self.average[name]
            average *= average.dtype.type(beta)
            average += average.dtype.type(1.0 - beta) * value

    def current_beta(self) -> float:
        """β for the latest update (``updates`` counts them)."""
        if not self.warmup:
            return self.beta
        return min(self.beta, (1.0 + self.updates) / (10.0 + self.updates))

    def on_epoch_end(self, trainer):
        if self.validation_data is None:
            return
        with self.swapped_in(trainer.net):
            logs = trainer.evaluate(*self.validation_data, prefix="ema_val_")
        trainer.epoch_logs.update(logs)

    def on_train_end(self, trainer):
        if self.apply_at_end:
            self.copy_to(trainer.net)

    # -- using it ---------------------------------------------------------------------------------
    def copy_to(self, net) -> None:
        """Overwrite the network's weights (and batch-norm statistics) with the average."""
        for name, value in _averaged_arrays(net):
            value[...] = self.average[name]

    def swapped_in(self, net):
        """A context in which ``net`` holds the average; its own weights come back after."""
        return _Swap(self, net)

    # -- checkpoints ------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        return {"updates": self.updates, **{f"average/{k}": v for k, v in self.average.items()}}

    def load_state_dict(self, state: dict) -> None:
        self.updates = int(state.get("updates", 0))
        self.average = {
            k[len("average/") :]: np.array(v) for k, v in state.items() if k.startswith("average/")
        }


class _Swap:
    def __init__(self, averaging: PolyakAveraging, net):
        self.averaging, self.net = averaging, net

    def __enter__(self):
        self.saved = {name: value.copy() for name, value in _averaged_arrays(self.net)}
        self.averaging.copy_to(self.net)
        return self.net

    def __exit__(self, *exc):
        for name, value in _averaged_arrays(self.net):
            value[...] = self.saved[name]
        return False


def _averaged_arrays(net):
    """(name, array) for every parameter and every floating-point buffer of ``net``."""
    for name, layer, key in net.parameters():
        yield name, layer.params[key]
    for i, layer in enumerate(net.layers):
        for key, value in getattr(layer, "buffers", {}).items():
            if hasattr(value, "dtype") and value.dtype.kind == "f":
                yield f"buffer/{i}.{key}", value
