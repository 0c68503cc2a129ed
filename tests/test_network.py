import numpy as np
import pytest

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
