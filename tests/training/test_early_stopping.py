from types import SimpleNamespace

import numpy as np
import pytest

from mlplab.errors import ConfigError
from mlplab.network import build_mlp
from mlplab.training import Callback, EarlyStopping, Trainer


def _net():
    return build_mlp({"input_size": 64, "output_size": 10, "hidden": [64], "norm": "batch"}, seed=0)


def test_restores_the_weights_of_the_best_epoch(digits):
    X, y, Xt, yt = digits
    snapshots = {}

    class Snap(Callback):
        def on_epoch_end(self, trainer):
            snapshots[trainer.epoch_logs["epoch"]] = [
                a.copy()
                for layer in trainer.net.layers
                for a in (*layer.params.values(), *layer.buffers.values())
            ]

    # a tiny training set overfits fast, so val_loss turns up and training stops early
    stop = EarlyStopping(monitor="val_loss", patience=3)
    net = _net()
    history = Trainer(
        net, "adam", lr=1e-2, epochs=200, batch_size=16, callbacks=[Snap(), stop], quiet=True
    ).fit(X[:60], y[:60], validation_data=(Xt, yt))
    assert len(history) < 200 and stop.stopped_epoch == len(history)
    best_epoch, best = history.best("val_loss")
    assert stop.best_epoch == best_epoch + 1 and stop.best == best
    assert stop.best_epoch < len(history)  # the last epoch was not the best
    now = [a for layer in net.layers for a in (*layer.params.values(), *layer.buffers.values())]
    for a, b in zip(now, snapshots[stop.best_epoch], strict=True):
        np.testing.assert_array_equal(a, b)
    # and the restored network scores exactly the best validation loss
    assert Trainer(net, quiet=True).evaluate(Xt, yt)["loss"] == pytest.approx(best, rel=1e-6)


def test_monitoring_accuracy_uses_max_mode(digits):
    X, y, Xt, yt = digits
    stop = EarlyStopping(monitor="val_accuracy", patience=1)
    assert stop.mode == "max"
    Trainer(_net(), epochs=3, batch_size=100, callbacks=[stop], quiet=True).fit(
        X, y, validation_data=(Xt, yt)
    )
    assert stop.best > 0.5


def test_missing_metric_is_a_config_error(digits):
    X, y, _, _ = digits
    with pytest.raises(ConfigError, match="'val_loss' is not logged"):
        Trainer(_net(), epochs=2, callbacks=[EarlyStopping()], quiet=True).fit(X, y)


def _feed(stop, values):
    """Run ``stop`` over a scripted sequence of val_accuracy values; the epochs it saw."""
    trainer = SimpleNamespace(stop_training=False, net=None)
    for epoch, value in enumerate(values, 1):
        trainer.epoch_logs = {"epoch": epoch, "val_accuracy": value}
        stop.on_epoch_end(trainer)
        if trainer.stop_training:
            return epoch
    return len(values)


def test_ties_first_keeps_the_first_of_equal_epochs_and_stops_on_a_plateau():
    stop = EarlyStopping("val_accuracy", patience=2, ties="first", restore_best_weights=False)
    assert _feed(stop, [0.5, 0.9, 0.9, 0.9, 0.9, 0.95]) == 4
    assert (stop.best_epoch, stop.best) == (2, 0.9)


def test_ties_last_keeps_the_latest_of_equal_epochs_and_a_plateau_goes_on():
    stop = EarlyStopping("val_accuracy", patience=2, ties="last", restore_best_weights=False)
    assert _feed(stop, [0.5, 0.9, 0.9, 0.9, 0.9, 0.95, 0.8, 0.8]) == 8
    assert (stop.best_epoch, stop.best) == (6, 0.95)
    plateau = EarlyStopping("val_accuracy", patience=2, ties="last", restore_best_weights=False)
    assert _feed(plateau, [0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.9]) == 6
    assert plateau.best_epoch == 4


def test_ties_last_never_counts_nan_as_an_improvement():
    stop = EarlyStopping("val_accuracy", patience=2, ties="last", restore_best_weights=False)
    assert _feed(stop, [0.7, float("nan"), float("nan"), 0.9]) == 3
    assert (stop.best_epoch, stop.best) == (1, 0.7)


def test_ties_must_be_first_or_last():
    with pytest.raises(ConfigError, match="ties must be first or last, got 'middle'"):
        EarlyStopping(ties="middle")
