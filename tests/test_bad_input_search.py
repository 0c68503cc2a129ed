"""search: what would fail every trial stops it before the first (exit 2, one line); a search in
which no trial finished exits 1."""

import re
from pathlib import Path

import pytest

import mlplab
from tests.conftest import run_cli

pytest.importorskip("optuna")
PACKAGE_ROOT = {"PYTHONPATH": str(Path(mlplab.__file__).parents[1])}


@pytest.mark.parametrize(
    "args, match",
    [
        (["lr=log:1e-3..1e-1", "--data", "nope"], r"search: data 'nope': no such file"),
        (["hidden=choice:[8]|[a]"], r"search: hidden='\[a\]'.*network.hidden must be an integer"),
        (
            ["lr=log:1e-3..1e-1", "--epochs", "-1"],
            r"training.epochs=-1: .*0 \(from the step budget\) or more, got -1",
        ),
        (
            ["epochs=int:-1..2"],
            r"epochs=-1: training.epochs must be 0 \(from the step budget\) or more, got -1",
        ),
        (["dropout=0..0.5", "optimizer=nope"], r"optimizer='nope'.*unknown optimizer 'nope'"),
    ],
)
def test_search_refuses_what_no_trial_can_use(args, match, tmp_path):
    out = tmp_path / "search"
    result = run_cli("search", *args, "--trials", "1", "--out", out, env=PACKAGE_ROOT)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and re.search(match, lines[0]), result.stderr
    assert not (out / "trials.csv").exists()


def test_search_where_every_trial_fails_exits_1(tmp_path):
    config = tmp_path / "sgd.toml"
    config.write_text('[network]\nnorm = "none"\n[training]\noptimizer = "sgd"\n')
    result = run_cli(
        "search", "lr=log:1e6..1e7", "--config", config, "--data", "iris", "--trials", "2",
        "--epochs", "2", "--out", tmp_path / "s", env=PACKAGE_ROOT,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "trials: 2 fail" in result.stdout and "DivergenceError" in result.stdout
