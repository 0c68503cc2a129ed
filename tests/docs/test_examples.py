"""Every script in examples/ runs to the end (long ones with short settings) and reports."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Arguments that keep each example short; an example missing here runs with none.
SHORT_ARGUMENTS = {"babysit_digits.py": ["out", "--epochs", "2"]}
EXPECTED_OUTPUT = {
    "babysit_digits.py": "test accuracy",
    "polar_circles.py": "polar (r, θ)   train accuracy 1.000   test accuracy 1.000",
}


@pytest.mark.parametrize("script", sorted((ROOT / "examples").glob("*.py")), ids=lambda p: p.name)
def test_example_runs(script, tmp_path):
    done = subprocess.run(
        [sys.executable, str(script), *SHORT_ARGUMENTS.get(script.name, [])],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "MPLBACKEND": "Agg"},
    )
    assert done.returncode == 0, done.stderr
    assert EXPECTED_OUTPUT.get(script.name, "") in done.stdout


def test_every_example_is_listed():
    """A new example states what its output must contain."""
    assert {p.name for p in (ROOT / "examples").glob("*.py")} == set(EXPECTED_OUTPUT)
