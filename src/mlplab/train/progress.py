"""A progress bar per run (epochs) and per epoch (batches), with loss and throughput (tqdm).

The trainer adds it by itself unless ``quiet`` or stderr is not a terminal. The postfix is
refreshed at most every ``interval`` seconds, so the bar costs almost nothing per batch.
"""

import time

from mlplab.train.callbacks import Callback


class ProgressBar(Callback):
    """Two tqdm bars: epochs (kept) and the batches of the current epoch (cleared)."""

    order = 90

    def __init__(self, interval: float = 0.25, file=None):
        self.interval = interval
        self.file = file
        self.epochs_bar = self.batches_bar = None

    def on_train_begin(self, trainer):
        from tqdm.auto import tqdm

        self._tqdm = tqdm
        self.epochs_bar = tqdm(
            total=trainer.end_epoch,
            initial=trainer.epoch,
            desc="epochs",
            unit="epoch",
            file=self.file,
            dynamic_ncols=True,
        )

    def on_epoch_begin(self, trainer):
        self._open_batches(trainer)

    def _open_batches(self, trainer):
        if self.batches_bar is not None:
            self.batches_bar.close()
        self.batches_bar = self._tqdm(
            total=trainer.steps_per_epoch,
            initial=trainer.batch,
            desc=f"epoch {trainer.epoch + 1}",
            unit="batch",
            leave=False,
            file=self.file,
            dynamic_ncols=True,
        )
        self._last = self._start = time.perf_counter()
        self._samples = 0

    def on_batch_end(self, trainer):
        if self.batches_bar is None:  # resumed mid-epoch
            self._open_batches(trainer)
        self._samples += len(trainer.y_batch)
        self.batches_bar.update(1)
        now = time.perf_counter()
        if now - self._last >= self.interval:
            self._last = now
            rate = self._samples / max(now - self._start, 1e-9)
            self.batches_bar.set_postfix_str(
                f"loss {trainer.batch_loss:.4f}, {rate:,.0f} samples/s"
            )

    def on_epoch_end(self, trainer):
        if self.batches_bar is not None:
            self.batches_bar.close()
            self.batches_bar = None
        logs = trainer.epoch_logs
        parts = [f"loss {logs['loss']:.4f}"]
        for key in ("accuracy", "val_loss", "val_accuracy"):
            if key in logs:
                parts.append(f"{key.replace('_', ' ')} {logs[key]:.4f}")
        self.epochs_bar.set_postfix_str(", ".join(parts), refresh=False)
        self.epochs_bar.update(1)

    def on_train_end(self, trainer):
        for bar in (self.batches_bar, self.epochs_bar):
            if bar is not None:
                bar.close()
        self.batches_bar = self.epochs_bar = None
