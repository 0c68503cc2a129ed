import numpy as np
import pytest

from mlplab.diagnostics.gradcheck import gradcheck_network, sample_away_from_kinks
from mlplab.errors import ConfigError, NonFiniteError, ShapeError
from mlplab.network import build_mlp


def test_build_mlp_shapes_and_count():
    net = build_mlp({"input_size": 10, "hidden": [8, 6], "output_size": 3})
    assert net.parameter_count() == (10 * 8 + 8) + (8 * 6 + 6) + (6 * 3 + 3)
    assert net.forward(np.zeros((4, 10), np.float32)).shape == (4, 3)
    summary = net.summary()
    assert "Linear" in summary and f"{net.parameter_count():,}" in summary


def test_predict_proba_sums_to_one(rng):
    net = build_mlp({"input_size": 4, "hidden": [5], "output_size": 3})
    proba = net.predict_proba(rng.standard_normal((7, 4)))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert net.predict(rng.standard_normal((7, 4))).shape == (7,)


def test_float64_end_to_end(rng):
    net = build_mlp({"input_size": 4, "hidden": [5], "output_size": 3, "dtype": "float64"})
    x = rng.standard_normal((6, 4))
    loss = net.loss_and_gradients(x, rng.integers(0, 3, 6), l2=1e-3)
    assert isinstance(loss, float)
    for _, layer, key in net.parameters():
        assert layer.grads[key].dtype == np.float64


def test_zero_init_keeps_hidden_units_identical(rng):
    """The lecture's question: with W = 0 every unit of a layer stays the same forever."""
    net = build_mlp(
        {"input_size": 4, "hidden": [6, 5], "output_size": 3, "init": "zeros", "dtype": "float64"}
    )
    x, y = rng.standard_normal((20, 4)), rng.integers(0, 3, 20)
    for _ in range(10):
        net.loss_and_gradients(x, y)
        for _, layer, key in net.parameters():
            layer.params[key] -= 0.5 * layer.grads[key]
    for layer in (net.layers[0], net.layers[2]):
        W = layer.params["W"]
        assert np.allclose(W, W[:, :1]), "hidden units diverged"
        assert np.allclose(layer.params["b"], layer.params["b"][0])


def test_boundary_errors(rng):
    net = build_mlp({"input_size": 4, "hidden": [5], "output_size": 3})
    with pytest.raises(ShapeError, match=r"expected shape \(N, 4\), got \(2, 5\)"):
        net.predict(np.zeros((2, 5)))
    x = np.zeros((3, 4))
    x[2, 1] = np.nan
    with pytest.raises(NonFiniteError, match="row 2, column 1"):
        net.predict(x)
    with pytest.raises(ConfigError, match="unknown activation 'swishy'"):
        build_mlp({"input_size": 4, "output_size": 3, "activation": "swishy"})
    with pytest.raises(ConfigError, match="hidden sizes"):
        build_mlp({"input_size": 4, "output_size": 3, "hidden": [0]})


def test_batch_norm_and_dropout_placement():
    net = build_mlp(
        {"input_size": 4, "hidden": [6, 5], "output_size": 3, "norm": "batch", "dropout": 0.2}
    )
    names = [type(layer).__name__ for layer in net.layers]
    assert names == [
        "Linear", "BatchNorm", "ReLU", "Dropout",
        "Linear", "BatchNorm", "ReLU", "Dropout",
        "Linear",
    ]  # fmt: skip
    # The affine maps before batch norm drop their bias (β replaces it); the output keeps it.
    assert "b" not in net.layers[0].params and "b" in net.layers[-1].params


@pytest.mark.parametrize(
    "field, value",
    [("norm", "layer"), ("dropout", 1.0), ("dropout", -0.1), ("dropout", "half")],
)
def test_bad_norm_and_dropout_are_named(field, value):
    with pytest.raises(ConfigError, match=field):
        build_mlp({"input_size": 4, "output_size": 3, field: value})


# -- batch norm, dropout, every activation ------------------------------------------------------
BN_DROPOUT = {
    "input_size": 5,
    "hidden": [7, 6],
    "output_size": 3,
    "norm": "batch",
    "dropout": 0.3,
}


@pytest.mark.parametrize(
    "activation", ["relu", "tanh", "elu", "prelu", "hinged_rectifier", "identity"]
)
def test_network_with_batch_norm_and_dropout_passes_the_gradient_check(activation, rng):
    net = build_mlp({**BN_DROPOUT, "activation": activation, "dtype": "float64"}, seed=3)
    y = rng.integers(0, 3, 8)
    x = sample_away_from_kinks(net.layers, rng, (8, 5))
    results = gradcheck_network(net, x, y, l2=1e-2)
    assert len(results) == 1 + sum(1 for _ in net.parameters())
    assert all(r.max_relative_error < 1e-7 for r in results), results


def test_maxout_network_passes_the_gradient_check(rng):
    net = build_mlp(
        {"input_size": 5, "hidden": [6, 4], "output_size": 3, "activation": "maxout",
         "maxout_pieces": 3, "dropout": 0.2, "loss": "svm", "dtype": "float64"},
    )  # fmt: skip
    assert [type(layer).__name__ for layer in net.layers] == [
        "Maxout", "Dropout", "Maxout", "Dropout", "Linear",
    ]  # fmt: skip
    assert net.layers[0].params["W"].shape == (5, 6, 3)
    y = rng.integers(0, 3, 8)
    # Keep away from the hinge loss's kinks too: retry inputs until every margin is clear.
    for _ in range(200):
        x = sample_away_from_kinks(net.layers, rng, (8, 5))
        scores = net.forward(x, training=True)
        margins = scores - scores[np.arange(8), y][:, None] + 1
        margins[np.arange(8), y] = 1
        if np.abs(margins).min() > 1e-2:
            break
    results = gradcheck_network(net, x, y)
    assert all(r.max_relative_error < 1e-7 for r in results), results


