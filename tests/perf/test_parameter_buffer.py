"""Packed parameters: build_mlp's single buffer, and optimizers' one-call update over it."""

import numpy as np
import pytest

from mlplab import parameter_buffer
from mlplab.network import build_mlp
from mlplab.optim import OPTIMIZERS, get_optimizer
from mlplab.parameter_buffer import blocks, pack_parameters, packed_buffer

CONFIG = {
    "input_size": 6,
    "output_size": 3,
    "hidden": [5, 4],
    "norm": "batch",
    "dropout": 0.2,
    "dtype": "float64",
}


def _unpack(net):
    """The same network with every parameter and gradient in an array of its own."""
    for _, layer, key in net.parameters():
        layer.params[key] = layer.params[key].copy()
        layer.grads[key] = layer.grads[key].copy()
    return net


def _arrays(net, what):
    return [getattr(layer, what)[key] for _, layer, key in net.parameters()]


def test_build_mlp_packs_parameters_and_gradients_in_order():
    net = build_mlp(CONFIG, seed=0)
    reference = _unpack(build_mlp(CONFIG, seed=0))
    params, grads = packed_buffer(_arrays(net, "params")), packed_buffer(_arrays(net, "grads"))
    assert params is not None and grads is not None
    assert params.size == grads.size == net.parameter_count()
    for a, b in zip(_arrays(net, "params"), _arrays(reference, "params"), strict=True):
        np.testing.assert_array_equal(a, b)
    assert packed_buffer(_arrays(reference, "params")) is None


def test_pack_refuses_mixed_dtypes_and_leaves_the_network_alone():
    net = _unpack(build_mlp(CONFIG, seed=0))
    layer = net.layers[-1]
    layer.params["b"] = layer.params["b"].astype(np.float32)
    before = _arrays(net, "params")
    assert pack_parameters(net) is False
    assert all(a is b for a, b in zip(_arrays(net, "params"), before, strict=True))


def _train(net, name, steps=15, replace_at=None):
    opt = get_optimizer(name).bind(net)
    rng = np.random.default_rng(1)
    for step in range(steps):
        if step == replace_at:  # a layer replaces a parameter array after binding
            layer = net.layers[0]
            layer.params["W"] = layer.params["W"].copy()
        for _, layer, key in net.parameters():
            layer.grads[key][...] = rng.normal(size=layer.params[key].shape)
        opt.step()
    return opt


@pytest.mark.parametrize("name", OPTIMIZERS.names())
def test_packed_update_equals_the_per_parameter_update_exactly(name):
    packed, separate = build_mlp(CONFIG, seed=0), _unpack(build_mlp(CONFIG, seed=0))
    opt_packed, opt_separate = _train(packed, name), _train(separate, name)
    assert (opt_packed._packed is not None) == get_optimizer(name).flat_update
    assert opt_separate._packed is None
    for a, b in zip(_arrays(packed, "params"), _arrays(separate, "params"), strict=True):
        np.testing.assert_array_equal(a, b)
    state_a, state_b = opt_packed.state_dict(), opt_separate.state_dict()
    assert state_a.keys() == state_b.keys()
    for key in state_a:
        np.testing.assert_array_equal(state_a[key], state_b[key])


@pytest.mark.parametrize("size,block", [(1, 4), (4, 4), (5, 4), (12, 4), (13, 5)])
def test_blocks_cover_the_buffer_once_in_order(size, block):
    covered = np.concatenate([np.arange(size)[part] for part in blocks(size, block)])
    np.testing.assert_array_equal(covered, np.arange(size))
    assert len(blocks(size, block)) == max(1, -(-size // block))


@pytest.mark.parametrize("name", OPTIMIZERS.names())
def test_blocked_update_equals_the_per_parameter_update_exactly(name, monkeypatch):
    monkeypatch.setattr(parameter_buffer, "BLOCK", 7)  # blocks that cut across parameters
    packed, separate = build_mlp(CONFIG, seed=0), _unpack(build_mlp(CONFIG, seed=0))
    opt_packed = _train(packed, name)
    _train(separate, name)
    if get_optimizer(name).flat_update:
        assert len(opt_packed._blocks) == -(-packed.parameter_count() // 7)
    for a, b in zip(_arrays(packed, "params"), _arrays(separate, "params"), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_a_parameter_replaced_after_bind_is_still_updated(name):
    packed, separate = build_mlp(CONFIG, seed=0), _unpack(build_mlp(CONFIG, seed=0))
    _train(packed, name, replace_at=5)
    _train(separate, name, replace_at=5)
    for a, b in zip(_arrays(packed, "params"), _arrays(separate, "params"), strict=True):
        np.testing.assert_array_equal(a, b)


def test_packed_update_keeps_the_layers_arrays_and_float32():
    net = build_mlp(CONFIG | {"dtype": "float32"}, seed=0)
    before = _arrays(net, "params")
    _train(net, "adam", steps=3)
    after = _arrays(net, "params")
    assert all(a is b and a.dtype == np.float32 for a, b in zip(after, before, strict=True))
