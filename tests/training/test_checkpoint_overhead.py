"""``Checkpoint(max_overhead=f)``: epoch-end saves put off so that they take at most about f of
the time, on a clock the test moves (epochs of 1/32 s, saves of 1/64 s: exact in binary)."""

import types

import pytest

import mlplab
import mlplab.training.checkpoint as checkpoint_module
from mlplab.cli import main
from mlplab.errors import ConfigError
from mlplab.network import build_mlp
from mlplab.training import Callback, Checkpoint, Trainer, load_checkpoint

EPOCH_SECONDS = 1 / 32
SAVE_SECONDS = 1 / 64


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class EpochTakesTime(Callback):
    """Moves the clock by an epoch's time at every epoch's end; stops training after
    ``stop_after`` epochs when given."""

    def __init__(self, clock, seconds, stop_after=None):
        self.clock, self.seconds, self.stop_after = clock, seconds, stop_after

    def on_epoch_end(self, trainer):
        self.clock.now += self.seconds
        if self.stop_after is not None and trainer.epoch + 1 == self.stop_after:
            trainer.stop_training = True


@pytest.fixture
def clock(monkeypatch):
    """The module's clock, and saves that take ``SAVE_SECONDS`` on it; ``clock.saved`` lists
    the epochs (1-based) whose ``last.safetensors`` was written."""
    clock = Clock()
    clock.saved = []
    monkeypatch.setattr(checkpoint_module, "time", types.SimpleNamespace(perf_counter=clock))
    original = checkpoint_module.save_checkpoint

    def timed_save(trainer, path, *args, **kwargs):
        clock.now += SAVE_SECONDS
        clock.saved.append(trainer.epoch + 1)
        return original(trainer, path, *args, **kwargs)

    monkeypatch.setattr(checkpoint_module, "save_checkpoint", timed_save)
    return clock


def _fit(digits, directory, clock, overhead, epochs=20, epoch_seconds=EPOCH_SECONDS, stop=None):
    X, y, _, _ = digits
    net = build_mlp({"input_size": 64, "output_size": 10, "hidden": [8]}, seed=0)
    callbacks = [
        EpochTakesTime(clock, epoch_seconds, stop),
        Checkpoint(directory, max_overhead=overhead),
    ]
    trainer = Trainer(net, epochs=epochs, batch_size=600, callbacks=callbacks, quiet=True)
    trainer.fit(X[:1200], y[:1200])
    return trainer


def test_a_due_save_waits_until_its_cost_over_the_share_has_passed(digits, tmp_path, clock):
    trainer = _fit(digits, tmp_path, clock, overhead=1 / 16)
    # 1/64 s ÷ 1/16 = 1/4 s = 8 epochs after each save; the last epoch saves whatever
    assert clock.saved == [1, 9, 17, 20]
    assert load_checkpoint(tmp_path / "last.safetensors").step == trainer.step
    assert load_checkpoint(tmp_path / "last.previous.safetensors").epoch == 17


def test_without_a_share_or_on_long_epochs_every_due_epoch_saves(digits, tmp_path, clock):
    _fit(digits, tmp_path / "off", clock, overhead=0.0, epochs=6)
    assert clock.saved == [1, 2, 3, 4, 5, 6]
    clock.saved.clear()
    _fit(digits, tmp_path / "long", clock, overhead=1 / 16, epochs=6, epoch_seconds=1.0)
    assert clock.saved == [1, 2, 3, 4, 5, 6]


def test_the_epoch_where_a_callback_stops_training_saves(digits, tmp_path, clock):
    trainer = _fit(digits, tmp_path, clock, overhead=1 / 16, stop=5)
    assert clock.saved == [1, 5]
    assert load_checkpoint(tmp_path / "last.safetensors").step == trainer.step


@pytest.mark.parametrize("share", [-0.1, 1.0, 2])
def test_a_share_outside_zero_to_one_is_refused(tmp_path, share, capsys):
    with pytest.raises(ConfigError, match=r"max_overhead must be in \[0, 1\)"):
        Checkpoint(tmp_path, max_overhead=share)
    config = {"data": {"source": "iris"}, "training": {"checkpoint_overhead": share}}
    with pytest.raises(ConfigError, match=r"training\.checkpoint_overhead"):
        mlplab.train({**config, "output": {"dir": str(tmp_path / "run")}})
    flags = ["--data", "iris", "--checkpoint-overhead", str(share), "--out", str(tmp_path / "c")]
    assert main(["train", *flags]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "training.checkpoint_overhead" in err[0], err
    assert not (tmp_path / "run").exists() and not (tmp_path / "c").exists()
