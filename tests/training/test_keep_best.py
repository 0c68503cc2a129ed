"""KeepBest: the network ends with the best epoch's weights; the best survive a resume."""

import numpy as np
import pytest

from mlplab.errors import ConfigError
from mlplab.network import build_mlp
from mlplab.training import KeepBest, Trainer
from mlplab.training.early_stopping import metric_mode


@pytest.mark.parametrize(
    "name, mode",
    [("val_loss", "min"), ("val_accuracy", "max"), ("val_f1", "max"), ("val_r2", "max"),
     ("val_mae", "min"), ("loss", "min")],
)  # fmt: skip
def test_mode_from_the_metric_name(name, mode):
    assert metric_mode(name) == mode


def test_network_ends_with_the_best_epochs_weights(digits):
    X, y, Xv, yv = digits
    net = build_mlp({"input_size": 64, "output_size": 10, "hidden": [32]}, seed=0)
    keep = KeepBest("val_accuracy")
    trainer = Trainer(net, lr=0.05, optimizer="sgd", epochs=8, quiet=True, callbacks=[keep])
    history = trainer.fit(X[:300], y[:300], validation_data=(Xv, yv))
    accuracies = [r["val_accuracy"] for r in history.records]
    assert keep.best_epoch == int(np.argmax(accuracies)) + 1
    assert trainer.evaluate(Xv, yv)["accuracy"] == pytest.approx(max(accuracies))
    assert "weights.0.params.W" in keep.state_dict()


def test_an_unlogged_metric_is_a_config_error(digits):
    X, y, _, _ = digits
    net = build_mlp({"input_size": 64, "output_size": 10, "hidden": []}, seed=0)
    trainer = Trainer(net, epochs=1, quiet=True, callbacks=[KeepBest("val_loss")])
    with pytest.raises(ConfigError, match="keep best: metric 'val_loss' is not logged"):
        trainer.fit(X[:50], y[:50])
