"""Data-driven initialization: LSUV [Mishkin & Matas, 2015] and the data-dependent scheme
[Krähenbühl et al., 2015], on networks built by ``build_mlp``."""

import numpy as np
import pytest

from mlplab.errors import ConfigError, ShapeError
from mlplab.init import data_init_method
from mlplab.layers import Linear
from mlplab.network import build_mlp
from mlplab.network_init import data_init


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


# -- Krähenbühl's between-layer step ---------------------------------------------------------


def forward(net, x):
    h = x
    for layer in net.layers:
        h = layer.forward(h, training=False)
    return h


def test_krahenbuhl_equalizes_change_rates_and_keeps_a_relu_nets_function(batch):
    from mlplab.network_init.krahenbuhl import change_rates

    net = make_net("krahenbuhl", activation="relu", norm="none")
    standardized = make_net("data", activation="relu", norm="none")
    data_init(standardized, batch)
    report = data_init(net, batch)
    between = report[-1]
    direction = np.random.default_rng(0).standard_normal((len(batch), 5))
    before = np.array(change_rates(standardized.layers, batch, direction))
    after = np.array(change_rates(net.layers, batch, direction))
    np.testing.assert_allclose(before, between["rates_before"])
    assert before.max() / before.min() > 1.5  # the within-layer step leaves them unequal
    assert after.max() / after.min() < 1.01  # every layer now learns at the same rate
    assert 1 <= between["iterations"] < 10
    assert abs(between["output_std"] - 1) < 0.05
    # ReLU is positively homogeneous: the outputs only change by one common factor
    ratio = forward(net, batch) / forward(standardized, batch)
    np.testing.assert_allclose(ratio, ratio.flat[0], rtol=1e-9)


def test_krahenbuhl_runs_as_the_trainers_first_batch_init(rng):
    from mlplab.training import Trainer

    x = rng.standard_normal((200, 20))
    y = (x[:, 0] > 0).astype(int)
    net = make_net("krahenbuhl", activation="relu", norm="none", output_size=2)
    assert net.pending_data_init == "krahenbuhl"
    Trainer(net, optimizer="sgd", lr=0.05, batch_size=50, epochs=20, quiet=True).fit(x, y)
    assert net.pending_data_init is None
    assert (net.predict(x) == y).mean() > 0.95


@pytest.mark.parametrize("init", ["lsuv", "data"])
def test_the_trainer_finishes_a_pending_data_init_before_the_first_step(init, rng):
    from mlplab.training import Trainer

    x = 3.0 * rng.standard_normal((300, 20)) + 1.5
    y = rng.integers(0, 5, 300)
    net = make_net(init, norm="none")
    trainer = Trainer(net, optimizer="sgd", lr=0.01, batch_size=32, epochs=1, seed=3, quiet=True)
    trainer.fit(x, y, epochs=0)  # no step: the weights are the data init's alone
    assert net.pending_data_init is None
    first_rows = np.sort(np.random.default_rng([3, 0]).permutation(300)[:256])
    for out in linear_outputs(net, x[first_rows])[:-1]:
        assert abs(out.var() - 1) < 0.1  # LSUV: layer variance 1; data: every unit's too


@pytest.mark.parametrize("init", ["lsuv", "data", "krahenbuhl"])
def test_a_constant_batch_leaves_finite_weights(init):
    net = make_net(init, activation="relu", norm="none")
    report = data_init(net, np.ones((64, 20)))
    assert all(
        np.isfinite(v).all() for _, layer, key in net.parameters() for v in [layer.params[key]]
    )
    if init == "krahenbuhl":
        assert "constant outputs" in report[-1]["stopped"]
