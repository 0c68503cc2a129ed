import numpy as np
import pytest

from mlplab.commands.sanity import load_training_data
from mlplab.diagnostics.sanity import check_overfit


def config_for(X, classes, hidden=(100,), norm="none"):
    return {"input_size": X.shape[1], "output_size": classes, "hidden": list(hidden),
            "activation": "relu", "norm": norm, "dropout": 0.5, "loss": "softmax"}  # fmt: skip


@pytest.mark.parametrize("data", ["digits", "iris"])
@pytest.mark.parametrize("norm", ["none", "batch"])
def test_overfit_reaches_near_zero_loss_on_twenty_examples(data, norm):
    X, y, classes = load_training_data(data, 0)
    result = check_overfit(config_for(X, classes, norm=norm), X.astype(np.float32), y)
    assert result.passed, result.summary
    assert result.numbers["loss"] < 0.01 and result.numbers["accuracy"] == 1.0
    assert result.numbers["examples"] == 20 and result.numbers["epochs"] <= 500


def test_overfit_fails_when_the_network_cannot_fit():
    X, y, classes = load_training_data("digits", 0)
    result = check_overfit(config_for(X, classes, hidden=(1,)), X, y, max_epochs=100)
    assert not result.passed and result.numbers["loss"] >= 0.01
    assert "not below 0.01" in result.summary
