"""Fused optimizer updates (kernels/updates.py) against the NumPy reference (optim.py).

Every optimizer × dtype × folded transforms × buffer size: the fused step, with the trainer's
chain folded in, agrees with the reference chain and step to 1e-6 (float32) or 1e-12 (float64)
relative, and a state saved by one path resumes on the other.
"""

import numpy as np
import pytest

from mlplab import kernels, optim
from mlplab.kernels import updates
from mlplab.optim import OPTIMIZERS, Optimizer, get_optimizer
from mlplab.parameter_buffer import pack_parameters
from mlplab.training.transforms import chain

TOLERANCE = {np.float32: 1e-6, np.float64: 1e-12}
#: (weight shape, bias size) per layer: empty, one value, an odd count, and a buffer large
#: enough for several chunks and the parallel path
SIZES = {
    "empty": [((0, 3), 0)],
    "one": [((1, 1), 0)],
    "odd": [((4, 5), 5), ((5, 3), 3)],
    "large": [((300, 400), 400), ((400, 7), 7)],
}
TRANSFORMS = {
    "none": {},
    "l2": {"l2": 1e-2},
    "l1+l2": {"l2": 1e-2, "l1": 1e-3},
    "clip": {"clip_norm": 0.5},
    "l2+clip": {"l2": 1e-2, "clip_norm": 0.5},
    "l1+l2+clip": {"l2": 1e-2, "l1": 1e-3, "clip_norm": 0.5},
}


@pytest.fixture(autouse=True)
def fuse_every_size(monkeypatch):
    """Small buffers take the reference path by default (``optim.FUSED_MIN``): fuse them here."""
    monkeypatch.setattr(optim, "FUSED_MIN", 0)


class Layer:
    def __init__(self, w, b):
        self.params = {"W": w} | ({"b": b} if b is not None else {})
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.decay_params = ("W",)


class Net:
    """Just enough of a network for an optimizer and the chain: layers of W (decays) and b."""

    def __init__(self, sizes, dtype, seed=0):
        rng = np.random.default_rng(seed)
        self.layers = [
            Layer(
                rng.standard_normal(shape).astype(dtype),
                rng.standard_normal(bias).astype(dtype) if bias else None,
            )
            for shape, bias in sizes
        ]
        self.rng = rng

    def parameters(self):
        for i, layer in enumerate(self.layers):
            for key in layer.params:
                yield f"{i}.{key}", layer, key

    def new_gradients(self, step):
        rng = np.random.default_rng(step)
        for _, layer, key in self.parameters():
            g = layer.grads[key]
            g[...] = rng.standard_normal(g.shape).astype(g.dtype)

    def arrays(self, what):
        return [getattr(layer, what)[key].copy() for _, layer, key in self.parameters()]


def _train(net, optimizer, transforms, kernel, steps, first=0):
    """``steps`` steps of the trainer's chain and update on ``kernel``'s path."""
    kernels.set_kernels(kernel)
    try:
        for step in range(first, first + steps):
            net.new_gradients(step)
            folded = transforms.fold(optimizer)
            assert (folded is not None) == (kernel == "fused")
            penalty = transforms(net) if folded is None else folded.penalty
            optimizer.step(folded)
    finally:
        kernels.set_kernels("fused")
    return penalty


def _pair(name, dtype, size, options=None):
    nets = [Net(SIZES[size], dtype) for _ in range(2)]
    for net in nets:
        assert pack_parameters(net)
    return [(net, get_optimizer(name, **(options or {})).bind(net)) for net in nets]


def _assert_close(a, b, dtype):
    """Relative to each value and, where p + Δp cancels to near zero, to the array's scale:
    such a value keeps the absolute rounding error of the values it came from."""
    tol = TOLERANCE[dtype]
    for x, y in zip(a, b, strict=True):
        assert x.dtype == y.dtype == dtype
        scale = float(np.abs(y).max()) if y.size else 0.0
        np.testing.assert_allclose(x, y, rtol=tol, atol=tol * scale)


