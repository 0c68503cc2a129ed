import warnings

import numpy as np
import pytest

from mlplab.diagnostics.layer_statistics import layer_statistics
from mlplab.network import build_mlp
from mlplab.training import (
    LayerStatsMonitor,
    LearningCurves,
    Trainer,
    TrainingWarning,
    UpdateRatioMonitor,
    get_callback,
)


def _net(activation="relu", hidden=(32, 32)):
    return build_mlp(
        {"input_size": 64, "output_size": 10, "hidden": list(hidden), "activation": activation},
        seed=0,
    )


def _fit(digits, lr, callbacks, activation="relu", optimizer="sgd", epochs=2):
    X, y, _, _ = digits
    net = _net(activation)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = Trainer(
            net, optimizer, lr=lr, epochs=epochs, batch_size=50, callbacks=callbacks, quiet=True
        ).fit(X, y)
    return net, history, [w for w in caught if issubclass(w.category, TrainingWarning)]


def test_update_ratio_matches_a_hand_computation(digits):
    """SGD's update is lr·g, so the ratio is lr·‖g‖/‖W‖ after the step."""
    X, y, _, _ = digits
    net = _net()
    seen = []

    from mlplab.training import Callback

    class Hand(Callback):
        def on_batch_begin(self, trainer):
            self.before = trainer.net.layers[0].params["W"].copy()

        def on_batch_end(self, trainer):
            W = trainer.net.layers[0].params["W"]
            seen.append(np.linalg.norm(W - self.before) / np.linalg.norm(W))

    monitor = UpdateRatioMonitor(every=1)
    Trainer(
        net, "sgd", lr=0.05, epochs=1, batch_size=100, callbacks=[Hand(), monitor], quiet=True
    ).fit(X, y)
    assert monitor.records[0]["0.W"] == pytest.approx(np.mean(seen), rel=1e-5)


def test_update_ratio_warns_when_far_from_1e3(digits):
    _, _, low = _fit(digits, 1e-6, [UpdateRatioMonitor()])
    assert low and all("too low" in str(w.message) for w in low)
    _, history, high = _fit(digits, 2.0, [UpdateRatioMonitor()])
    assert high and all("too high" in str(w.message) for w in high)
    assert "update_ratio/0.W" in history
    _, _, none = _fit(digits, 1e-3, [UpdateRatioMonitor(warn=False)])
    assert not none


def test_layer_statistics_on_known_outputs():
    net = _net("relu", hidden=(4,))
    W = net.layers[0].params["W"]
    W[...] = 0
    W[:, 0] = 1.0  # unit 0 fires on positive inputs; units 1-3 output exactly 0: dead
    net.layers[0].params["b"][...] = 0
    x = np.abs(np.random.default_rng(0).normal(size=(10, 64))).astype(np.float32)
    stats = layer_statistics(net, x)
    assert stats[1]["type"] == "ReLU" and stats[1]["dead"] == 0.75
    h = np.maximum(x @ W, 0)
    assert stats[1]["mean"] == pytest.approx(float(h.mean()), rel=1e-6)
    assert stats[1]["std"] == pytest.approx(float(h.std()), rel=1e-6)
    assert stats[0]["dead"] is None and stats[1]["saturated"] is None


def test_layer_stats_monitor_sees_tanh_saturate_at_a_huge_rate(digits):
    calm = LayerStatsMonitor()
    _fit(digits, 1e-3, [calm], activation="tanh")
    wild = LayerStatsMonitor()
    _, history, _ = _fit(digits, 3.0, [wild], activation="tanh")
    sat = lambda m: m.records[-1]["layers"][3]["saturated"]  # noqa: E731
    assert sat(calm) < 0.05 < 0.3 < sat(wild)
    assert "saturated/3" in history and "grad_norm/0.W" in history
    assert set(wild.records[-1]["grad_norms"]) == {"0.W", "0.b", "2.W", "2.b", "4.W", "4.b"}


