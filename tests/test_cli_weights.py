"""--weight, --class-weight and --keep-best from the command line and the config."""

import csv
import json

import numpy as np


def _write_csv(path, weights):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((120, 3))
    labels = np.where(x[:, 0] > 0.7, "yes", "no")
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["a", "b", "c", "w", "label"])
        for row, weight, label in zip(x, weights, labels, strict=True):
            out.writerow([*row, weight, label])
    return path


def test_weight_column_class_weight_and_keep_best(cli, tmp_path):
    data = _write_csv(tmp_path / "d.csv", np.random.default_rng(1).integers(0, 3, 120))
    run = tmp_path / "run"
    result = cli("train", "--data", data, "--weight", "w", "--class-weight", "balanced",
                 "--keep-best", "val_accuracy", "--epochs", "4", "--hidden", "8",
                 "--out", run, "--no-plots", "--quiet")  # fmt: skip
    assert result.returncode == 0, result.stderr
    info = json.loads((run / "run.json").read_text())
    assert info["weights"] == {"column": "w", "class_weight": "balanced"}
    best = info["keep_best"]
    with open(run / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    accuracies = [float(r["val_accuracy"]) for r in rows]
    assert best["monitor"] == "val_accuracy"
    assert best["epoch"] == accuracies.index(max(accuracies)) + 1
    assert abs(info["metrics"]["val"]["accuracy"] - best["value"]) < 1e-6
    assert "model from" in (run / "report.html").read_text()
    config = (run / "config.toml").read_text()
    assert 'weight = "w"' in config and 'keep_best = "val_accuracy"' in config


def test_negative_weight_is_one_line_naming_the_row(cli, tmp_path):
    weights = np.ones(120)
    weights[5] = -2
    data = _write_csv(tmp_path / "d.csv", weights)
    result = cli("train", "--data", data, "--weight", "w", "--epochs", "1", "--out",
                 tmp_path / "run", "--no-plots", "--quiet")  # fmt: skip
    assert result.returncode == 2
    assert "at row 5" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_bad_class_weight_is_a_config_error(cli, tmp_path):
    result = cli("train", "--class-weight", "3=x", "--epochs", "1", "--out", tmp_path / "r")
    assert result.returncode == 2
    assert "expected balanced or LABEL=WEIGHT" in result.stderr
