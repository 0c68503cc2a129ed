"""One config language: optimizer and schedule tables, the network table, the flat keys of
older files and the flags, and ``from_config(get_config())`` round trips."""

import tomllib
import warnings

import numpy as np
import pytest

from mlplab.config import ConfigDeprecationWarning, RunConfig, load_config, save_config
from mlplab.config.flat_keys import optimizer_table
from mlplab.errors import ConfigError
from mlplab.layers import LAYERS, Linear, Maxout
from mlplab.network import MLPConfig, build_mlp
from mlplab.optim import OPTIMIZERS, get_optimizer
from mlplab.schedules import SCHEDULES, get_schedule

OLD_TRAINING = (
    '[training]\noptimizer = "{name}"\nlr = 0.05\nmomentum = 0.8\nschedule = "cosine:t_max=4"\n'
    "weight_decay = 0.001\nepochs = 2\n"
)


@pytest.mark.parametrize(
    "name, table, l2",
    [
        ("adam", {"name": "adam", "lr": 0.05}, 0.001),
        ("sgd", {"name": "sgd", "lr": 0.05}, 0.001),
        ("momentum", {"name": "momentum", "lr": 0.05, "momentum": 0.8}, 0.001),
        ("nesterov", {"name": "nesterov", "lr": 0.05, "momentum": 0.8}, 0.001),
        ("adamw", {"name": "adamw", "lr": 0.05, "weight_decay": 0.001}, 0.0),
    ],
)
def test_old_flat_files_load_into_the_tables_with_one_notice(tmp_path, name, table, l2):
    path = tmp_path / "old.toml"
    path.write_text(OLD_TRAINING.format(name=name))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        config = load_config(path).validate()
    notices = [w for w in caught if issubclass(w.category, ConfigDeprecationWarning)]
    assert len(notices) == 1 and "\n" not in str(notices[0].message)
    assert str(path) in str(notices[0].message)
    t = config.training
    assert t.optimizer == table and t.l2 == l2 and t.epochs == 2
    assert t.schedule == {"name": "cosine", "t_max": 4}


def test_old_adamw_without_weight_decay_keeps_no_decay(tmp_path):
    path = tmp_path / "old.toml"
    path.write_text('[training]\noptimizer = "adamw"\n')
    with pytest.warns(ConfigDeprecationWarning):
        config = load_config(path)
    assert config.training.optimizer == {"name": "adamw", "lr": 0.001, "weight_decay": 0.0}


def test_new_tables_load_without_notice_and_round_trip(tmp_path):
    path = tmp_path / "new.toml"
    path.write_text(
        '[network]\nbias = false\nmaxout_pieces = 3\nactivation = "maxout"\nnorm = "none"\n'
        "[training]\nl2 = 0.01\n"
        '[training.optimizer]\nname = "rmsprop"\nlr = 0.002\nrho = 0.9\n'
        '[training.schedule]\nname = "step"\nstep_size = 3\n'
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        config = load_config(path).validate()
    assert config.network.bias is False and config.network.maxout_pieces == 3
    assert config.training.optimizer == {"name": "rmsprop", "lr": 0.002, "rho": 0.9}
    saved = save_config(config, tmp_path / "again.toml")
    assert load_config(saved) == config
    tables = tomllib.loads(saved.read_text())["training"]
    assert tables["optimizer"]["name"] == "rmsprop" and tables["schedule"]["step_size"] == 3


def test_flags_write_into_the_tables():
    config = RunConfig()
    for key, value in [
        ("training.optimizer", "momentum"),
        ("training.lr", "0.05"),
        ("training.momentum", "0.95"),
        ("training.schedule", "cosine"),
        ("training.weight_decay", "1e-3"),
    ]:
        config.set(key, value, where="--flag")
    t = config.validate().training
    assert t.optimizer == {"name": "momentum", "lr": 0.05, "momentum": 0.95}
    assert t.schedule == {"name": "cosine"} and t.l2 == 1e-3
    config.set("training.optimizer", "adamw")  # the weight decay follows the optimizer
    assert config.training.optimizer == {"name": "adamw", "lr": 0.05, "weight_decay": 1e-3}
    assert config.training.l2 == 0.0
    config.set("training.optimizer", "sgd")
    assert config.training.optimizer == {"name": "sgd", "lr": 0.05}
    assert config.training.l2 == 1e-3


def test_the_learning_rate_is_checked_once_by_the_optimizer():
    for bad in (0, -1.0, float("inf"), float("nan"), "fast"):
        config = RunConfig()
        config.set("training.optimizer.lr", bad)
        with pytest.raises(ConfigError, match="training.optimizer: adamw: learning rate"):
            config.validate()


def test_a_run_config_takes_no_network_sizes():
    with pytest.raises(ConfigError, match="network.input_size.*the data gives it"):
        RunConfig.from_dict({"network": {"input_size": 4}})


def test_one_network_config_class():
    config = RunConfig()
    assert isinstance(config.network, MLPConfig) and config.network.init == "auto"
    assert MLPConfig(4, 3, init=None).init == "auto"
    with pytest.raises(ConfigError, match="network.norm"):
        MLPConfig(norm="layer").validate()


def test_estimator_settings_build_the_same_table():
    assert optimizer_table("momentum", 0.1, 0.5, {"nesterov": True}) == {
        "name": "momentum", "lr": 0.1, "momentum": 0.5, "nesterov": True,
    }  # fmt: skip
    assert optimizer_table("adam", 0.1, 0.5) == {"name": "adam", "lr": 0.1}


# -- from_config(get_config()) ------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(OPTIMIZERS.names()))
def test_optimizers_round_trip(name):
    optimizer = get_optimizer(name, lr=0.123)
    again = get_optimizer(optimizer.get_config())
    assert type(again) is type(optimizer) and again.get_config() == optimizer.get_config()


@pytest.mark.parametrize("name", sorted(SCHEDULES.names()))
def test_schedules_round_trip(name):
    schedule = get_schedule(name)
    again = get_schedule(schedule.get_config())
    assert type(again) is type(schedule) and again.get_config() == schedule.get_config()


def test_warmup_schedule_round_trips():
    schedule = get_schedule("cosine:warmup=3")
    assert get_schedule(schedule.get_config()).get_config() == schedule.get_config()


@pytest.mark.parametrize(
    "layer",
    [
        Linear(4, 3, init="normal:0.01"),
        Linear(4, 3, bias=False, init="xavier"),
        Maxout(4, 3, pieces=3, init="he"),
    ],
    ids=repr,
)
def test_layers_round_trip_with_their_init(layer):
    config = layer.get_config()
    assert config["init"] == layer.init
    again = LAYERS.get(type(layer).__name__).from_config(config)
    assert again.get_config() == config


def test_network_layers_round_trip():
    net = build_mlp(MLPConfig(4, 3, hidden=[5], norm="batch", dropout=0.1, init="xavier"))
    for layer in net.layers:
        again = type(layer).from_config(layer.get_config())
        assert again.get_config() == layer.get_config()
        for key, value in layer.params.items():
            assert again.params[key].shape == value.shape and value.dtype == np.float32
