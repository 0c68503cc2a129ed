"""Babysitting: the ratio of each weight's update magnitude to its magnitude.

The rule of thumb (CS231n, "babysitting the learning process"): ‖ΔW‖ / ‖W‖ should be around
1e-3 per step. Much lower and the learning rate is probably too low; much higher, too high.
Measured every ``every`` steps (the weights are copied before the step, the difference taken
after), averaged per epoch, logged as ``update_ratio/<param>`` in the history, and a
``TrainingWarning`` is issued once per weight when its epoch mean is more than ten times
outside [low, high], or outside it in two epochs in a row without moving back toward it: a
moderate excursion that shrinks is a transient (Adam's steps are about lr whatever the weight's
size, so a small-initialized output layer starts near 1e-1 and falls as it grows), while a
learning rate that is really off is either far off at once or stays off.

A schedule that lowers the rate on purpose (cosine's tail, a step decay) lowers the ratio with it:
below the range is judged at the configured rate, the ratio divided by the share lr / base_lr of
it that the schedule has left, so annealing is not taken for a rate set too low.
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
        #: (param, "low"/"high") -> the ratio of the last epoch, when it was outside the range
        self._outside: dict = {}
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
            "outside": sorted([[*pair, ratio] for pair, ratio in self._outside.items()]),
        }

    def load_state_dict(self, state: dict) -> None:
        self._sums = {k: float(v) for k, v in state.get("sums", {}).items()}
        self._count = int(state.get("count", 0))
        self.records = list(state.get("records", []))
        self._warned = {tuple(pair) for pair in state.get("warned", [])}
        self._outside = {(n, k): float(r) for n, k, r in state.get("outside", [])}

    def _check(self, name, ratio, trainer):
        optimizer = trainer.optimizer
        share = optimizer.lr / optimizer.base_lr if optimizer.base_lr > 0 else 1.0
        # below the range, the ratio the configured rate would give (schedules lower it on purpose)
        judged = ratio / share if 0.0 < share < 1.0 and ratio < self.low else ratio
        kind = "low" if judged < self.low else "high" if judged > self.high else None
        for other in ("low", "high"):
            if other != kind:
                self._outside.pop((name, other), None)
        if kind is None:
            return
        far = judged < self.low / 10 if kind == "low" else judged > self.high * 10
        last = self._outside.get((name, kind))
        self._outside[(name, kind)] = judged
        returning = last is not None and (judged > last if kind == "low" else judged < last)
        if not far and (last is None or returning):  # moderately out, or on its way back
            return
        if (name, kind) in self._warned:
            return
        self._warned.add((name, kind))
        below = kind == "low"
        warnings.warn(
            f"parameter {name}: update/weight ratio {ratio:.1e} in epoch {trainer.epoch + 1} is "
            f"far {'below' if below else 'above'} ~1e-3; the learning rate "
            f"({optimizer.lr:g}) may be too {kind}",
            TrainingWarning,
            stacklevel=2,
        )
