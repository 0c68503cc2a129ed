"""The benchmark's goal checks (benchmarks/goals.py) on hand-made medians."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import goals  # noqa: E402


def test_check_marks_pass_and_fail_at_the_goal():
    assert goals.check(1.0, 1.0) == ("1.00 PASS", True)
    assert goals.check(0.99, 1.0) == ("0.99 **FAIL**", False)
    assert goals.check(0.3, 1 / 3, at_most=True)[1] is True
    assert goals.check(None, 1.0) == ("–", None)


def test_tiny_needs_more_at_two_threads_only():
    assert goals.speed_goal("tiny", first=True) == 1.2
    assert goals.speed_goal("tiny", first=False) == 1.0
    assert goals.speed_goal("cifar", first=True) == 1.0


def test_headline_compares_fit_with_jax_and_counts_the_checks():
    cells = {
        (2, "env", "tiny", "sgdm", "mlplab-fit"): (130.0, 30.0, 1.0),
        (2, "env", "tiny", "sgdm", "jax"): (100.0, 300.0, 1.0),
        (2, "env", "tiny", "sgdm", "mlplab-numpy"): (65.0, 30.0, 1.0),
        (1, "env", "tiny", "sgdm", "mlplab-fit"): (90.0, 30.0, 1.0),
        (1, "env", "tiny", "sgdm", "jax"): (100.0, 300.0, 1.0),
    }
    agg = {("main", *key): {"sps": s, "rss": r, "gflops": g} for key, (s, r, g) in cells.items()}
    rows, passed, checked = goals.headline_rows(agg, [2, 1], ["env"], "env", ["tiny"], ["sgdm"])
    assert rows == [
        [
            "tiny",
            "sgdm",
            "env",
            "1.30 PASS (≥ 1.2)",
            "0.90 **FAIL** (≥ 1)",
            "0.10 PASS",
            "2.00",
            "–",
        ]
    ]
    assert (passed, checked) == (2, 3)


def test_peak_share_is_against_the_best_library_at_the_same_thread_count():
    agg = {("main", 2, "env", "cifar", "sgdm", "mlplab-fit"): {"gflops": 90.0}}
    peaks = {("numpy", "env", 2): 100.0, ("jax", "env", 2): 120.0, ("numpy", "env", 1): 60.0}
    header, rows, passed, checked = goals.peak_rows(agg, peaks, [2], ["env"])
    assert rows == [["2", "env", "90.0", "120", "100", "75% **FAIL**"]]
    assert (passed, checked) == (0, 1)


def test_speed_is_the_median_of_each_repeats_ratio():
    # equal speed in repeats 0 and 1 (repeat 1 in a slow phase of the machine, for both), JAX
    # alone slowed in repeat 2: the medians' ratio says 1.25, the repeats' ratios 1.0
    fit = {"sps": 100.0, "by_repeat": {0: 100.0, 1: 60.0, 2: 104.0}}
    jax = {"sps": 80.0, "by_repeat": {0: 100.0, 1: 60.0, 2: 80.0}}
    assert goals.speed_ratio(fit, jax) == 1.0
    assert goals.speed_ratio(fit, {"sps": 90.0, "by_repeat": {1: 45.0}}) == 60.0 / 45.0
    # no repeat in common (a raw file without repeats, or runs missing): the medians' ratio
    assert goals.speed_ratio(fit, {"sps": 80.0, "by_repeat": {5: 80.0}}) == 100.0 / 80.0
    assert goals.speed_ratio({"sps": 100.0}, {"sps": 50.0}) == 2.0
    assert goals.speed_ratio(fit, None) is None
