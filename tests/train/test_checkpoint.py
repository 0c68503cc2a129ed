import numpy as np
import pytest

from mlplab.errors import DivergenceError, FileFormatError
from mlplab.network import build_mlp
from mlplab.train import Callback, Checkpoint, Trainer, load_checkpoint


def _net(seed=0):
    return build_mlp(
        {"input_size": 64, "output_size": 10, "hidden": [32], "norm": "batch", "dropout": 0.1},
        seed=seed,
    )


def _params(net):
    return [layer.params[k].copy() for _, layer, k in net.parameters()]


def test_checkpoint_holds_everything_and_restores_weights(digits, tmp_path):
    X, y, _, _ = digits
    net = _net()
    trainer = Trainer(
        net,
        "adam",
        epochs=2,
        batch_size=100,
        schedule="plateau",
        callbacks=[Checkpoint(tmp_path)],
        quiet=True,
    )
    trainer.fit(X, y, validation_split=0.1)
    ck = load_checkpoint(tmp_path / "last.safetensors")
    assert ck.epoch == 2 and ck.step == trainer.step and len(ck.history) == 2
    assert ck.meta["optimizer"]["state"]["t"] == trainer.step
    assert {"0.W.m", "0.W.v"} <= {k[6:] for k in ck.tensors if k.startswith("optim/")}
    assert any(k.endswith("running_mean") for k in ck.tensors)
    assert ck.meta["rng"]["layers"]  # the dropout layer's generator
    assert ck.meta["schedule"]["state"]["best"] == min(ck.history["val_loss"])
    other = _net(seed=5)
    ck.restore_weights(other)
    for a, b in zip(_params(net), _params(other), strict=True):
        np.testing.assert_array_equal(a, b)


def test_keep_epochs_writes_one_file_per_epoch(digits, tmp_path):
    X, y, _, _ = digits
    Trainer(
        _net(),
        epochs=3,
        batch_size=200,
        callbacks=[Checkpoint(tmp_path, keep_epochs=True)],
        quiet=True,
    ).fit(X, y)
    assert sorted(p.name for p in tmp_path.glob("epoch-*")) == [
        "epoch-0001.safetensors",
        "epoch-0002.safetensors",
        "epoch-0003.safetensors",
    ]
    assert load_checkpoint(tmp_path / "epoch-0002.safetensors").epoch == 2
    assert not list(tmp_path.glob(".*.tmp"))


def test_nan_run_stops_cleanly_and_keeps_the_last_good_checkpoint(digits, tmp_path):
    X, _, _, _ = digits
    y = digits[1].astype(np.float32)  # regression: SGD with a large rate blows up for sure
    saved = {}

    class Explode(Callback):
        def on_batch_begin(self, trainer):
            if trainer.step >= 12:
                trainer.optimizer.lr = 10.0

        def on_batch_end(self, trainer):
            saved[trainer.step] = _params(trainer.net)

    net = build_mlp({"input_size": 64, "output_size": 1, "hidden": [32], "loss": "mse"}, seed=0)
    trainer = Trainer(
        net,
        "sgd",
        lr=0.01,
        epochs=50,
        batch_size=100,
        callbacks=[Explode(), Checkpoint(tmp_path, every_steps=5)],
        quiet=True,
    )
    with pytest.raises(DivergenceError) as info:
        trainer.fit(X, y)
    message = str(info.value)
    assert "learning rate 10" in message and "usual suspect" in message
    assert "last.safetensors" in message
    ck = load_checkpoint(tmp_path / "last.safetensors")
    assert ck.step % 5 == 0 and 12 < ck.step <= trainer.step
    fresh = build_mlp({"input_size": 64, "output_size": 1, "hidden": [32], "loss": "mse"}, seed=9)
    ck.restore_weights(fresh)
    for a, b in zip(_params(fresh), saved[ck.step], strict=True):
        np.testing.assert_array_equal(a, b)
        assert np.isfinite(a).all()


