"""What a resume restores and refuses: early stopping and plateau state, a corrupt latest
checkpoint, the temporaries of a killed writer, config.toml edited after the interruption, a
full disk during a checkpoint write."""

import errno
import json
import signal

import pytest

import mlplab.files.atomic as atomic
from mlplab.cli import main
from mlplab.errors import ConfigError, FileFormatError
from mlplab.runs import resume, train
from mlplab.training import Checkpoint, load_checkpoint
from mlplab.training.checkpoint import CheckpointWarning
from mlplab.training.interrupts import Interrupted
from tests.reliability.interrupt_helpers import (
    assert_same_run,
    no_drawing,
    run_config,
    signal_in_step,
)

pytestmark = pytest.mark.filterwarnings("ignore::mlplab.training.TrainingWarning")


class Killed(BaseException):
    """Stands for SIGKILL in-process: nothing of mlplab catches it."""


def stopping_config(out) -> dict:
    """Early stopping (patience 2) fires after epoch 6 of 30; the plateau schedule halves the
    rate at epoch 6."""
    return run_config(
        out,
        epochs=30,
        early_stopping=2,
        optimizer={"name": "adam", "lr": 0.03},
        schedule={"name": "plateau", "patience": 0, "factor": 0.5},
    )


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    no_drawing(monkeypatch)


@pytest.fixture(scope="module")
def stopped_reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("stopped") / "run"
    with pytest.MonkeyPatch.context() as mp:
        no_drawing(mp)
        run = train(stopping_config(out))
    assert len(run.history) < 30  # it did stop early
    return out


def test_resume_after_early_stopping_fired_ends_where_the_run_ended(
    tmp_path, monkeypatch, stopped_reference
):
    out = tmp_path / "run"
    original = Checkpoint.on_epoch_end

    def killed_after_the_stop_was_saved(self, trainer):
        original(self, trainer)
        if trainer.stop_training:
            raise Killed

    monkeypatch.setattr(Checkpoint, "on_epoch_end", killed_after_the_stop_was_saved)
    with pytest.raises(Killed):
        train(stopping_config(out))
    monkeypatch.setattr(Checkpoint, "on_epoch_end", original)
    run = resume(out)
    assert len(run.history) < 30
    assert_same_run(out, stopped_reference)


def test_early_stopping_and_plateau_state_survive_a_mid_run_signal(
    tmp_path, monkeypatch, stopped_reference
):
    out = tmp_path / "run"
    signal_in_step(
        monkeypatch, 95, signal.SIGTERM
    )  # in epoch 5, after the plateau's first bad epoch
    with pytest.raises(Interrupted):
        train(stopping_config(out))
    monkeypatch.undo()
    no_drawing(monkeypatch)
    resume(out)
    assert_same_run(out, stopped_reference)


def _interrupted_run(tmp_path, monkeypatch, step=47):
    out = tmp_path / "run"
    signal_in_step(monkeypatch, step, signal.SIGINT)
    with pytest.raises(Interrupted):
        train(run_config(out))
    monkeypatch.undo()
    no_drawing(monkeypatch)
    return out


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[:-1000],  # truncated
        lambda b: b[:-100] + bytes([b[-100] ^ 0x40]) + b[-99:],  # one flipped bit in the data
    ],
    ids=["truncated", "flipped"],
)
def test_corrupt_latest_checkpoint_falls_back_to_the_previous(
    tmp_path, monkeypatch, reference, damage
):
    out = _interrupted_run(tmp_path, monkeypatch)
    last = out / "checkpoints" / "last.safetensors"
    previous = out / "checkpoints" / "last.previous.safetensors"
    assert load_checkpoint(previous).step == 40  # the epoch-end checkpoint before step 47
    last.write_bytes(damage(last.read_bytes()))
    with pytest.warns(CheckpointWarning, match=r"last\.safetensors.*previous checkpoint") as seen:
        resume(out)
    assert len(seen) == 1 and "\n" not in str(seen[0].message)
    assert_same_run(out, reference)