def test_monitors_do_not_change_training(digits):
    a, _, _ = _fit(digits, 0.05, [])
    b, _, _ = _fit(digits, 0.05, [UpdateRatioMonitor(every=1), LayerStatsMonitor(every=1)])
    for (_, la, k), (_, lb, _) in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(la.params[k], lb.params[k])


def test_learning_curves_png(digits, tmp_path):
    path = tmp_path / "curves.png"
    X, y, Xt, yt = digits
    Trainer(_net(), epochs=2, batch_size=100, callbacks=[LearningCurves(path)], quiet=True).fit(
        X, y, validation_data=(Xt, yt)
    )
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 5000


def test_callbacks_by_name():
    assert isinstance(get_callback("update_ratio:every=5"), UpdateRatioMonitor)
    assert get_callback("update_ratio:every=5").every == 5
    assert isinstance(get_callback({"name": "layer_stats", "probe_size": 10}), LayerStatsMonitor)
    from mlplab.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown callback"):
        get_callback("update_ratioo")


def test_monitor_plot(digits, tmp_path):
    from mlplab.plots.training_monitors import monitor_keys, plot_training_monitors

    _, history, _ = _fit(digits, 0.05, [UpdateRatioMonitor(), LayerStatsMonitor()])
    assert set(monitor_keys(history)) == {"update_ratio/", "grad_norm/", "act_std/", "dead/"}
    path = plot_training_monitors(history, tmp_path / "monitors.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    _, plain, _ = _fit(digits, 0.05, [])
    assert plot_training_monitors(plain, tmp_path / "none.png") is None
    assert not (tmp_path / "none.png").exists()


def test_update_ratio_waits_a_second_epoch_for_a_moderate_excursion():
    """One epoch at 5e-2, or several falling back toward the range (a small-initialized output
    layer under Adam), is a transient; two epochs in a row that don't fall, or 1e-1 and beyond
    at once, are a learning rate that is off."""
    from types import SimpleNamespace

    trainer = SimpleNamespace(epoch=0, optimizer=SimpleNamespace(lr=1e-3, base_lr=1e-3))
    monitor = UpdateRatioMonitor()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        monitor._check("8.W", 5e-2, trainer)
        monitor._check("8.W", 5e-3, trainer)  # back in range: the excursion is forgotten
        monitor._check("8.W", 5e-2, trainer)
        monitor._check("8.W", 3e-2, trainer)  # still out, but on its way back
        assert not caught
        monitor._check("8.W", 3e-2, trainer)
        assert len(caught) == 1 and "too high" in str(caught[0].message)
        monitor._check("0.W", 0.2, trainer)
        assert len(caught) == 2 and "0.W" in str(caught[1].message)


def test_update_ratio_is_judged_at_the_configured_rate_when_a_schedule_lowers_it():
    """Cosine's tail lowers the rate, and the ratio with it: 5e-6 at a hundredth of the base rate
    is 5e-4 at the configured rate, in range. The same 5e-6 at the configured rate is far below."""
    from types import SimpleNamespace

    annealed = SimpleNamespace(epoch=150, optimizer=SimpleNamespace(lr=1e-5, base_lr=1e-3))
    configured = SimpleNamespace(epoch=150, optimizer=SimpleNamespace(lr=1e-3, base_lr=1e-3))
    monitor = UpdateRatioMonitor()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        monitor._check("0.W", 5e-6, annealed)
        assert not caught
        monitor._check("0.W", 5e-6, configured)
        assert len(caught) == 1 and "ratio 5.0e-06" in str(caught[0].message)
        monitor._check("4.W", 0.2, annealed)  # above the range is never excused
        assert len(caught) == 2 and "too high" in str(caught[1].message)


def test_a_cosine_schedule_to_zero_warns_of_no_low_rate(digits):
    X, y, _, _ = digits
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = Trainer(
            _net(),
            "sgd",
            lr=0.02,
            epochs=30,
            batch_size=50,
            schedule="cosine",
            quiet=True,
            callbacks=[UpdateRatioMonitor(every=1)],
        ).fit(X, y)
    assert min(history["lr"]) < 0.02 / 100  # the tail is annealed far below the base rate
    assert not [w for w in caught if "too low" in str(w.message)]
