"""Polyak averaging: evaluate a running average of the weights instead of the weights themselves.

After every optimizer step, for every learnable array w (an exponential moving average, the
form the lecture recommends; Polyak & Juditsky 1992 average uniformly):

    w̄ ← β w̄ + (1 − β) w,        w̄ starts as the weights when training starts.

The average sits nearer the bottom of the valley the noisy SGD iterates bounce around, so it
usually evaluates better, for free (an ensemble of the iterates along the trajectory). Each
epoch the callback logs ``ema_val_loss`` and ``ema_val_accuracy`` (given validation data);
at the end of training it puts the average into the network (``apply_at_end``), so the saved
and evaluated model is the averaged one. Batch-norm running statistics are left as they are.
"""

import numpy as np

from mlplab.errors import ConfigError
from mlplab.train.callbacks import Callback


class PolyakAveraging(Callback):
    """EMA of the weights with decay ``beta`` (0 < β < 1), updated after each step."""

    order = 50  # before checkpoints (order 100), so a checkpoint saves this step's average

    def __init__(self, beta: float = 0.99, validation_data=None, apply_at_end: bool = True):
        if not 0.0 < beta < 1.0:
            raise ConfigError(f"Polyak averaging: beta must be in (0, 1), got {beta}")
        self.beta = float(beta)
        self.validation_data = validation_data
        self.apply_at_end = bool(apply_at_end)
        self.average: dict = {}

    # -- the average ------------------------------------------------------------------------------
    def on_train_begin(self, trainer):
        names = {name for name, _, _ in trainer.net.parameters()}
        if set(self.average) != names:  # a resumed run keeps its restored average
            self.average = {
                name: layer.params[key].copy() for name, layer, key in trainer.net.parameters()
            }

    def on_batch_end(self, trainer):
        beta = self.beta
        for name, layer, key in trainer.net.parameters():
            average = self.average[name]
            average *= average.dtype.type(beta)
            average += average.dtype.type(1.0 - beta) * layer.params[key]

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
        """Overwrite the network's weights with the average."""
        for name, layer, key in net.parameters():
            layer.params[key][...] = self.average[name]

    def swapped_in(self, net):
        """A context in which ``net`` holds the average; its own weights come back after."""
        return _Swap(self, net)

    # -- checkpoints ------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        return {"beta": self.beta, **{f"average/{k}": v for k, v in self.average.items()}}

    def load_state_dict(self, state: dict) -> None:
        self.average = {
            k[len("average/") :]: np.array(v) for k, v in state.items() if k.startswith("average/")
        }


class _Swap:
    def __init__(self, averaging: PolyakAveraging, net):
        self.averaging, self.net = averaging, net

    def __enter__(self):
        self.saved = {name: layer.params[key].copy() for name, layer, key in self.net.parameters()}
        self.averaging.copy_to(self.net)
        return self.net

    def __exit__(self, *exc):
        for name, layer, key in self.net.parameters():
            layer.params[key][...] = self.saved[name]
        return False
