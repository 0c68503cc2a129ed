import numpy as np
import pytest

from mlplab.errors import (
    ConfigError,
    DivergenceError,
    DTypeError,
    LabelError,
    NonFiniteError,
    ShapeError,
)
from mlplab.network import build_mlp
from mlplab.training import Callback, Trainer


def _net(seed=0, hidden=(32,), dtype="float32"):
    return build_mlp(
        {"input_size": 64, "output_size": 10, "hidden": list(hidden), "dtype": dtype}, seed=seed
    )


def _weights(net):
    return [layer.params[k].copy() for _, layer, k in net.parameters()]


def test_training_learns_digits(digits):
    X, y, Xt, yt = digits
    net = _net()
    history = Trainer(net, "adam", lr=3e-3, epochs=8, batch_size=64, quiet=True).fit(
        X, y, validation_data=(Xt, yt)
    )
    assert len(history) == 8
    assert history["loss"][-1] < history["loss"][0] / 3
    assert history["val_accuracy"][-1] > 0.9
    assert set(history.keys()) >= {"epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr"}


def test_same_seed_gives_identical_weights_and_other_seed_does_not(digits):
    X, y, _, _ = digits
    runs = []
    for seed in (0, 0, 1):
        net = _net()
        Trainer(net, "momentum", lr=0.05, epochs=2, batch_size=50, seed=seed, quiet=True).fit(X, y)
        runs.append(_weights(net))
    for a, b in zip(runs[0], runs[1], strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(runs[0][0], runs[2][0])


def test_memmap_input_trains_like_in_memory(digits, tmp_path):
    X, y, _, _ = digits
    path = tmp_path / "x.npy"
    np.save(path, X)
    X_map = np.load(path, mmap_mode="r")
    results = []
    for data in (X, X_map):
        net = _net()
        Trainer(net, "sgd", lr=0.1, epochs=2, batch_size=64, quiet=True).fit(data, y)
        results.append(_weights(net))
    for a, b in zip(*results, strict=True):
        np.testing.assert_array_equal(a, b)


def test_validation_split_holds_out_a_seeded_fraction(digits):
    X, y, _, _ = digits
    seen = []

    class Record(Callback):
        def on_batch_begin(self, trainer):
            seen.append(len(trainer.y_batch))

    Trainer(_net(), epochs=1, batch_size=100, quiet=True, callbacks=[Record()]).fit(
        X, y, validation_split=0.2
    )
    assert sum(seen) == 800


def test_callback_hooks_are_called_in_order(digits):
    X, y, _, _ = digits
    calls = []

    class Spy(Callback):
        def on_train_begin(self, t):
            calls.append("train_begin")

        def on_epoch_begin(self, t):
            calls.append("epoch_begin")

        def on_batch_end(self, t):
            calls.append("batch_end")

        def on_epoch_end(self, t):
            calls.append(("epoch_end", t.epoch_logs["epoch"]))

        def on_train_end(self, t):
            calls.append("train_end")

    Trainer(_net(), epochs=2, batch_size=500, quiet=True, callbacks=[Spy()]).fit(X, y)
    assert calls == [
        "train_begin",
        "epoch_begin",
        "batch_end",
        "batch_end",
        ("epoch_end", 1),
        "epoch_begin",
        "batch_end",
        "batch_end",
        ("epoch_end", 2),
        "train_end",
    ]


def test_stop_training_from_a_callback(digits):
    X, y, _, _ = digits

    class StopAfterThree(Callback):
        def on_batch_end(self, trainer):
            if trainer.step == 3:
                trainer.stop_training = True

    trainer = Trainer(_net(), epochs=5, batch_size=100, quiet=True, callbacks=[StopAfterThree()])
    history = trainer.fit(X, y)
    assert trainer.step == 3 and len(history) == 0


def test_huge_learning_rate_raises_divergence_error_naming_the_rate(digits):
    X, y, _, _ = digits
    with pytest.raises(DivergenceError, match=r"learning rate 1e\+06.*usual suspect"):
        Trainer(_net(), "sgd", lr=1e6, epochs=3, batch_size=32, quiet=True).fit(X * 100, y)


@pytest.mark.parametrize(
    "X_change,y_change,error,message",
    [
        (lambda X: X[:, :10], None, ShapeError, "expected 64 features, got 10"),
        (lambda X: X[0], None, ShapeError, "2-D"),
        (None, lambda y: y[:-1], ShapeError, "1000 rows but y has 999"),
        (None, lambda y: y.astype(float), DTypeError, "integers"),
        (lambda X: np.where(np.arange(64) == 5, np.nan, X), None, NonFiniteError, "row 0, col"),
        (None, lambda y: np.where(np.arange(len(y)) == 7, 10, y), LabelError, "label 10 at row 7"),
        (None, lambda y: np.where(np.arange(len(y)) == 3, -1, y), LabelError, "label -1 at row 3"),
        (None, lambda y: y.reshape(-1, 1), ShapeError, "shape \\(N,\\)"),
    ],
)
def test_bad_input_is_rejected_at_the_boundary(digits, X_change, y_change, error, message):
    X, y, _, _ = digits
    X = X_change(X) if X_change else X
    y = y_change(y) if y_change else y
    with pytest.raises(error, match=message):
        Trainer(_net(), epochs=1, quiet=True).fit(X, y)


def test_bad_options_are_config_errors():
    with pytest.raises(ConfigError, match="batch_size"):
        Trainer(_net(), batch_size=0)
    with pytest.raises(ConfigError, match="unknown optimizer"):
        Trainer(_net(), optimizer="adamax")
    with pytest.raises(ConfigError, match="unknown schedule"):
        Trainer(_net(), schedule="cosin")


def test_a_second_fit_continues_training(digits):
    X, y, _, _ = digits
    once = _net()
    Trainer(once, "adam", epochs=3, batch_size=100, quiet=True).fit(X, y)
    twice = _net()
    trainer = Trainer(twice, "adam", epochs=2, batch_size=100, quiet=True)
    trainer.fit(X, y)
    history = trainer.fit(X, y, epochs=1)
    assert len(history) == 3 and trainer.epoch == 3
    for a, b in zip(_weights(once), _weights(twice), strict=True):
        np.testing.assert_array_equal(a, b)


def test_config_round_trip(digits):
    X, y, _, _ = digits
    a = Trainer(_net(), "nesterov", lr=0.02, schedule="step:step_size=2", l2=1e-4, epochs=3,
                batch_size=50, seed=4, quiet=True)  # fmt: skip
    b = Trainer.from_config(_net(), a.get_config(), quiet=True)
    assert b.get_config() == a.get_config()
    a.fit(X, y)
    b.fit(X, y)
    for wa, wb in zip(_weights(a.net), _weights(b.net), strict=True):
        np.testing.assert_array_equal(wa, wb)


def test_hooks_a_callback_does_not_override_are_never_called():
    from mlplab.training.callbacks import hooks_by_name

    class OnlyEpochs(Callback):
        def on_epoch_end(self, trainer):
            pass

    table = hooks_by_name([OnlyEpochs()])
    assert len(table["on_epoch_end"]) == 1
    assert table["on_batch_end"] == [] and table["on_batch_begin"] == []


def test_progress_bar_shows_epochs_loss_and_throughput(digits):
    import io

    from mlplab.training import ProgressBar

    X, y, _, _ = digits
    out = io.StringIO()
    Trainer(
        _net(), epochs=2, batch_size=50, quiet=True, callbacks=[ProgressBar(interval=0, file=out)]
    ).fit(X, y)
    text = out.getvalue()
    assert "epochs" in text and "2/2" in text
    assert "samples/s" in text and "loss" in text


@pytest.mark.parametrize("check_gradients", [True, False])
def test_a_nan_gradient_stops_training(digits, check_gradients):
    X, y, _, _ = digits
    net = _net()
    first = net.layers[0]
    original = first.backward

    def poisoned(dy):
        out = original(dy)
        first.grads["W"][0, 0] = np.nan
        return out

    first.backward = poisoned
    trainer = Trainer(net, "sgd", lr=0.1, epochs=2, batch_size=100, quiet=True,
                      check_gradients=check_gradients)  # fmt: skip
    with pytest.raises(DivergenceError) as info:
        trainer.fit(X, y)
    assert "learning rate 0.1" in str(info.value)
    if check_gradients:  # caught before the update
        assert "gradient of 0.W is non-finite" in str(info.value) and trainer.step == 0
    else:  # the NaN reaches the weights, and the next loss
        assert "step 2: the loss is nan" in str(info.value) and trainer.step == 1


def test_gradient_clipping_bounds_the_step(digits):
    """With SGD and clipping, ‖ΔW‖ over all parameters is at most lr·c per step."""
    X, y, _, _ = digits
    net = _net()
    before = _weights(net)
    Trainer(net, "sgd", lr=1.0, clip_norm=0.01, epochs=1, batch_size=len(X), quiet=True).fit(X, y)
    step = np.sqrt(
        sum(
            ((a - b).astype(np.float64) ** 2).sum()
            for a, b in zip(_weights(net), before, strict=True)
        )
    )
    assert 0.005 < step <= 0.01 * (1 + 1e-5)


@pytest.mark.parametrize("target_shape", ["flat", "column"])
def test_binary_cross_entropy_reports_accuracy(digits, target_shape):
    X, y, _, _ = digits
    t = (y >= 5).astype(np.float32)
    t = t if target_shape == "flat" else t.reshape(-1, 1)
    net = build_mlp({"input_size": 64, "output_size": 1, "hidden": [16], "loss": "bce"}, seed=0)
    history = Trainer(net, "adam", lr=1e-2, epochs=5, batch_size=50, quiet=True).fit(
        X, t, validation_split=0.2
    )
    assert 0.8 < history["val_accuracy"][-1] <= 1.0
    assert 0.8 < history["accuracy"][-1] <= 1.0


def test_regression_logs_loss_only(digits):
    X, y, _, _ = digits
    net = build_mlp({"input_size": 64, "output_size": 1, "hidden": [16], "loss": "mse"}, seed=0)
    history = Trainer(net, "adam", lr=1e-2, epochs=3, batch_size=50, quiet=True).fit(
        X, y.astype(np.float32), validation_split=0.2
    )
    assert "accuracy" not in history and history["val_loss"][-1] < history["val_loss"][0]


class _BatchRecorder(Callback):
    def __init__(self):
        self.batches = []

    def on_batch_begin(self, trainer):
        self.batches.append(trainer.x_batch)


def test_unshuffled_batches_are_read_only_views_and_train_like_gathered_copies(digits):
    X, y, _, _ = digits
    X = np.ascontiguousarray(X[:300], dtype=np.float32)
    y = y[:300]
    before = X.copy()
    runs = {}
    for name, data, split in (
        ("view", X, 0.0),
        ("copy", np.asfortranarray(X), 0.0),  # not C-contiguous: gathered
        ("split", X, 0.2),  # rows with gaps: gathered
    ):
        recorder = _BatchRecorder()
        net = _net()
        trainer = Trainer(
            net,
            "momentum",
            lr=0.05,
            epochs=2,
            batch_size=64,
            shuffle=False,
            callbacks=[recorder],
            quiet=True,
        )
        trainer.fit(data, y, validation_split=split)
        runs[name] = (_weights(net), recorder.batches)

    weights, batches = runs["view"]
    assert len(batches) == 2 * 5  # 300 rows: four of 64 and the last of 44
    for i, xb in enumerate(batches[:5]):
        assert np.shares_memory(xb, X) and not xb.flags.writeable
        np.testing.assert_array_equal(xb, X[64 * i : min(64 * (i + 1), 300)])
    for a, b in zip(weights, runs["copy"][0], strict=True):
        np.testing.assert_array_equal(a, b)
    assert not any(np.shares_memory(xb, X) for xb in runs["copy"][1])
    assert not any(np.shares_memory(xb, X) for xb in runs["split"][1])
    np.testing.assert_array_equal(X, before)
    assert X.flags.writeable  # the user's array itself is left as it was


def test_shuffled_batches_are_copies(digits):
    X, y, _, _ = digits
    X = np.ascontiguousarray(X[:256], dtype=np.float32)
    recorder = _BatchRecorder()
    Trainer(_net(), "sgd", lr=0.05, epochs=1, batch_size=64, callbacks=[recorder], quiet=True).fit(
        X, y[:256]
    )
    assert not any(np.shares_memory(xb, X) for xb in recorder.batches)