@pytest.mark.parametrize(
    "damage,message",
    [
        (lambda b: b[: len(b) // 2], "truncated|corrupt"),
        (lambda b: b[:5], "not a checkpoint"),
        (lambda b: b"\x10\x00\x00\x00\x00\x00\x00\x00{}              ", "not an mlplab checkpoint"),
        (lambda b: b[:-7], "corrupt|truncated"),
    ],
)
def test_damaged_checkpoints_are_file_format_errors(digits, tmp_path, damage, message):
    X, y, _, _ = digits
    Trainer(_net(), epochs=1, batch_size=200, callbacks=[Checkpoint(tmp_path)], quiet=True).fit(
        X, y
    )
    path = tmp_path / "last.safetensors"
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(FileFormatError, match=message):
        load_checkpoint(path)


def test_missing_checkpoint_and_wrong_architecture(digits, tmp_path):
    X, y, _, _ = digits
    with pytest.raises(FileFormatError, match="no such checkpoint"):
        load_checkpoint(tmp_path / "nope.safetensors")
    Trainer(_net(), epochs=1, batch_size=200, callbacks=[Checkpoint(tmp_path)], quiet=True).fit(
        X, y
    )
    wider = build_mlp({"input_size": 64, "output_size": 10, "hidden": [33], "norm": "batch"})
    with pytest.raises(FileFormatError, match="shape"):
        load_checkpoint(tmp_path / "last.safetensors").restore_weights(wider)


@pytest.mark.parametrize("stop_step", [21, 32])  # mid-epoch; the end of epoch 2 (16 per epoch)
def test_resume_in_process_matches_uninterrupted(digits, tmp_path, stop_step):
    X, y, _, _ = digits

    def make(callbacks):
        return Trainer(
            _net(),
            "rmsprop",
            lr=1e-3,
            schedule="step:step_size=1,gamma=0.5",
            epochs=3,
            batch_size=64,
            callbacks=callbacks,
            quiet=True,
        )

    full = make([Checkpoint(tmp_path / "a", every_steps=7)])
    full.fit(X, y)

    class StopAt(Callback):
        def on_batch_end(self, trainer):
            if trainer.step == stop_step:
                trainer.stop_training = True

    part = make([Checkpoint(tmp_path / "b", every_steps=7), StopAt()])
    part.fit(X, y)
    assert part.step == stop_step
    if stop_step % 7:  # no step checkpoint there: write one now
        from mlplab.train import save_checkpoint

        save_checkpoint(part, tmp_path / "b" / "last.safetensors")
    resumed = make([Checkpoint(tmp_path / "b", every_steps=7)])
    resumed.fit(X, y, resume=tmp_path / "b" / "last.safetensors")
    for a, b in zip(_params(full.net), _params(resumed.net), strict=True):
        np.testing.assert_array_equal(a, b)
    assert [r["loss"] for r in full.history.records] == [r["loss"] for r in resumed.history.records]


def test_resume_with_other_settings_or_data_is_refused(digits, tmp_path):
    from mlplab.errors import ConfigError

    X, y, _, _ = digits
    Trainer(
        _net(), epochs=1, batch_size=100, seed=1, callbacks=[Checkpoint(tmp_path)], quiet=True
    ).fit(X, y)
    path = tmp_path / "last.safetensors"
    with pytest.raises(ConfigError, match="batch_size=100"):
        Trainer(_net(), epochs=2, batch_size=50, seed=1, quiet=True).fit(X, y, resume=path)
    with pytest.raises(ConfigError, match="seed=1"):
        Trainer(_net(), epochs=2, batch_size=100, seed=2, quiet=True).fit(X, y, resume=path)
    with pytest.raises(ConfigError, match="1000 training rows, got 900"):
        Trainer(_net(), epochs=2, batch_size=100, seed=1, quiet=True).fit(
            X, y, validation_split=0.1, resume=path
        )
    history = Trainer(_net(), epochs=2, batch_size=100, seed=1, quiet=True).fit(X, y, resume=path)
    assert len(history) == 2
