"""A search whose every trial is near chance says that every range may be wrong."""

import json

import numpy as np
import pytest

from mlplab.search.chance import chance_accuracy, near_chance


def test_chance_is_the_share_of_the_most_common_validation_label():
    assert chance_accuracy(np.array([0, 1, 1, 1])) == 0.75
    assert chance_accuracy(np.arange(10)) == pytest.approx(0.1)
    assert chance_accuracy(np.array([], dtype=np.int64)) is None
    assert chance_accuracy(np.zeros((3, 2), dtype=np.int64)) is None  # multi-label: no warning


@pytest.mark.parametrize(
    ("best", "chance", "warns"),
    [(0.15, 0.1, True), (0.19, 0.1, True), (0.20, 0.1, False), (0.905, 0.9, True),
     (0.95, 0.9, False), (0.54, 0.5, True), (0.6, 0.5, False), (None, 0.1, False),
     (0.5, None, False), (1.0, 1.0, False)],
)  # fmt: skip
def test_near_chance_is_a_tenth_of_the_way_to_perfect(best, chance, warns):
    message = near_chance(best, chance)
    assert (message is not None) == warns
    if warns:
        assert f"{best:.3f}" in message and f"{chance:.3f}" in message


def test_a_search_whose_rates_are_all_far_too_small_says_so(tmp_path, cli):
    common = ["search", "--data", "digits", "--trials", "2", "--epochs", "1"]
    done = cli(*common, "lr=log:1e-9..1e-8", "--out", tmp_path / "low", "--json")
    assert done.returncode == 0, done.stderr
    warning = json.loads(done.stdout)["near_chance"]
    assert warning.startswith("every trial is near chance")
    done = cli(*common, "lr=log:1e-9..1e-8", "--out", tmp_path / "low2")
    assert "warning: every trial is near chance" in done.stdout
    done = cli(*common, "lr=log:1e-3..1e-2", "--out", tmp_path / "good", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["near_chance"] is None
