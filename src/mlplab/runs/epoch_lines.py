"""One line per epoch on a stream: the progress report when stderr is not a terminal."""

from mlplab.training.callbacks import Callback


class EpochLines(Callback):
    """``epoch 3/20  loss 0.4120  accuracy 0.8812  val loss 0.4410  val accuracy 0.8700  0.31 s``"""

    def __init__(self, stream):
        self.stream = stream

    def on_epoch_end(self, trainer):
        logs = trainer.epoch_logs
        parts = [f"epoch {logs['epoch']}/{trainer.epochs}", f"loss {logs['loss']:.4f}"]
        parts += [
            f"{key.replace('_', ' ')} {logs[key]:.4f}"
            for key in ("accuracy", "val_loss", "val_accuracy")
            if key in logs
        ]
        parts.append(f"{logs['time']:.2f} s")
        print("  ".join(parts), file=self.stream, flush=True)
