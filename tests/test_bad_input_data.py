"""Bad or tiny data files on the ``data info`` path: a table or one line, never a traceback."""

from pathlib import Path

import mlplab
from tests.conftest import run_cli

PACKAGE_ROOT = {"PYTHONPATH": str(Path(mlplab.__file__).parents[1])}


def test_data_info_on_a_file_too_small_for_every_split(tmp_path):
    """Two rows: the validation and test splits are empty, and one value is inf."""
    path = tmp_path / "two.csv"
    path.write_text("a,b,label\n1,inf,x\n2,3,y\n")
    result = run_cli("data", "info", path, env=PACKAGE_ROOT)
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines() if line}
    assert rows["x"] == ["1", "0", "0"] and rows["y"] == ["1", "0", "0"]
    assert "warning: the data holds NaN or inf values" in result.stdout


def test_no_validation_split_trains_with_the_default_preprocessing(tmp_path):
    """validation = 0 is allowed: the empty split must not reach the standardizer."""
    run = mlplab.train(
        {
            "data": {"source": "iris", "validation": 0.0},
            "network": {"hidden": [4]},
            "training": {"epochs": 1},
            "output": {"dir": str(tmp_path / "run"), "plots": False},
        }
    )
    assert "val" not in run.metrics and run.metrics["test"]["examples"] == 24
