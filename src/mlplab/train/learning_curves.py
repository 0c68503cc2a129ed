"""A callback that keeps the learning-curves PNG up to date during training."""

from pathlib import Path

from mlplab.train.callbacks import Callback


class LearningCurves(Callback):
    """Write ``path`` (PNG: loss and accuracy per epoch, training and validation) at the end of
    training, and also every ``every_epochs`` epochs when given (a plot costs ~0.1 s)."""

    def __init__(self, path, every_epochs: int | None = None, title: str | None = None):
        self.path, self.every_epochs, self.title = Path(path), every_epochs, title

    def on_epoch_end(self, trainer):
        if self.every_epochs and (trainer.epoch + 1) % self.every_epochs == 0:
            self._write(trainer)

    def on_train_end(self, trainer):
        if len(trainer.history):
            self._write(trainer)

    def _write(self, trainer):
        from mlplab.plots.learning_curves import plot_learning_curves

        plot_learning_curves(trainer.history, self.path, self.title)
