"""SIGINT and SIGTERM during training: a checkpoint of the current step, one line on stderr
with the resume command, run.json ``interrupted``, exit 130 / 143, and a resume that ends
bit-identical to the uninterrupted run (weights and every metrics.csv column but the time)."""

import json
import signal

import numpy as np
import pytest

from mlplab.cli import main
from mlplab.runs import resume, train
from mlplab.training import Checkpoint, Trainer, load_checkpoint, save_checkpoint
from mlplab.training.interrupts import Interrupted
from tests.reliability.interrupt_helpers import (
    assert_same_run,
    no_drawing,
    run_config,
    signal_in_step,
)

STEPS_PER_EPOCH = 20  # digits' training split (70% of 1797 rows) in batches of 64


@pytest.mark.parametrize(
    "signum,step",
    [
        (signal.SIGINT, 1),  # during the first step
        (signal.SIGTERM, 7),  # mid-epoch
        (signal.SIGTERM, STEPS_PER_EPOCH),  # the epoch's last step: checkpoint before its end
        (signal.SIGINT, 2 * STEPS_PER_EPOCH + 5),
    ],
)
def test_signal_checkpoints_the_step_and_resumes_identically(
    tmp_path, monkeypatch, reference, signum, step
):
    no_drawing(monkeypatch)
    out = tmp_path / "run"
    signal_in_step(monkeypatch, step, signum)
    with pytest.raises(Interrupted) as stopped:
        train(run_config(out))
    assert stopped.value.exit_code == 128 + signum
    assert f"--resume {out}" in str(stopped.value)
    assert json.loads((out / "run.json").read_text())["status"] == "interrupted"
    checkpoint = load_checkpoint(out / "checkpoints" / "last.safetensors")
    assert checkpoint.step == step  # the step under way when the signal came, completed
    monkeypatch.undo()
    no_drawing(monkeypatch)
    resume(out)
    assert_same_run(out, reference)


def test_cli_exit_codes_and_one_line(tmp_path, monkeypatch, capsys, reference):
    no_drawing(monkeypatch)
    out = tmp_path / "run"
    flags = ["--hidden", "16", "--epochs", "3", "--batch-size", "64", "--callback", "batchnorm_gap"]
    signal_in_step(monkeypatch, 11, signal.SIGTERM)
    assert main(["train", *flags, "--out", str(out), "--quiet"]) == 143
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("mlplab train: interrupted by SIGTERM at epoch 1, step 11; ")
    assert lines[0].endswith(f"continue with: mlplab train --resume {out}")
    signal_in_step(monkeypatch, 23, signal.SIGINT)  # the resumed run, interrupted again
    assert main(["train", "--resume", str(out), "--quiet"]) == 130
    assert "interrupted by SIGINT at epoch 2, step 23" in capsys.readouterr().err
    monkeypatch.undo()
    no_drawing(monkeypatch)
    assert main(["train", "--resume", str(out), "--quiet"]) == 0
    assert_same_run(out, reference)


def test_signal_during_a_checkpoint_write_waits_for_it(tmp_path, monkeypatch, reference):
    """SIGTERM while the epoch-end checkpoint is written: the write completes, then training
    stops at the next step boundary (the start of epoch 2)."""
    from tests.reliability.interrupt_helpers import signal_during_next_fsync

    no_drawing(monkeypatch)
    out = tmp_path / "run"
    original = Checkpoint.on_epoch_end

    def on_epoch_end(self, trainer):
        if trainer.epoch == 0:
            signal_during_next_fsync(monkeypatch, signal.SIGTERM)
        original(self, trainer)

    monkeypatch.setattr(Checkpoint, "on_epoch_end", on_epoch_end)
    with pytest.raises(Interrupted):
        train(run_config(out))
    checkpoint = load_checkpoint(out / "checkpoints" / "last.safetensors")
    assert (checkpoint.epoch, checkpoint.step) == (1, STEPS_PER_EPOCH)
    assert not list((out / "checkpoints").glob(".*.tmp"))
    monkeypatch.undo()
    no_drawing(monkeypatch)
    resume(out)
    assert_same_run(out, reference)


def test_second_sigint_stops_at_once_and_keeps_the_last_checkpoint(
    tmp_path, monkeypatch, reference
):
    no_drawing(monkeypatch)
    out = tmp_path / "run"
    signal_in_step(monkeypatch, STEPS_PER_EPOCH + 4, signal.SIGINT, again=True)
    with pytest.raises(Interrupted) as stopped:
        train(run_config(out))
    assert stopped.value.hard and stopped.value.exit_code == 130
    assert "last complete checkpoint is kept" in str(stopped.value)
    last = out / "checkpoints" / "last.safetensors"
    assert load_checkpoint(last).step == STEPS_PER_EPOCH  # the epoch-end one, intact
    assert not list((out / "checkpoints").glob(".*.tmp"))
    monkeypatch.undo()
    no_drawing(monkeypatch)
    resume(out)
    assert_same_run(out, reference)


def test_trainer_fit_keyboard_interrupt_leaves_a_resumable_trainer(digits, monkeypatch, tmp_path):
    """In Python, Ctrl-C stops ``fit`` between two steps: the trainer is consistent, a second
    ``fit`` finishes the interrupted one, and a checkpoint of it resumes exactly."""
    X, y = digits

    def make():
        from mlplab.network import build_mlp

        net = build_mlp({"input_size": 64, "output_size": 10, "hidden": [16], "norm": "batch"})
        return Trainer(net, "adam", lr=1e-2, schedule="cosine", epochs=3, batch_size=100, seed=1)

    full = make()
    full.fit(X, y)
    signal_in_step(monkeypatch, 13, signal.SIGINT)
    part = make()
    with pytest.raises(KeyboardInterrupt):
        part.fit(X, y)
    assert part.step == 13
    monkeypatch.undo()
    other = make()
    other.fit(X, y, resume=save_checkpoint(part, tmp_path / "ck.safetensors"))
    part.fit(X, y)  # finishes the interrupted fit: 3 epochs in all
    assert len(part.history) == len(full.history) == 3
    for trainer in (part, other):
        pairs = zip(trainer.net.parameters(), full.net.parameters(), strict=True)
        for (_, a, k), (_, b, _) in pairs:
            np.testing.assert_array_equal(a.params[k], b.params[k])


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    return (d.data[:800] / 16.0).astype(np.float32), d.target[:800]
