import numpy as np
import pytest

from mlplab.network import build_mlp
from mlplab.regularization import add_l1, apply_max_norm
from mlplab.train import Trainer


def _net(seed=0, dtype="float64"):
    return build_mlp(
        {"input_size": 64, "output_size": 10, "hidden": [32], "dtype": dtype}, seed=seed
    )


def test_l1_penalty_and_gradient():
    net = _net()
    for layer in net.layers:
        for g in layer.grads.values():
            g[...] = 0
    penalty = add_l1(net, 0.01)
    weights = [layer.params["W"] for layer in net.layers if "W" in layer.params]
    assert penalty == pytest.approx(0.01 * sum(np.abs(w).sum() for w in weights), rel=1e-12)
    for layer in net.layers:
        if "W" in layer.params:
            np.testing.assert_array_equal(layer.grads["W"], 0.01 * np.sign(layer.params["W"]))
            np.testing.assert_array_equal(layer.grads["b"], 0)  # biases are exempt


def test_l1_gradient_matches_finite_differences():
    net = _net()
    w = net.layers[0].params["W"]
    i, j, h = 3, 5, 1e-6
    for layer in net.layers:
        for g in layer.grads.values():
            g[...] = 0
    add_l1(net, 0.3)
    analytic = net.layers[0].grads["W"][i, j]
    w[i, j] += h
    up = add_l1(net, 0.3)
    w[i, j] -= 2 * h
    down = add_l1(net, 0.3)
    assert analytic == pytest.approx((up - down) / (2 * h), rel=1e-6)


def test_max_norm_caps_every_unit_and_leaves_small_ones():
    net = _net()
    W = net.layers[0].params["W"]
    W[:, 0] *= 100
    small = W[:, 1].copy() / np.linalg.norm(W[:, 1]) * 0.5
    W[:, 1] = small
    apply_max_norm(net, 2.0)
    norms = np.linalg.norm(W, axis=0)
    assert norms.max() <= 2.0 + 1e-12 and norms[0] == pytest.approx(2.0)
    np.testing.assert_array_equal(W[:, 1], small)
    assert (net.layers[0].params["b"] == 0).all()


def test_trainer_applies_l1_max_norm_and_logs_the_penalty(digits):
    X, y, _, _ = digits
    plain, sparse = _net(dtype="float32"), _net(dtype="float32")
    Trainer(plain, "adam", lr=3e-3, epochs=5, batch_size=64, quiet=True).fit(X, y)
    history = Trainer(
        sparse, "adam", lr=3e-3, l1=1e-3, max_norm=1.5, epochs=5, batch_size=64, quiet=True
    ).fit(X, y)
    assert "penalty" in history and history["penalty"][-1] > 0
    small = lambda net: (np.abs(net.layers[0].params["W"]) < 1e-3).mean()  # noqa: E731
    assert small(sparse) > 2 * small(plain)
    for layer in sparse.layers:
        if "W" in layer.params:
            assert np.linalg.norm(layer.params["W"], axis=0).max() <= 1.5 * (1 + 1e-5)


def test_l2_penalty_counts_weights_only(digits):
    """With L2 the history's penalty is ½λΣ‖W‖² of the weights seen at each step."""
    X, y, _, _ = digits
    net = _net(dtype="float64")
    history = Trainer(net, "sgd", lr=0.05, l2=1e-2, epochs=1, batch_size=len(X), quiet=True).fit(
        X, y
    )
    fresh = _net(dtype="float64")
    expected = sum(
        0.5 * 1e-2 * float((layer.params["W"] ** 2).sum())
        for layer in fresh.layers
        if "W" in layer.params
    )
    assert history["penalty"][0] == pytest.approx(expected, rel=1e-12)