def _states(optimizer):
    return {k: v.copy() for k, v in optimizer.state_dict().items() if k != "t"}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("transform", TRANSFORMS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", OPTIMIZERS.names())
def test_fused_step_matches_the_reference(name, dtype, transform, size):
    (ref_net, ref_opt), (net, opt) = _pair(name, dtype, size)
    transforms = chain(**TRANSFORMS[transform])
    ref_penalty = _train(ref_net, ref_opt, transforms, "numpy", 3)
    penalty = _train(net, opt, transforms, "fused", 3)
    assert penalty == pytest.approx(ref_penalty, rel=TOLERANCE[dtype], abs=1e-300)
    _assert_close(net.arrays("params"), ref_net.arrays("params"), dtype)
    _assert_close(net.arrays("grads"), ref_net.arrays("grads"), dtype)  # as the chain left them
    ref_state, state = _states(ref_opt), _states(opt)
    assert state.keys() == ref_state.keys()
    _assert_close(list(state.values()), list(ref_state.values()), dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", OPTIMIZERS.names())
def test_without_clipping_the_paths_agree_bit_for_bit(name, dtype):
    """The same float operations in the same order: only clipping's norm is summed apart."""
    (ref_net, ref_opt), (net, opt) = _pair(name, dtype, "large")
    transforms = chain(l2=1e-2, l1=1e-3)
    _train(ref_net, ref_opt, transforms, "numpy", 3)
    _train(net, opt, transforms, "fused", 3)
    for a, b in zip(net.arrays("params"), ref_net.arrays("params"), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("first,then", [("fused", "numpy"), ("numpy", "fused")])
@pytest.mark.parametrize("name", OPTIMIZERS.names())
def test_a_state_saved_by_one_path_resumes_on_the_other(name, first, then):
    transforms = chain(l2=1e-3, clip_norm=1.0)
    (ref_net, ref_opt), (net, opt) = _pair(name, np.float32, "odd")
    _train(ref_net, ref_opt, transforms, then, 5)
    _train(net, opt, transforms, first, 3)
    saved = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in opt.state_dict().items()}
    resumed = get_optimizer(name).bind(net)
    resumed.load_state_dict(saved)
    assert _states(resumed).keys() == saved.keys() - {"t"}
    _train(net, resumed, transforms, then, 2, first=3)
    _assert_close(net.arrays("params"), ref_net.arrays("params"), np.float32)


def test_parallel_and_serial_chunks_agree_exactly(monkeypatch):
    transforms = chain(l2=1e-2, clip_norm=0.5)
    (serial_net, serial_opt), (net, opt) = _pair("adamw", np.float32, "large")
    monkeypatch.setattr(updates, "PARALLEL_MIN", 1 << 40)
    _train(serial_net, serial_opt, transforms, "fused", 3)
    monkeypatch.setattr(updates, "PARALLEL_MIN", 0)
    _train(net, opt, transforms, "fused", 3)
    for a, b in zip(net.arrays("params"), serial_net.arrays("params"), strict=True):
        np.testing.assert_array_equal(a, b)


def test_reference_path_and_fallbacks_do_not_fuse(monkeypatch):
    (net, opt), _ = _pair("adam", np.float32, "odd")
    assert opt.fusable()
    monkeypatch.setattr(optim, "FUSED_MIN", 44)  # "odd" has 43 values: too few
    assert not opt.fusable()
    monkeypatch.setattr(optim, "FUSED_MIN", 43)
    kernels.set_kernels("numpy")
    try:
        assert not opt.fusable() and chain(l2=1.0).fold(opt) is None
    finally:
        kernels.set_kernels("fused")
    net.layers[0].params["W"] = net.layers[0].params["W"].copy()  # no longer packed
    assert not opt.fusable()
    half = Net(SIZES["odd"], np.float16)
    assert pack_parameters(half) and not get_optimizer("adam").bind(half).fusable()


def test_an_update_rule_changed_by_a_subclass_takes_the_reference_path():
    class Halved(type(get_optimizer("sgd"))):
        def _update(self, p, g, state, scratch, decays):
            p -= 0.5 * self.lr * g

    (net, _), _ = _pair("sgd", np.float64, "odd")
    assert isinstance(Halved(), Optimizer) and not Halved().bind(net).fusable()
    assert get_optimizer("nesterov").bind(net).fusable()  # inherits momentum's fused twin


def test_a_chain_out_of_order_is_not_folded():
    (net, opt), _ = _pair("sgd", np.float64, "odd")
    reordered = chain(l2=1e-2, clip_norm=1.0)
    reordered.transforms.reverse()
    assert reordered.fold(opt) is None
    assert chain(l2=1e-2, clip_norm=1.0).fold(opt) is not None
