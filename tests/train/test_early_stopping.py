import numpy as np
import pytest

from mlplab.errors import ConfigError
from mlplab.network import build_mlp
from mlplab.train import Callback, EarlyStopping, Trainer


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
