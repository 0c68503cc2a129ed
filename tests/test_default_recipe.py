"""The default recipe of ``mlplab train`` and the promise that older config files replay."""

import math

import numpy as np
import pytest

from mlplab.config import RunConfig, load_config
from mlplab.config.epoch_budget import MAX_EPOCHS, MIN_EPOCHS, budget_epochs, run_epochs
from mlplab.errors import ConfigError
from mlplab.network import build_mlp


def test_a_step_budget_gives_small_data_more_epochs_within_bounds():
    assert budget_epochs(4000, 1500, 64) == math.ceil(4000 / 24)
    assert budget_epochs(4000, 42_500, 64) == MIN_EPOCHS
    assert budget_epochs(4000, 90, 64) == MAX_EPOCHS
    training = RunConfig().training
    assert run_epochs(training, 1500) == 167
    training.epochs = 7
    assert run_epochs(training, 1500) == 7


def test_an_old_network_table_without_output_scale_keeps_scale_one(tmp_path):
    path = tmp_path / "old.toml"
    path.write_text("[network]\nhidden = [8]\n[training]\nepochs = 2\n")
    assert load_config(path).network.output_scale == 1.0
    path.write_text("[training]\nepochs = 2\n")  # no [network]: today's network
    assert load_config(path).network.output_scale == RunConfig().network.output_scale
    saved = tmp_path / "new.toml"
    saved.write_text(RunConfig().to_toml())
    assert load_config(saved) == RunConfig()


@pytest.mark.parametrize("classes", [3, 10])
def test_the_default_output_layer_starts_the_loss_near_ln_c(classes):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((512, 20)).astype(np.float32)
    y = rng.integers(0, classes, 512)
    network = RunConfig().network
    network.input_size, network.output_size = 20, classes
    loss, _ = build_mlp(network).loss(build_mlp(network).forward(x), y)
    assert abs(loss - math.log(classes)) < 0.1 * math.log(classes)
    network.output_scale = 1.0
    net = build_mlp(network)
    assert abs(net.loss(net.forward(x), y)[0] - math.log(classes)) > 0.1 * math.log(classes)


def test_early_stopping_watches_val_accuracy_for_a_classifier_and_val_loss_for_regression():
    from mlplab.runs.fit import early_stopping_monitor

    config = RunConfig()
    assert early_stopping_monitor(config) == "val_accuracy"
    config.network.loss = "mse"
    assert early_stopping_monitor(config) == "val_loss"
    config.training.early_stopping_monitor = "val_f1"
    assert early_stopping_monitor(config) == "val_f1"


def test_an_old_training_table_without_the_monitor_keeps_val_loss(tmp_path):
    path = tmp_path / "old.toml"
    path.write_text("[training]\nearly_stopping = 10\n")
    assert load_config(path).training.early_stopping_monitor == "val_loss"
    path.write_text("[data]\nsource = 'digits'\n")  # no [training]: today's recipe
    assert load_config(path).training.early_stopping_monitor == ""


def test_a_run_watches_the_configured_metric_and_keeps_the_latest_equal_epoch(tmp_path):
    import mlplab
    from mlplab.runs.fit import callback_stack
    from mlplab.training import EarlyStopping

    config = RunConfig()
    stack = callback_stack(config, tmp_path, quiet=True, progress=False, callbacks=[])
    (stop,) = [cb for cb in stack if isinstance(cb, EarlyStopping)]
    assert (stop.monitor, stop.mode, stop.ties, stop.patience) == (
        "val_accuracy",
        "max",
        "last",
        30,
    )
    config.data.source, config.training.epochs = "iris", 3
    config.output.dir, config.output.plots = str(tmp_path / "run"), False
    config.training.early_stopping_monitor = "val_nonsense"
    with pytest.raises(ConfigError, match="'val_nonsense' is not logged; available: .*val_loss"):
        mlplab.train(config)
