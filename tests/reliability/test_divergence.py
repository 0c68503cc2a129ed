"""Divergence has its own exit code (3), names where the first non-finite number is, and is
never mistaken for success: a finite loss far above its starting value is divergence too.
``mlplab info`` on a diverged run suggests a smaller learning rate, not ``--resume``."""

import json
import math

import numpy as np
import pytest

from mlplab.errors import DivergenceError
from mlplab.losses import get_loss
from mlplab.network import MLPConfig, build_mlp
from mlplab.training import Trainer
from mlplab.training.divergence import EXPLOSION_FACTOR, exploded, starting_loss
from tests.reliability.helpers import fails_with_one_line


def _blobs(n=200, d=4, classes=3):
    rng = np.random.default_rng(0)
    y = rng.integers(0, classes, n)
    x = rng.normal(size=(n, d)).astype(np.float32) + y[:, None]
    return x, y


def _net(norm="none"):
    return build_mlp(MLPConfig(input_size=4, output_size=3, hidden=[8], norm=norm), seed=0)


def test_a_nan_loss_names_the_first_non_finite_layer():
    x, y = _blobs()
    with pytest.raises(DivergenceError, match=r"first non-finite: layer \d \(\w+\)"):
        Trainer(_net(), optimizer="sgd", lr=1e30, epochs=2, quiet=True).fit(x, y)


def test_a_non_finite_weight_names_its_layer():
    trainer = Trainer(_net(), optimizer="sgd", lr=0.1, epochs=1, quiet=True)
    trainer.net.layers[0].params["W"][0, 0] = np.inf
    with pytest.raises(DivergenceError, match=r"parameter 0.W of layer 0 \(Linear\)"):
        trainer.check_weights_finite()


def test_an_exploding_finite_loss_is_divergence():
    x, y = _blobs()
    trainer = Trainer(_net("batch"), optimizer="adam", lr=1e6, epochs=3, quiet=True)
    with pytest.raises(DivergenceError, match="over 1000 × its starting value"):
        trainer.fit(x, y)


def test_a_learning_network_never_trips_the_explosion_rule():
    x, y = _blobs()
    history = Trainer(_net("batch"), optimizer="adam", lr=1e-2, epochs=5, quiet=True).fit(x, y)
    assert len(history.records) == 5


@pytest.mark.parametrize(
    "loss, y, outputs, expected",
    [
        ("softmax", np.array([0, 1, 2, 3] * 3), 10, math.log(10)),
        ("svm", np.array([0, 1, 2] * 3), 10, 9.0),
        ("mse", np.full(6, 3000.0), 1, 3000.0**2),
    ],
)
def test_the_starting_value_is_the_loss_of_zero_scores(loss, y, outputs, expected):
    found = starting_loss(get_loss(loss), y, outputs)
    assert found == pytest.approx(max(expected, 1.0), rel=0.01)
    assert not exploded(found * EXPLOSION_FACTOR * 0.99, found)
    assert exploded(found * EXPLOSION_FACTOR * 1.01, found)


def test_divergence_exits_3_and_info_suggests_a_smaller_learning_rate(tmp_path):
    out = tmp_path / "run"
    fails_with_one_line(
        "train", "--data", "iris", "--optimizer", "sgd", "--lr", "1e30", "--norm", "none",
        "--no-plots", "-q", "--out", out, match="diverged.*first non-finite: layer", code=3,
    )  # fmt: skip
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "failed" and info["diverged"].startswith("training diverged")
    line = fails_with_one_line("info", out, match="diverged.*smaller learning rate")
    assert "--resume" not in line


def test_adam_with_batch_norm_at_lr_1e6_is_not_complete(tmp_path):
    """Before: exit 0, status complete, training loss 3e11 (Adam, no dropout: the loss stays
    finite, so only the explosion rule can catch it)."""
    out = tmp_path / "run"
    fails_with_one_line(
        "train", "--lr", "1e6", "--epochs", "2", "--no-plots", "-q", "--out", out,
        "--optimizer", "adam", "--dropout", "0",
        match="diverged in epoch 1: the mean training loss .* over 1000", code=3,
    )  # fmt: skip
    assert json.loads((out / "run.json").read_text())["status"] == "failed"
