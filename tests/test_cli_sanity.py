"""``mlplab sanity`` on the built-in digits."""

import json
import math

import pytest

pytestmark = pytest.mark.slow  # each runs the CLI in a subprocess (a few seconds)


def _verdicts(check):
    """{rounded lr: verdict} (log-spaced rates carry rounding errors)."""
    return {float(f"{r['lr']:.6g}"): r["verdict"] for r in check["numbers"]["rates"]}


def _checks(result):
    data = json.loads(result.stdout)
    return data, {c["name"]: c for c in data["checks"]}


def test_sanity_passes_with_a_sane_config(cli):
    result = cli("sanity", "--json", "--lr", "1e-3", "--sweep", "1e-5:10:7")
    assert result.returncode == 0, result.stderr
    data, checks = _checks(result)
    assert data["passed"] is True
    initial = checks["initial_loss"]["numbers"]
    assert initial["expected"] == math.log(10)
    assert abs(initial["loss"] - math.log(10)) < 0.5 * math.log(10)
    assert checks["regularization"]["numbers"]["loss_with_l2"] > initial["loss"]
    assert checks["overfit"]["numbers"]["accuracy"] == 1.0
    assert checks["overfit"]["numbers"]["examples"] == 20
    verdicts = _verdicts(checks["lr_sweep"])
    assert verdicts[1e-3] == "workable"
    assert verdicts[1e-5] == "too low"
    assert verdicts[10.0] == "too high"


def test_sanity_flags_a_learning_rate_of_10_as_too_high(cli):
    result = cli("sanity", "--json", "--lr", "10", "--sweep", "1e-4:1:5", "--optimizer", "sgd")
    assert result.returncode == 1
    data, checks = _checks(result)
    assert data["passed"] is False
    sweep = checks["lr_sweep"]
    assert sweep["passed"] is False
    assert "the chosen rate 10 is too high" in sweep["summary"]
    verdicts = _verdicts(sweep)
    assert verdicts[10.0] == "too high" and "workable" in verdicts.values()


def test_sanity_text_output_and_bad_flags(cli):
    result = cli("sanity", "--sweep", "1e-3:1e-1:2", "--sweep-steps", "20")
    assert result.returncode == 0, result.stderr
    assert "initial_loss" in result.stdout and "pass" in result.stdout
    assert "learning-rate sweep" in result.stdout
    bad = cli("sanity", "--sweep", "fast")
    assert bad.returncode == 2 and "LOW:HIGH:COUNT" in bad.stderr
    bad = cli("sanity", "--optimizer", "adamm")
    assert bad.returncode == 2 and "unknown optimizer" in bad.stderr
