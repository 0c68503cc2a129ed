"""A run's report carries the babysitting figures and, with batch norm, its train/test gap."""

import pytest

from mlplab.runs import train


def small_run(tmp_path, **network):
    return train(
        {
            "data": {"source": "iris"},
            "network": {"hidden": [8], **network},
            "training": {"epochs": 3, "batch_size": 16},
            "output": {"dir": str(tmp_path / "run")},
        }
    )


def test_batch_norm_run_has_babysitting_and_gap_figures(tmp_path):
    run = small_run(tmp_path, norm="batch")
    plots = sorted(p.name for p in (run.directory / "plots").iterdir())
    assert {"babysitting.png", "batchnorm_gap.png"} <= set(plots)
    html = (run.directory / "report.html").read_text(encoding="utf-8")
    assert "Batch norm at test time" in html and "Train/eval score difference" in html
    assert "Babysitting: update/weight ratio, dead and saturated units per layer" in html
    logged = run.history[-1]
    assert logged["bn_mean_gap/1"] >= 0 and logged["bn_var_ratio/1"] > 0


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_run_without_batch_norm_has_no_gap(tmp_path, activation):
    run = small_run(tmp_path, norm="none", activation=activation)
    plots = {p.name for p in (run.directory / "plots").iterdir()}
    assert "babysitting.png" in plots and "batchnorm_gap.png" not in plots
    assert "Batch norm at test time" not in (run.directory / "report.html").read_text()
    kind = "saturated/1" if activation == "tanh" else "dead/1"
    assert kind in run.history[-1]
