"""Bad schedule arguments are refused before a run directory is made (exit 2, one line)."""

import re
from pathlib import Path

import pytest

import mlplab
from mlplab.errors import ConfigError
from tests.conftest import run_cli

PACKAGE_ROOT = {"PYTHONPATH": str(Path(mlplab.__file__).parents[1])}


@pytest.mark.parametrize(
    "schedule, match",
    [
        ("step:abc", "expected key=value"),
        ("step:step_size=x", r"schedule 'step': invalid literal"),
        ("plateau:patience=abc", r"schedule 'plateau': invalid literal"),
        ("cosine:warmup=x", r"schedule 'cosine': invalid literal"),
        ("step:foo=1", r"schedule 'step': .*'foo'"),
    ],
)
def test_bad_schedule_arguments_leave_no_run(schedule, match, tmp_path):
    result = run_cli(
        "train", "--data", "xor", "--epochs", "1", "--schedule", schedule,
        cwd=tmp_path, env=PACKAGE_ROOT,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and re.search("training.schedule: .*" + match, lines[0]), lines
    assert list(tmp_path.iterdir()) == []  # no runs/ folder with a failed run in it


def test_bad_schedule_arguments_in_the_api():
    with pytest.raises(ConfigError, match="training.schedule: schedule 'step'"):
        mlplab.train({"data": {"source": "xor"}, "training": {"schedule": "step:step_size=x"}})
