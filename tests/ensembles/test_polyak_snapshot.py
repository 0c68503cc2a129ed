import numpy as np
import pytest

from mlplab.ensembles import PolyakAveraging, cycle_ends, snapshot_ensemble
from mlplab.errors import ConfigError, FileFormatError
from mlplab.network import MLPConfig, build_mlp
from mlplab.training import Callback, Checkpoint, Trainer, load_checkpoint


def _data(rng, n=120):
    x = rng.normal(size=(n, 4))
    y = (x[:, 0] + x[:, 1] ** 2 > 0.5).astype(np.int64) + (x[:, 2] > 1)
    return x, y


def _net(dtype="float64", seed=0):
    return build_mlp(MLPConfig(4, 3, hidden=[8], dtype=dtype), seed=seed)


class Recorder(Callback):
    """The weights after every optimizer step (and before the first)."""

    def on_train_begin(self, trainer):
        self.steps = [self.snapshot(trainer.net)]

    def on_batch_end(self, trainer):
        self.steps.append(self.snapshot(trainer.net))

    @staticmethod
    def snapshot(net):
        return {name: layer.params[key].copy() for name, layer, key in net.parameters()}


def test_polyak_average_matches_its_closed_form(rng):
    """w̄_K = β^K w_0 + (1 − β) Σ_{k=1..K} β^(K−k) w_k, with w_k the weights after step k."""
    x, y = _data(rng)
    beta = 0.9
    recorder = Recorder()
    polyak = PolyakAveraging(
        beta, validation_data=(x[:40], y[:40]), apply_at_end=False, warmup=False
    )
    net = _net()
    trainer = Trainer(net, "momentum", lr=0.05, batch_size=16, epochs=3, quiet=True,
                      callbacks=[recorder, polyak])  # fmt: skip
    trainer.fit(x, y)
    steps = recorder.steps
    count = len(steps) - 1
    assert count == trainer.step == 3 * 8
    for name in steps[0]:
        expected = beta**count * steps[0][name]
        for k in range(1, count + 1):
            expected = expected + (1 - beta) * beta ** (count - k) * steps[k][name]
        np.testing.assert_allclose(polyak.average[name], expected, rtol=1e-12, atol=1e-14)
        # the network keeps its raw weights (apply_at_end=False)
        assert np.array_equal(dict(_params(net))[name], steps[-1][name])
    # each epoch logs the averaged model's validation metrics, evaluated with the average
    logs = trainer.history.records[-1]
    with polyak.swapped_in(net):
        assert trainer.evaluate(x[:40], y[:40])["accuracy"] == logs["ema_val_accuracy"]
    assert np.array_equal(dict(_params(net))["0.W"], steps[-1]["0.W"])  # swapped back


def test_polyak_warmup_follows_its_formula(rng):
    """β_t = min(β, (1 + t) / (10 + t)): w̄_t = β_t w̄_(t−1) + (1 − β_t) w_t."""
    x, y = _data(rng)
    recorder = Recorder()
    polyak = PolyakAveraging(0.95, apply_at_end=False)
    Trainer(_net(), "adam", lr=0.01, batch_size=8, epochs=2, quiet=True,
            callbacks=[recorder, polyak]).fit(x, y)  # fmt: skip
    steps = recorder.steps
    for name in steps[0]:
        expected = steps[0][name]
        for t in range(1, len(steps)):
            beta = min(0.95, (1 + t) / (10 + t))
            expected = beta * expected + (1 - beta) * steps[t][name]
        np.testing.assert_allclose(polyak.average[name], expected, rtol=1e-12, atol=1e-14)
    assert polyak.updates == len(steps) - 1 == 30


def test_polyak_averages_batch_norm_statistics(rng):
    x, y = _data(rng)
    net = build_mlp(MLPConfig(4, 3, hidden=[8], norm="batch", dtype="float64"), seed=0)
    polyak = PolyakAveraging(0.9)
    Trainer(net, "sgd", lr=0.1, batch_size=30, epochs=2, quiet=True, callbacks=[polyak]).fit(x, y)
    names = [n for n in polyak.average if n.startswith("buffer/")]
    assert {n.rsplit(".", 1)[1] for n in names} == {"running_mean", "running_var"}
    for i, layer in enumerate(net.layers):
        for key, value in layer.buffers.items():
            assert np.array_equal(value, polyak.average[f"buffer/{i}.{key}"])


