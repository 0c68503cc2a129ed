"""Babysitting: the ratio of each weight's update magnitude to its magnitude.

The rule of thumb (CS231n, "babysitting the learning process"): ‖ΔW‖ / ‖W‖ should be around
1e-3 per step. Much lower and the learning rate is probably too low; much higher, too high.
Measured every ``every`` steps (the weights are copied before the step, the difference taken
after), averaged per epoch, logged as ``update_ratio/<param>`` in the history, and a
``TrainingWarning`` is issued once per weight when its epoch mean leaves [low, high].
"""

import math
import warnings

import numpy as np

from mlplab.backend import array_module
from mlplab.training.callbacks import Callback


class TrainingWarning(UserWarning):
    """Something in a training run looks wrong (a babysitting monitor noticed it)."""


class UpdateRatioMonitor(Callback):
    """Per-weight ‖ΔW‖/‖W‖ every ``every`` steps; warn outside [low, high] (rule of thumb 1e-3).

    ``records``: one dict per epoch, ``{"epoch": e, "<param>": mean ratio, ...}``.
    ``weights_only``: watch ``decay_params`` (weights) only, not biases or batch-norm parameters.
    """

    def __init__(
        self,
        every: int = 10,
        low: float = 1e-4,
        high: float = 1e-2,
        warn: bool = True,
        weights_only: bool = True,
    ):
        self.every, self.low, self.high = max(1, int(every)), float(low), float(high)
        self.warn, self.weights_only = bool(warn), bool(weights_only)
        self.records: list[dict] = []
        self._warned: set = set()
        self._sums, self._count = {}, 0

    def on_train_begin(self, trainer):
        self._targets = [
            (name, layer, key)
            for name, layer, key in trainer.net.parameters()
            if not self.weights_only or key in getattr(layer, "decay_params", ())
        ]
        self._before = {
            name: array_module(layer.params[key]).empty_like(layer.params[key])
            for name, layer, key in self._targets
        }
        if set(self._sums) != set(self._before):  # a resumed epoch keeps its restored sums
            self._reset()
        self._armed = False

    def _reset(self):
        self._sums = dict.fromkeys(self._before, 0.0)
        self._count = 0

    def on_epoch_begin(self, trainer):
        self._reset()

    def on_batch_begin(self, trainer):
        self._armed = trainer.step % self.every == 0
        if self._armed:
            for name, layer, key in self._targets:
                self._before[name][...] = layer.params[key]

    def on_batch_end(self, trainer):
        if not self._armed:
            return
        for name, layer, key in self._targets:
            p, delta = layer.params[key], self._before[name]
            np.subtract(p, delta, out=delta)
            norm = float(np.sqrt(np.vdot(p, p)))
            self._sums[name] += float(np.sqrt(np.vdot(delta, delta))) / max(norm, 1e-30)
        self._count += 1

    def on_epoch_end(self, trainer):
        if not self._count:
            return
        record = {"epoch": trainer.epoch_logs["epoch"]}
        for name, total in self._sums.items():
            ratio = total / self._count
            record[name] = ratio
            trainer.epoch_logs[f"update_ratio/{name}"] = ratio
            if self.warn and math.isfinite(ratio):
                self._check(name, ratio, trainer)
        self.records.append(record)

    # -- checkpoints ------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """The epoch's ratio sums so far, the records and the warnings given."""
        return {
            "sums": dict(self._sums),
            "count": self._count,
            "records": self.records,
            "warned": sorted([list(pair) for pair in self._warned]),
        }

    def load_state_dict(self, state: dict) -> None:
        self._sums = {k: float(v) for k, v in state.get("sums", {}).items()}
        self._count = int(state.get("count", 0))
        self.records = list(state.get("records", []))
        self._warned = {tuple(pair) for pair in state.get("warned", [])}

    def _check(self, name, ratio, trainer):
        if ratio < self.low and (name, "low") not in self._warned:
            self._warned.add((name, "low"))
            warnings.warn(
                f"parameter {name}: update/weight ratio {ratio:.1e} in epoch "
                f"{trainer.epoch + 1} is far below ~1e-3; the learning rate "
                f"({trainer.optimizer.lr:g}) may be too low",
                TrainingWarning,
                stacklevel=2,
            )
        elif ratio > self.high and (name, "high") not in self._warned:
            self._warned.add((name, "high"))
            warnings.warn(
                f"parameter {name}: update/weight ratio {ratio:.1e} in epoch "
                f"{trainer.epoch + 1} is far above ~1e-3; the learning rate "
                f"({trainer.optimizer.lr:g}) may be too high",
                TrainingWarning,
                stacklevel=2,
            )
