import csv
import math

import pytest

from mlplab.train import History


def test_history_lists_metrics_and_finds_the_best():
    h = History()
    h.append({"epoch": 1, "loss": 2.0, "val_loss": 1.5})
    h.append({"epoch": 2, "loss": 1.0, "val_loss": 1.7, "extra": 3})
    assert h["loss"] == [2.0, 1.0] and len(h) == 2
    assert math.isnan(h["extra"][0]) and h["extra"][1] == 3
    assert h.best("val_loss") == (0, 1.5) and h.best("loss", "max") == (0, 2.0)
    assert h.keys() == ["epoch", "loss", "val_loss", "extra"]
    with pytest.raises(KeyError, match="no metric 'acc'"):
        h["acc"]


def test_history_csv(tmp_path):
    h = History([{"epoch": 1, "loss": 0.1 + 0.2}, {"epoch": 2, "loss": 0.5, "val_loss": 0.25}])
    path = tmp_path / "metrics.csv"
    h.to_csv(path)
    rows = list(csv.DictReader(path.open()))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert float(rows[0]["loss"]) == 0.1 + 0.2  # exact round trip
    assert rows[0]["val_loss"] == "" and float(rows[1]["val_loss"]) == 0.25
