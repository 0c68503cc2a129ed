"""Babysitting: per-layer activation statistics and gradient norms during training.

At the end of every epoch a fixed probe of training rows (the first ``probe_size``) goes through
the network in evaluation mode (``mlplab.diagnostics.layer_statistics``): mean and std of each
layer's output, dead and saturated fractions. Every ``every`` steps each parameter's gradient
norm ‖g‖₂ is added up and the epoch's mean reported. The history gets ``act_mean/<layer>``,
``act_std/<layer>``, ``dead/<layer>``, ``saturated/<layer>`` (activation layers) and
``grad_norm/<param>``; ``records`` keeps everything per epoch.
"""

import numpy as np

from mlplab.diagnostics.layer_statistics import layer_statistics
from mlplab.training.callbacks import Callback


class LayerStatsMonitor(Callback):
    """Activation statistics on a probe each epoch, and gradient norms every ``every`` steps."""

    def __init__(self, probe_size: int = 256, every: int = 10, log: bool = True):
        self.probe_size, self.every, self.log = int(probe_size), max(1, int(every)), bool(log)
        self.records: list[dict] = []
        self._reset()

    def on_train_begin(self, trainer):
        # the epoch's sums are not reset here: a run resumed mid-epoch continues them
        X, _, rows = trainer.train_data
        rows = np.sort(rows[: self.probe_size])
        self.probe = np.asarray(X[rows], dtype=trainer.net.dtype)

    def _reset(self):
        self._grad_sums: dict = {}
        self._count = 0

    def on_epoch_begin(self, trainer):
        self._reset()

    def on_batch_end(self, trainer):
        if (trainer.step - 1) % self.every:
            return
        for name, layer, key in trainer.net.parameters():
            g = layer.grads[key]
            self._grad_sums[name] = self._grad_sums.get(name, 0.0) + float(np.sqrt(np.vdot(g, g)))
        self._count += 1

    def on_epoch_end(self, trainer):
        layers = layer_statistics(trainer.net, self.probe)
        grads = {k: v / self._count for k, v in self._grad_sums.items()} if self._count else {}
        self.records.append(
            {"epoch": trainer.epoch_logs["epoch"], "layers": layers, "grad_norms": grads}
        )
        if not self.log:
            return
        logs = trainer.epoch_logs
        for entry in layers:
            if entry["dead"] is None and entry["saturated"] is None:
                continue
            i = entry["layer"]
            logs[f"act_mean/{i}"] = entry["mean"]
            logs[f"act_std/{i}"] = entry["std"]
            if entry["dead"] is not None:
                logs[f"dead/{i}"] = entry["dead"]
            if entry["saturated"] is not None:
                logs[f"saturated/{i}"] = entry["saturated"]
        for name, value in grads.items():
            logs[f"grad_norm/{name}"] = value

    # -- checkpoints ------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """The epoch's gradient-norm sums so far and the records (a resumed epoch continues)."""
        return {"grad_sums": dict(self._grad_sums), "count": self._count, "records": self.records}

    def load_state_dict(self, state: dict) -> None:
        self._grad_sums = {k: float(v) for k, v in state.get("grad_sums", {}).items()}
        self._count = int(state.get("count", 0))
        self.records = list(state.get("records", []))
