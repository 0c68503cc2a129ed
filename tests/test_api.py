"""The Python API mirrors the CLI: train(config) -> run, run.model.predict, load, evaluate."""

import numpy as np
import pytest

from mlplab import api
from mlplab.errors import ConfigError


def test_train_predict_load_evaluate(tmp_path):
    from sklearn.datasets import load_iris

    run = api.train(
        {
            "data": {"source": "iris"},
            "network": {"hidden": [16]},
            "training": {"epochs": 20, "lr": 0.01},
            "output": {"dir": str(tmp_path / "iris"), "plots": False},
        }
    )
    bunch = load_iris()
    predicted = run.model.predict(bunch.data)
    assert set(predicted.tolist()) <= set(bunch.target_names)
    assert np.mean(predicted == bunch.target_names[bunch.target]) > 0.8
    assert run.test_accuracy == run.metrics["test"]["accuracy"] > 0.8
    assert len(run.history) == 20 and (tmp_path / "iris" / "report.html").is_file()
    loaded = api.load(run.directory)
    np.testing.assert_array_equal(
        loaded.predict_proba(bunch.data), run.model.predict_proba(bunch.data)
    )
    result = api.evaluate(run.directory)
    assert result["accuracy"] == pytest.approx(run.test_accuracy)
    reopened = api.Run.open(run.directory)
    assert reopened.metrics == run.metrics and reopened.history == run.history
    for section in ("data", "network", "training"):
        assert getattr(reopened.config, section) == getattr(run.config, section)
    assert reopened.config.output.dir == ""  # replaying the saved config writes a new run


def test_bad_config_raises_before_writing(tmp_path):
    with pytest.raises(ConfigError, match="training.optimizer: adamw: learning rate"):
        api.train({"training": {"lr": 0}, "output": {"dir": str(tmp_path / "x")}})
    assert not (tmp_path / "x").exists()
