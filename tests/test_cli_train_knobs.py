"""Every knob of the Python API on the command line and in the config: L1, max-norm, gradient
clipping, activation hyperparameters, bias on/off, maxout pieces. Each round-trips through the
run's config.toml and replays to the same weights; a bad value is exit 2 and one line."""

import tomllib

import numpy as np
import pytest

import mlplab.io
from mlplab import build_mlp
from mlplab.config import RunConfig
from mlplab.errors import ConfigError
from tests.test_cli_train import ONE_THREAD, fails_with_one_line, ok

KNOBS = [
    "--l1", "1e-4", "--max-norm", "3", "--clip-norm", "1",
    "--activation", "leaky_relu:0.1", "--no-bias",
]  # fmt: skip
SMALL = ["--data", "iris", "--hidden", "16", "--epochs", "3", "--quiet", "--no-plots"]


def weights(run):
    network = mlplab.io.load(run).network
    return {name: layer.params[key] for name, layer, key in network.parameters()}


@pytest.mark.slow
def test_knobs_reach_the_config_and_replay_bit_identically(tmp_path):
    first, second, plain = tmp_path / "first", tmp_path / "second", tmp_path / "plain"
    ok("train", *SMALL, *KNOBS, "--out", first, env=ONE_THREAD)
    config = tomllib.loads((first / "config.toml").read_text())
    assert (
        config["training"] | {"l1": 1e-4, "max_norm": 3.0, "clip_norm": 1.0} == config["training"]
    )
    assert config["network"]["activation"] == "leaky_relu:0.1"
    assert config["network"]["bias"] is False
    shown = ok("info", first).stdout
    assert "l1 0.0001, max_norm 3, clip_norm 1" in shown
    assert "leaky_relu:0.1" in shown and "no bias" in shown
    ok("train", "--config", first / "config.toml", "--out", second, env=ONE_THREAD)
    a, b = weights(first), weights(second)
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    ok("train", *SMALL, "--out", plain, env=ONE_THREAD)
    assert not all(np.array_equal(a[n], w) for n, w in weights(plain).items() if n in a)


@pytest.mark.slow
@pytest.mark.parametrize(
    "flags, match",
    [
        (["--l1", "-1"], "training.l1 must be a number >= 0"),
        (["--max-norm", "x"], "--max-norm: training.max_norm must be a number"),
        (["--clip-norm", "-2"], "training.clip_norm must be 0 \\(off\\) or more"),
        (["--activation", "leaky_relu:abc"], "network.activation: .*negative_slope must be a"),
        (["--activation", "elu:beta=2"], "network.activation: .*no hyperparameter 'beta'"),
        (["--activation", "relu:0.1"], "network.activation: .*'relu' takes no hyperparameters"),
        (["--maxout-pieces", "0"], "network.maxout_pieces must be an integer >= 1"),
        (["--early-stopping-monitor", " val_loss"], "training.early_stopping_monitor must be a"),
        (["--data", "iris", "--early-stopping-monitor", "val_nope"], "'val_nope' is not logged"),
    ],
)
def test_bad_knob_is_exit_2_and_one_line(flags, match, tmp_path):
    fails_with_one_line("train", *flags, "--out", tmp_path / "never", match=match)


@pytest.mark.parametrize(
    "activation, layer_config",
    [
        ("leaky_relu:0.1", {"negative_slope": 0.1}),
        ("leaky_relu:negative_slope=0.2", {"negative_slope": 0.2}),
        ({"name": "leaky_relu", "slope": 0.1}, {"negative_slope": 0.1}),
        ("elu:alpha=0.5", {"alpha": 0.5}),
        ({"name": "elu", "alpha": 2}, {"alpha": 2.0}),
        ("elu", {"alpha": 1.0}),
    ],
)
def test_activation_hyperparameters_in_python(activation, layer_config):
    network = build_mlp({"input_size": 4, "output_size": 3, "activation": activation})
    assert network.layers[1].get_config() == layer_config


@pytest.mark.parametrize(
    "activation, match",
    [
        ({"slope": 0.1}, "network.activation: activation table needs a name"),
        ({"name": "leaky_relu", "slop": 0.1}, "no hyperparameter 'slop' \\(it takes: negative"),
        ({"name": "elu", "alpha": "big"}, "alpha must be a finite number"),
        ("maxout:3", "'maxout' takes no hyperparameters"),
        (3, "network.activation: activation must be a name or a table"),
    ],
)
def test_bad_activation_in_python_is_one_config_error(activation, match):
    with pytest.raises(ConfigError, match=match):
        build_mlp({"input_size": 4, "output_size": 3, "activation": activation})


def test_activation_table_round_trips_through_toml():
    config = RunConfig.from_dict(
        {"network": {"activation": {"name": "leaky_relu", "slope": 0.1}}, "training": {"l1": 0.01}}
    ).validate()
    again = RunConfig.from_dict(tomllib.loads(config.to_toml())).validate()
    assert again.network.activation == {"name": "leaky_relu", "slope": 0.1}
    assert again.to_dict() == config.to_dict()


def test_old_configs_leave_the_new_knobs_off():
    training = RunConfig.from_dict({"training": {"epochs": 2}}).training
    assert (training.l1, training.max_norm, training.clip_norm) == (0.0, 0.0, 0.0)
