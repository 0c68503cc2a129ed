"""Bad input through the Python API: MlplabError subclasses with one line, never a TypeError."""

import re
from pathlib import Path

import numpy as np
import pytest

import mlplab
from mlplab.errors import ConfigError, ShapeError
from tests.conftest import run_cli

PACKAGE_ROOT = {"PYTHONPATH": str(Path(mlplab.__file__).parents[1])}


@pytest.fixture(scope="module")
def iris_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad-api")
    return mlplab.train(
        {
            "data": {"source": "iris"},
            "network": {"hidden": [8]},
            "training": {"epochs": 2},
            "output": {"dir": str(folder / "run"), "plots": False},
        }
    )


@pytest.mark.parametrize(
    "training, field",
    [
        ({"lr": float("inf")}, "training.optimizer: adamw: learning rate"),
        ({"lr": float("nan")}, "training.optimizer: adamw: learning rate"),
        ({"weight_decay": float("inf")}, "training.optimizer: adamw: weight_decay"),
        ({"optimizer": "adam", "weight_decay": float("inf")}, "training.l2"),
    ],
)
def test_non_finite_rates_are_config_errors(training, field):
    with pytest.raises(ConfigError, match=re.escape(field)):
        mlplab.train({"data": {"source": "xor"}, "training": training})


def test_load_of_a_non_path_is_a_config_error():
    with pytest.raises(ConfigError, match="expected a file or directory path, got int"):
        mlplab.load(5)


def test_evaluate_takes_a_loaded_model(iris_run):
    from_path = mlplab.evaluate(iris_run.directory, "iris")
    from_model = mlplab.evaluate(mlplab.load(iris_run.directory), "iris")
    assert from_model["accuracy"] == from_path["accuracy"]
    with pytest.raises(ConfigError, match="split must be"):
        mlplab.evaluate(iris_run.model, "iris", split="tset")


def test_predict_on_no_rows(iris_run):
    with pytest.raises(ShapeError, match=r"no rows \(shape \(0, 4\)\)"):
        iris_run.model.predict(np.zeros((0, 4)))


def test_predict_command_names_the_input_file(iris_run, tmp_path):
    bad = tmp_path / "bad.npy"
    np.save(bad, np.full((2, 4), np.nan))
    result = run_cli("predict", iris_run.directory, bad, env=PACKAGE_ROOT)
    assert result.returncode == 2
    expected = f"mlplab predict: error: {bad}: non-finite value nan (NaN or inf) at row 0, column 0"
    assert result.stderr.strip() == expected
