"""Keep the best epoch: the trained network ends with the weights of the epoch that scored best
on a metric, as Keras's ``ModelCheckpoint(save_best_only=True)`` and Lightning's ``monitor``."""

from mlplab.training.early_stopping import EarlyStopping


class KeepBest(EarlyStopping):
    """At the end of training, set the network's parameters and buffers back to those of the
    epoch with the best ``monitor`` (``best_epoch``, 1-based; ``best``, its value).

    monitor: a logged metric (``val_loss``, ``val_accuracy``, ``loss``...); mode: ``"min"``,
    ``"max"`` or ``"auto"`` (from the name, ``metric_mode``). Training is never stopped early.
    The best weights are part of the callback's ``state_dict``, so a resumed run keeps them.
    """

    what = "keep best"

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", min_delta: float = 0.0):
        super().__init__(monitor, patience=0, min_delta=min_delta, mode=mode)

    def on_epoch_end(self, trainer):
        self.observe(trainer)
