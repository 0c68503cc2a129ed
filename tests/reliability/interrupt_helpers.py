"""Shared by the interruption tests: a tiny run config, signals sent from inside a chosen step,
and the comparison of a resumed run with an uninterrupted one (weights bit for bit, every
metrics.csv column but the time)."""

import os

import numpy as np

import mlplab.io
from mlplab.runs.metrics_file import read_metrics
from mlplab.training import Trainer

EPOCHS = 3


def run_config(out, **training) -> dict:
    """Digits, one hidden layer of 16 with batch norm, 3 epochs of 20 steps, the babysitting
    monitors on (plots) and the batch-norm gap monitor (state kept across an epoch's end);
    every epoch's checkpoint written (none put off by ``checkpoint_overhead``), so that the
    tests know which steps are saved."""
    values = {
        "epochs": EPOCHS,
        "batch_size": 64,
        "callbacks": ["batchnorm_gap"],
        "checkpoint_overhead": 0,
        **training,
    }
    return {
        "data": {"source": "digits"},
        "network": {"hidden": [16]},
        "training": values,
        "output": {"dir": str(out), "plots": True},
    }


def no_drawing(monkeypatch) -> None:
    """Keep the monitors (plots on) but skip drawing the figures: seconds per run."""
    monkeypatch.setattr("mlplab.runs.completion.draw_plots", lambda run: {})


def signal_in_step(monkeypatch, step: int, signum: int, again: bool = False) -> None:
    """Send ``signum`` to this process from inside training step ``step`` (1-based): it arrives
    mid-step, as a real one would. ``again``: a second one during the checkpoint it causes."""
    original = Trainer._train_step

    def step_with_signal(self, *batch):
        if self.step + 1 == step:
            os.kill(os.getpid(), signum)
            if again:
                signal_during_next_fsync(monkeypatch, signum)
        return original(self, *batch)

    monkeypatch.setattr(Trainer, "_train_step", step_with_signal)


def signal_during_next_fsync(monkeypatch, signum: int) -> None:
    """Send ``signum`` once, right after the next atomic write flushed its temporary file."""
    import mlplab.files.atomic as atomic

    original = atomic.os.fsync
    fired = []

    def fsync(fd):
        original(fd)
        if not fired:
            fired.append(True)
            os.kill(os.getpid(), signum)

    monkeypatch.setattr(atomic.os, "fsync", fsync)


def weights(directory) -> list:
    model = mlplab.io.load(directory)
    return [layer.params[key].copy() for _, layer, key in model.network.parameters()]


def metrics_without_time(directory) -> list[dict]:
    return [
        {k: v for k, v in row.items() if k != "time"}
        for row in read_metrics(directory / "metrics.csv")
    ]


def assert_same_run(resumed, reference) -> None:
    """Bit-identical weights and metrics.csv, column by column (the time aside)."""
    for a, b in zip(weights(resumed), weights(reference), strict=True):
        np.testing.assert_array_equal(a, b)
    got, expected = metrics_without_time(resumed), metrics_without_time(reference)
    assert [sorted(r) for r in got] == [sorted(r) for r in expected]
    for row_got, row_expected in zip(got, expected, strict=True):
        for column, value in row_expected.items():
            assert row_got[column] == value, f"epoch {row_expected['epoch']}, column {column}"