def test_maxout_cannot_take_batch_norm():
    with pytest.raises(ConfigError, match="norm 'batch' cannot be used with activation 'maxout'"):
        build_mlp({"input_size": 4, "output_size": 3, "activation": "maxout", "norm": "batch"})
    with pytest.raises(ConfigError, match="maxout_pieces"):
        build_mlp({"input_size": 4, "output_size": 3, "activation": "maxout", "maxout_pieces": 0})


@pytest.mark.parametrize(
    "activation", ["relu", "sigmoid", "tanh", "leaky_relu", "prelu", "elu", "maxout",
                   "hinged_rectifier", "identity"]
)  # fmt: skip
def test_float32_training_step_never_upcasts(activation, rng):
    config = {**BN_DROPOUT, "activation": activation}
    if activation == "maxout":
        config["norm"] = "none"
    net = build_mlp(config)
    x = rng.standard_normal((6, 5)).astype(np.float32)
    loss = net.loss_and_gradients(x, rng.integers(0, 3, 6), l2=1e-3)
    assert isinstance(loss, float) and np.isfinite(loss)
    for _, layer, key in net.parameters():
        assert layer.params[key].dtype == layer.grads[key].dtype == np.float32
    for layer in net.layers:
        assert all(b.dtype == np.float32 for b in layer.buffers.values())
    assert net.scores(x).dtype == np.float32


def test_evaluation_is_deterministic_and_uses_running_statistics(rng):
    net = build_mlp({**BN_DROPOUT, "dtype": "float64"})
    x, y = rng.standard_normal((32, 5)) * 2 + 1, rng.integers(0, 3, 32)
    for _ in range(3):
        net.loss_and_gradients(x, y)
    bn = net.layers[1]
    assert not np.allclose(bn.buffers["running_mean"], 0)
    np.testing.assert_array_equal(net.scores(x), net.scores(x))
    # One row at a time gives the same scores as the batch: nothing depends on the batch.
    np.testing.assert_allclose(net.scores(x[:1]), net.scores(x)[:1], rtol=0, atol=1e-12)
    assert not np.allclose(net.forward(x, training=True), net.forward(x, training=True))


def test_default_initializer_follows_the_activation():
    def std(activation):
        net = build_mlp({"input_size": 400, "hidden": [300], "output_size": 2,
                         "activation": activation})  # fmt: skip
        return float(net.layers[0].params["W"].std())

    assert std("relu") == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert std("hinged_rectifier") == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert std("tanh") == pytest.approx(np.sqrt(1 / 400), rel=0.02)


def test_summary_lists_every_layer():
    net = build_mlp({**BN_DROPOUT, "activation": "prelu"})
    summary = net.summary()
    for name in ("Linear", "BatchNorm", "PReLU", "Dropout"):
        assert name in summary
    # PReLU's 7 + 6 slopes and batch norm's γ, β count; the Linear layers before BN have no bias.
    expected = 5 * 7 + 2 * 7 + 7 + 7 * 6 + 2 * 6 + 6 + 6 * 3 + 3
    assert net.parameter_count() == expected


def test_a_registered_custom_activation_works_from_a_config(tmp_path):
    """The example in docs/custom-activations.md runs as written."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    doc = Path(__file__).parents[1] / "docs" / "custom-activations.md"
    code = "\n".join(re.findall(r"```python\n(.*?)```", doc.read_text(), re.S))
    script = tmp_path / "example.py"
    script.write_text(code + "\nassert type(net.layers[1]).__name__ == 'Swish'\n")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=doc.parents[1]
    )
    assert done.returncode == 0, done.stderr
    assert "Swish input" in done.stdout and "True" in done.stdout


@pytest.mark.parametrize(
    "extra",
    [{"norm": "batch", "dropout": 0.1}, {"activation": "maxout"}, {"activation": "prelu"},
     {"activation": "hinged_rectifier", "norm": "batch"}],
    ids=["bn+dropout", "maxout", "prelu", "hinged+bn"],
)  # fmt: skip
def test_plain_gradient_descent_learns_a_nonlinear_problem(extra, rng):
    """Two interleaved rings: no linear model separates them; every variant must."""
    n = 200
    radius = np.where(np.arange(n) % 2 == 0, 1.0, 2.0)
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    x += 0.1 * rng.standard_normal(x.shape)
    y = (np.arange(n) % 2).astype(np.int64)
    net = build_mlp(
        {"input_size": 2, "hidden": [32, 32], "output_size": 2, "dtype": "float64", **extra},
        seed=0,
    )
    first = net.loss_and_gradients(x, y)
    for _ in range(300):
        net.loss_and_gradients(x, y)
        for _, layer, key in net.parameters():
            layer.params[key] -= 0.1 * layer.grads[key]
    assert net.loss_and_gradients(x, y, training=False) < 0.25 * first
    assert (net.predict(x) == y).mean() > 0.95
