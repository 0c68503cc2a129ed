"""Data-driven initialization: LSUV [Mishkin & Matas, 2015] and the data-dependent scheme
[Krähenbühl et al., 2015], on networks built by ``build_mlp``."""

import numpy as np
import pytest

from mlplab.errors import ConfigError, ShapeError
from mlplab.init import data_init, data_init_method
from mlplab.layers import Linear
from mlplab.network import build_mlp


def linear_outputs(net, x):
    """The output of every Linear layer on x, network in evaluation mode."""
    outputs, h = [], x
    for layer in net.layers:
        h = layer.forward(h, training=False)
        if isinstance(layer, Linear):
            outputs.append(h)
    return outputs


def make_net(init, activation="tanh", dtype="float64", **extra):
    config = {
        "input_size": 20,
        "hidden": [64, 64, 64],
        "output_size": 5,
        "activation": activation,
        "init": init,
        "dtype": dtype,
        **extra,
    }
    return build_mlp(config, seed=0)


@pytest.fixture
def batch(rng):
    # far from unit scale and not centred, so that the data pass has work to do
    return 3.0 * rng.standard_normal((256, 20)) + 1.5


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
@pytest.mark.parametrize("spec, tolerance", [("lsuv", 0.1), ("lsuv:0.01", 0.01)])
def test_lsuv_every_layer_output_has_unit_variance(activation, spec, tolerance, batch):
    net = make_net(spec, activation)
    assert net.pending_data_init == f"lsuv:{tolerance:g}"
    square = net.layers[2].params["W"]  # the orthonormal start, before the data pass
    np.testing.assert_allclose(square.T @ square, np.eye(64), atol=1e-12)
    before = [float(z.var()) for z in linear_outputs(net, batch)]
    assert max(abs(v - 1) for v in before) > 1.0
    report = data_init(net, batch)
    assert [r["converged"] for r in report] == [True] * 4
    for z in linear_outputs(net, batch):
        assert abs(float(z.var()) - 1.0) < tolerance
    assert net.pending_data_init is None


def test_lsuv_only_rescales(batch):
    """LSUV changes each W by a positive factor only: directions stay orthonormal."""
    net = make_net("lsuv")
    before = [layer.params["W"].copy() for layer in net.layers if isinstance(layer, Linear)]
    data_init(net, batch)
    after = [layer.params["W"] for layer in net.layers if isinstance(layer, Linear)]
    for w0, w1 in zip(before, after, strict=True):
        ratio = w1 / w0
        assert ratio.min() > 0 and ratio.max() == pytest.approx(ratio.min(), rel=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_data_dependent_preactivations_are_standardized(activation, batch):
    net = make_net("data", activation)
    assert net.pending_data_init == "data"
    data_init(net, batch)
    for z in linear_outputs(net, batch):
        np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-10)
        np.testing.assert_allclose(z.std(axis=0), 1.0, rtol=1e-10)


def test_data_dependent_without_bias_scales_only(batch):
    net = make_net("data", bias=False)
    data_init(net, batch)
    for z in linear_outputs(net, batch):
        np.testing.assert_allclose(z.std(axis=0), 1.0, rtol=1e-10)


def test_float32_network(batch):
    net = make_net("lsuv", dtype="float32")
    data_init(net, batch)
    for z in linear_outputs(net, batch.astype(np.float32)):
        assert z.dtype == np.float32 and abs(float(z.var()) - 1.0) < 0.1
    assert all(p.dtype == np.float32 for layer in net.layers for p in layer.params.values())


def test_with_batch_norm_and_dropout(batch):
    net = make_net("lsuv", "relu", norm="batch", dropout=0.5)
    data_init(net, batch)
    for z in linear_outputs(net, batch):
        assert abs(float(z.var()) - 1.0) < 0.1


def test_ordinary_inits_need_no_data_pass(batch):
    net = make_net("he")
    assert net.pending_data_init is None and data_init_method("xavier") is None
    w = net.layers[0].params["W"].copy()
    assert data_init(net, batch) is None
    np.testing.assert_array_equal(net.layers[0].params["W"], w)


def test_explicit_method_on_a_list_of_layers(batch):
    net = make_net("orthogonal")
    data_init(net.layers, batch, "lsuv")
    assert all(abs(float(z.var()) - 1.0) < 0.1 for z in linear_outputs(net, batch))


def test_bad_input(batch):
    net = make_net("lsuv")
    with pytest.raises(ShapeError, match=r"expected shape \(N, 20\)"):
        data_init(net, batch[:, :5])
    with pytest.raises(ShapeError, match="at least 2 rows"):
        data_init(net, batch[:1])
    with pytest.raises(ConfigError, match="unknown data init 'pca'"):
        data_init(net, batch, "pca")


def test_lsuv_rescales_maxout_layers(batch):
    net = make_net("lsuv", "maxout")
    assert type(net.layers[0]).__name__ == "Maxout"
    data_init(net, batch)
    h = batch
    for layer in net.layers:
        h = layer.forward(h, training=False)
        if "W" in layer.params:
            assert abs(float(h.var()) - 1.0) < 0.1