def test_polyak_average_replaces_the_weights_at_the_end(rng):
    x, y = _data(rng)
    polyak = PolyakAveraging(0.5)
    net = _net()
    Trainer(net, "sgd", lr=0.1, batch_size=30, epochs=2, quiet=True, callbacks=[polyak]).fit(x, y)
    for name, value in _params(net):
        assert np.array_equal(value, polyak.average[name])
    with pytest.raises(ConfigError, match="beta"):
        PolyakAveraging(1.0)


def test_polyak_average_survives_a_resume(rng, tmp_path):
    x, y = _data(rng)

    def trainer(epochs, polyak, checkpoints=None):
        callbacks = [polyak] + ([Checkpoint(checkpoints)] if checkpoints else [])
        return Trainer(_net(), "adam", lr=0.01, batch_size=16, epochs=epochs, quiet=True,
                       callbacks=callbacks)  # fmt: skip

    straight = PolyakAveraging(0.9, apply_at_end=False)
    trainer(4, straight).fit(x, y)
    first = PolyakAveraging(0.9, apply_at_end=False)
    trainer(2, first, tmp_path).fit(x, y)
    resumed = PolyakAveraging(0.9, apply_at_end=False)
    trainer(4, resumed).fit(x, y, resume=tmp_path / "last.safetensors")
    for name, value in straight.average.items():
        np.testing.assert_array_equal(resumed.average[name], value)


def test_snapshot_ensemble_from_cycle_end_checkpoints(rng, tmp_path):
    x, y = _data(rng, 200)
    net = _net("float32", seed=3)
    trainer = Trainer(net, "momentum", lr=0.2, schedule="cosine:t_max=2,restart=true",
                      batch_size=20, epochs=6, quiet=True,
                      callbacks=[Checkpoint(tmp_path, keep_epochs=True)])  # fmt: skip
    trainer.fit(x, y)
    ends = cycle_ends(tmp_path)
    assert [p.name for p in ends] == [f"epoch-{e:04d}.safetensors" for e in (2, 4, 6)]
    assert [p.name for p in cycle_ends(tmp_path, snapshots=2)] == [e.name for e in ends[1:]]
    ensemble = snapshot_ensemble(net, ends)
    assert ensemble.kind == "snapshot" and len(ensemble) == 3
    for member, path in zip(ensemble.members, ends, strict=True):
        saved = load_checkpoint(path).tensors
        for name, value in _params(member):
            assert np.array_equal(value, saved[f"param/{name}"])
    first, last = ensemble.members[0], ensemble.members[-1]
    assert not np.array_equal(first.layers[0].params["W"], last.layers[0].params["W"])
    expected = sum(m.predict_proba(x).astype(np.float64) for m in ensemble.members) / 3
    np.testing.assert_allclose(ensemble.predict_proba(x), expected, atol=1e-15)
    # the template keeps its own (final) weights
    assert np.array_equal(net.layers[0].params["W"], last.layers[0].params["W"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileFormatError, match="no per-epoch checkpoints"):
        cycle_ends(tmp_path / "empty")


def _params(net):
    return [(name, layer.params[key]) for name, layer, key in net.parameters()]


def test_snapshot_and_polyak_through_the_run_pipeline(tmp_path, cli):
    import json

    import mlplab.io
    from mlplab.runs import train

    directory = tmp_path / "cyclic"
    config = {
        "data": {"source": "spiral"},
        "network": {"hidden": [16]},
        "training": {"epochs": 4, "lr": 0.05, "schedule": "cosine:t_max=2,restart=true"},
        "output": {"dir": str(directory), "plots": False},
    }
    keep = Checkpoint(directory / "checkpoints", every_epochs=None, keep_epochs=True)
    train(config, callbacks=[keep])
    made = cli("ensemble", "--snapshots", directory, "--out", tmp_path / "ens", "--json")
    assert made.returncode == 0, made.stderr
    data = json.loads(made.stdout)
    assert data["kind"] == "snapshot"
    assert [m["source"].rsplit("/", 1)[1] for m in data["members"]] == [
        "epoch-0002.safetensors", "epoch-0004.safetensors",
    ]  # fmt: skip
    assert isinstance(data["ensemble"]["accuracy"], float)

    polyak = PolyakAveraging(0.99)
    config["output"]["dir"] = str(tmp_path / "polyak")
    run = train(config, callbacks=[polyak])
    saved = mlplab.io.load(run.directory).network
    for name, value in _params(saved):
        np.testing.assert_array_equal(value, polyak.average[name].astype(value.dtype))


def test_polyak_is_a_named_callback_for_the_command_line():
    from mlplab.training import get_callback

    callback = get_callback("polyak:beta=0.5,warmup=false")
    assert isinstance(callback, PolyakAveraging)
    assert callback.beta == 0.5 and callback.warmup is False
