"""Babysitting batch norm: how far the last batch's statistics are from the running averages.

At the end of every epoch the epoch's last training batch goes through the network with batch
statistics (running averages untouched, dropout off) and in evaluation mode
(``mlplab.diagnostics.batchnorm_gap``); the history gets ``bn_mean_gap/<layer>``,
``bn_var_ratio/<layer>`` and ``bn_train_eval_diff``, and a ``TrainingWarning`` is issued once
when the train/eval score difference exceeds ``threshold`` (0.5: scores move by half their size)
after ``warmup_steps`` steps — before that, running averages that start at (0, 1) and follow the
batches with momentum 0.1 still remember their start (0.9⁵⁰ ≈ 0.5%), so a gap is expected.
"""

import warnings

import numpy as np

from mlplab.diagnostics.batchnorm_gap import MARKED_DIFFERENCE, batchnorm_gap, has_batchnorm
from mlplab.training.callbacks import Callback
from mlplab.training.update_ratio import TrainingWarning


class BatchNormGapMonitor(Callback):
    """Per BatchNorm layer |μ_B − running mean| / running std and σ²_B / running var each epoch;
    warn when evaluation-mode scores differ from training-mode ones by more than ``threshold``.

    ``records``: one dict per epoch, ``{"epoch": e, **batchnorm_gap(...)}``.
    """

    def __init__(
        self, threshold: float = MARKED_DIFFERENCE, warn: bool = True, warmup_steps: int = 50
    ):
        self.threshold, self.warn = float(threshold), bool(warn)
        self.warmup_steps = int(warmup_steps)
        self.records: list[dict] = []
        self._warned = False
        self._last = None  # the epoch's last batch, kept from its step to the epoch's end

    def on_train_begin(self, trainer):
        self._active = has_batchnorm(trainer.net)

    def on_batch_end(self, trainer):
        if self._active and trainer.batch == trainer.steps_per_epoch:
            self._last = np.array(trainer.x_batch, copy=True)

    def on_epoch_end(self, trainer):
        if self._last is None or len(self._last) < 2:
            return
        gap = batchnorm_gap(trainer.net, self._last, len(self._last), max_batches=1)
        self._last = None
        logs = trainer.epoch_logs
        for entry in gap["layers"]:
            logs[f"bn_mean_gap/{entry['layer']}"] = entry["mean_gap"]
            logs[f"bn_var_ratio/{entry['layer']}"] = entry["var_ratio"]
        difference = gap["train_eval_difference"]
        logs["bn_train_eval_diff"] = difference
        self.records.append({"epoch": logs["epoch"], **gap})
        warmed_up = trainer.step >= self.warmup_steps
        if self.warn and warmed_up and not self._warned and difference > self.threshold:
            self._warned = True
            warnings.warn(
                f"batch norm: evaluation-mode scores differ from training-mode ones by "
                f"{difference:.0%} (above {self.threshold:.0%}) in epoch {trainer.epoch + 1}; "
                f"the running averages do not match the batch statistics (small batches or "
                f"shifting data?)",
                TrainingWarning,
                stacklevel=2,
            )

    # -- checkpoints ------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """The records, whether it warned, and the epoch's last batch when a checkpoint falls
        between that batch and the epoch's end."""
        state = {"records": self.records, "warned": self._warned}
        if self._last is not None:
            state["last_batch"] = self._last
        return state

    def load_state_dict(self, state: dict) -> None:
        self.records = list(state.get("records", []))
        self._warned = bool(state.get("warned", False))
        last = state.get("last_batch")
        self._last = None if last is None else np.array(last)
