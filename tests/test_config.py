"""The run config: TOML round trip, overrides, and errors that name the field."""

import tomllib

import pytest

from mlplab.config import (
    ConfigDeprecationWarning,
    RunConfig,
    as_config,
    load_config,
    save_config,
)
from mlplab.errors import ConfigError


def test_defaults_are_the_recommended_network():
    config = RunConfig().validate()
    assert config.data.source == "digits"
    assert config.network.activation == "relu" and config.network.init == "auto"
    assert config.network.norm == "batch" and config.training.optimizer["name"] == "adamw"
    assert config.network.output_scale == 0.1 and config.training.schedule["name"] == "cosine"
    assert config.training.epochs == 0 and config.training.early_stopping > 0


def test_toml_round_trip(tmp_path):
    config = RunConfig()
    config.set("network.hidden", "128,64")
    config.set("training.lr", "0.01")
    config.set("data.preprocess", "standardize,pca")
    config.set("output.plots", "false")
    path = save_config(config, tmp_path / "c.toml")
    assert load_config(path) == config
    assert tomllib.loads(path.read_text())["network"]["hidden"] == [128, 64]
    assert config.network.hidden == [128, 64] and config.training.optimizer["lr"] == 0.01


def test_partial_file_keeps_defaults(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[training]\nepochs = 3\nlr = 1\n")
    with pytest.warns(ConfigDeprecationWarning):
        config = load_config(path)
    assert config.training.epochs == 3 and config.training.optimizer["lr"] == 1.0
    assert config.network == RunConfig().network


def test_dict_and_config_inputs():
    config = as_config({"network": {"hidden": [7]}, "training": {"epochs": 2}})
    assert config.network.hidden == [7] and config.training.epochs == 2
    assert as_config(config) == config and as_config(config) is not config


@pytest.mark.parametrize(
    "values, message",
    [
        ({"trainig": {}}, "unknown section \\[trainig\\]"),
        ({"training": {"lrr": 1}}, "unknown key 'training.lrr'"),
        ({"training": {"epochs": "many"}}, "training.epochs must be an integer"),
        ({"training": {"epochs": 2.5}}, "training.epochs must be an integer"),
        ({"training": {"lr": "fast"}}, "training.lr must be a number"),
        ({"training": {"lr": True}}, "training.lr must be a number"),
        ({"network": {"hidden": "a,b"}}, "network.hidden must be an integer"),
        ({"output": {"plots": "maybe"}}, "output.plots must be true or false"),
        ({"training": 3}, "\\[training\\] must be a table"),
    ],
)
def test_bad_values_name_the_field(values, message):
    with pytest.raises(ConfigError, match=message):
        RunConfig.from_dict(values)


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("training.lr", -1.0, "training.optimizer: adamw: learning rate must be positive"),
        ("training.epochs", -1, "training.epochs must be 0 .from the step budget. or more"),
        ("training.steps", 0, "training.steps must be at least 1"),
        ("training.batch_size", 0, "training.batch_size must be at least 1"),
        ("training.weight_decay", -0.1, "training.optimizer: adamw: weight_decay"),
        ("network.dropout", 1.0, "network.dropout"),
        ("network.norm", "layer", "network.norm must be none or batch"),
        ("network.hidden", [0], "network.hidden"),
        ("network.dtype", "float16", "network.dtype"),
        ("network.activation", "swish", "network.activation: unknown activation 'swish'"),
        ("network.init", "nonsense", "network.init: unknown initializer"),
        ("network.loss", "focal", "network.loss: unknown loss"),
        ("data.validation", 1.0, "data.validation"),
        ("data.test", 0.0, "data.test"),
        ("training.callbacks", ["update_ratio:often=1"], "training.callbacks"),
    ],
)
def test_validation_names_the_field(key, value, message):
    config = RunConfig()
    config.set(key, value)
    with pytest.raises(ConfigError, match=message):
        config.validate()


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[training\nlr = 1\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(bad)