def test_both_checkpoints_corrupt_is_one_error_naming_both(tmp_path, monkeypatch):
    out = _interrupted_run(tmp_path, monkeypatch)
    for name in ("last.safetensors", "last.previous.safetensors"):
        path = out / "checkpoints" / name
        path.write_bytes(path.read_bytes()[:-500])
    with pytest.raises(FileFormatError, match=r"last\.safetensors.*last\.previous\.safetensors"):
        resume(out)


def test_resume_removes_the_temporaries_of_a_killed_writer_only(tmp_path, monkeypatch, reference):
    out = _interrupted_run(tmp_path, monkeypatch)
    left = [
        out / "checkpoints" / ".last.safetensors.k2x_9q0a.tmp",
        out / ".model.safetensors.abcdefgh.tmp",
        out / ".metrics.csv.0a1b2c3d.tmp",
    ]
    for path in left:
        path.write_bytes(b"\0" * 1000)
    kept = [out / "notes.tmp", out / ".notes.tmp", out / "checkpoints" / ".x.TOOLONG123.tmp"]
    for path in kept:
        path.write_text("the user's")
    resume(out)
    assert not any(path.exists() for path in left)
    assert all(path.read_text() == "the user's" for path in kept)
    assert_same_run(out, reference)


@pytest.mark.parametrize(
    "old,new,key",
    [
        ("lr = 0.001", "lr = 0.01", "training.optimizer.lr"),
        ('[training.schedule]\nname = "cosine"', '[training.schedule]\nname = "constant"',
         "training.schedule.name"),
        ("epochs = 3", "epochs = 5", "training.epochs"),
        ("dropout = 0.3", "dropout = 0.5", "network.dropout"),
    ],
    ids=["lr", "schedule", "epochs", "dropout"],
)  # fmt: skip
def test_config_edited_before_resume_is_refused(tmp_path, monkeypatch, capsys, old, new, key):
    out = _interrupted_run(tmp_path, monkeypatch)
    config = out / "config.toml"
    text = config.read_text()
    assert old in text, text
    config.write_text(text.replace(old, new))
    checkpoint = (out / "checkpoints" / "last.safetensors").read_bytes()
    with pytest.raises(ConfigError, match=rf"{key} \("):
        resume(out)
    assert main(["train", "--resume", str(out)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and key in lines[0] and "config.toml" in lines[0], lines
    assert (out / "checkpoints" / "last.safetensors").read_bytes() == checkpoint
    assert json.loads((out / "run.json").read_text())["status"] == "interrupted"


def test_disk_full_during_a_checkpoint_write(tmp_path, monkeypatch, capsys, reference):
    """ENOSPC while writing the second epoch's checkpoint: one line, exit 2, the first epoch's
    checkpoint intact and no temporary left; the run then resumes exactly."""
    out = tmp_path / "run"
    original = atomic.os.fdopen

    class FullDisk:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    def fdopen(fd, mode="r", *args, **kwargs):
        f = original(fd, mode, *args, **kwargs)
        second_epoch = load_checkpoint_step(out) == 20
        return FullDisk(f) if second_epoch and _writing_checkpoint() else f

    def load_checkpoint_step(out):
        last = out / "checkpoints" / "last.safetensors"
        return load_checkpoint(last).step if last.is_file() else None

    monkeypatch.setattr(atomic.os, "fdopen", fdopen)
    flags = ["--hidden", "16", "--epochs", "3", "--batch-size", "64", "--callback", "batchnorm_gap"]
    flags += ["--checkpoint-overhead", "0"]  # the second epoch's save is the one that fails
    assert main(["train", *flags, "--out", str(out), "--quiet"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "last.safetensors" in lines[0] and "No space" in lines[0], lines
    assert load_checkpoint(out / "checkpoints" / "last.safetensors").step == 20
    assert not list(out.rglob("*.tmp"))
    monkeypatch.undo()
    no_drawing(monkeypatch)
    resume(out)
    assert_same_run(out, reference)


def _writing_checkpoint() -> bool:
    """Whether the atomic write under way (on the stack) is a checkpoint's."""
    import inspect

    return any(frame.function == "save_checkpoint" for frame in inspect.stack())
