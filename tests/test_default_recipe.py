"""The default recipe of ``mlplab train`` and the promise that older config files replay."""

import math

import numpy as np
import pytest

from mlplab.config import RunConfig, load_config
from mlplab.config.epoch_budget import MAX_EPOCHS, MIN_EPOCHS, budget_epochs, run_epochs
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
