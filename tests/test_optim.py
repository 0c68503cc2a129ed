"""Each optimizer against torch.optim for 50 steps on the same gradients (float64, 1e-10)."""

import numpy as np
import pytest

from mlplab.errors import ConfigError, FileFormatError
from mlplab.optim import OPTIMIZERS, get_optimizer

torch = pytest.importorskip("torch")


class _Layer:
    decay_params = ("W",)

    def __init__(self, rng):
        self.params = {"W": rng.normal(size=(5, 3)), "b": rng.normal(size=3)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}


class _Net:
    def __init__(self, rng):
        self.layers = [_Layer(rng), _Layer(rng)]

    def parameters(self):
        for i, layer in enumerate(self.layers):
            for key in layer.params:
                yield f"{i}.{key}", layer, key


# (our name, our options, torch class, torch options)
CASES = [
    ("sgd", {"lr": 0.05}, "SGD", {"lr": 0.05}),
    ("momentum", {"lr": 0.05, "momentum": 0.9}, "SGD", {"lr": 0.05, "momentum": 0.9}),
    (
        "nesterov",
        {"lr": 0.05, "momentum": 0.8},
        "SGD",
        {"lr": 0.05, "momentum": 0.8, "nesterov": True},
    ),
    (
        "adagrad",
        {"lr": 0.1, "eps": 1e-10},
        "Adagrad",
        {"lr": 0.1, "eps": 1e-10, "initial_accumulator_value": 0.0, "lr_decay": 0.0},
    ),
    (
        "rmsprop",
        {"lr": 0.01, "rho": 0.9, "eps": 1e-8},
        "RMSprop",
        {"lr": 0.01, "alpha": 0.9, "eps": 1e-8, "centered": False, "momentum": 0.0},
    ),
    (
        "adam",
        {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-8},
        "Adam",
        {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-8},
    ),
]


def _run_both(name, ours_options, torch_cls, torch_options, lrs=None, steps=50):
    rng = np.random.default_rng(0)
    net = _Net(rng)
    tparams = [torch.tensor(layer.params[k].copy()) for _, layer, k in net.parameters()]
    for p in tparams:
        p.requires_grad_(True)
    groups = []
    for (_, _, key), p in zip(net.parameters(), tparams, strict=True):
        wd = torch_options.get("weight_decay", 0.0) if key == "W" else 0.0
        groups.append({"params": [p], "weight_decay": wd})
    topt = getattr(torch.optim, torch_cls)(groups, **torch_options)
    opt = get_optimizer(name, **ours_options).bind(net)
    for step in range(steps):
        if lrs is not None:
            opt.lr = lrs[step]
            for g in topt.param_groups:
                g["lr"] = lrs[step]
        for (_, layer, key), p in zip(net.parameters(), tparams, strict=True):
            g = rng.normal(size=layer.params[key].shape) * (1 + step % 3)
            layer.grads[key][...] = g
            p.grad = torch.tensor(g.copy())
        opt.step()
        topt.step()
    return net, tparams, opt


@pytest.mark.parametrize("name,ours,torch_cls,theirs", CASES, ids=[c[0] for c in CASES])
def test_matches_torch_for_50_steps(name, ours, torch_cls, theirs):
    net, tparams, _ = _run_both(name, ours, torch_cls, theirs)
    for (_, layer, key), p in zip(net.parameters(), tparams, strict=True):
        np.testing.assert_allclose(layer.params[key], p.detach().numpy(), rtol=1e-10, atol=1e-10)


def test_adamw_decays_weights_only_like_torch():
    ours = {"lr": 0.01, "weight_decay": 0.1}
    theirs = {"lr": 0.01, "weight_decay": 0.1}
    net, tparams, _ = _run_both("adamw", ours, "AdamW", theirs)
    for (_, layer, key), p in zip(net.parameters(), tparams, strict=True):
        np.testing.assert_allclose(layer.params[key], p.detach().numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name,ours,torch_cls,theirs", CASES[:2], ids=["sgd", "momentum"])
def test_changing_learning_rate_matches_torch(name, ours, torch_cls, theirs):
    lrs = [0.05 * 0.9**s for s in range(50)]
    net, tparams, _ = _run_both(name, ours, torch_cls, theirs, lrs=lrs)
    for (_, layer, key), p in zip(net.parameters(), tparams, strict=True):
        np.testing.assert_allclose(layer.params[key], p.detach().numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", OPTIMIZERS.names())
def test_state_round_trip_resumes_exactly(name):
    def run(split):
        net = _Net(np.random.default_rng(2))
        opt = get_optimizer(name).bind(net)
        for step in range(20):
            if step == split:
                saved = {k: np.copy(v) for k, v in opt.state_dict().items()}
                opt = get_optimizer(opt.get_config()).bind(net)
                opt.load_state_dict(saved)
            rng = np.random.default_rng(step)
            for _, layer, key in net.parameters():
                layer.grads[key][...] = rng.normal(size=layer.params[key].shape)
            opt.step()
        return [layer.params[k].copy() for _, layer, k in net.parameters()]

    for a, b in zip(run(split=None), run(split=7), strict=True):
        np.testing.assert_array_equal(a, b)


def test_update_is_in_place_and_keeps_float32():
    net = _Net(np.random.default_rng(0))
    for layer in net.layers:
        for k in layer.params:
            layer.params[k] = layer.params[k].astype(np.float32)
            layer.grads[k] = np.ones_like(layer.params[k])
    arrays = [layer.params[k] for _, layer, k in net.parameters()]
    for name in OPTIMIZERS.names():
        opt = get_optimizer(name).bind(net)
        opt.step()
    for (_, layer, k), a in zip(net.parameters(), arrays, strict=True):
        assert layer.params[k] is a and a.dtype == np.float32


def test_bad_names_and_values_are_config_errors():
    with pytest.raises(ConfigError, match="unknown optimizer 'adamm'"):
        get_optimizer("adamm")
    with pytest.raises(ConfigError, match="learning rate must be positive"):
        get_optimizer("sgd", lr=-1)
    with pytest.raises(ConfigError, match="momentum"):
        get_optimizer("momentum", momentum=1.5)
    with pytest.raises(ConfigError, match="unexpected keyword"):
        get_optimizer("sgd", betas=0.9)


def test_load_state_with_wrong_shape_is_a_file_format_error():
    net = _Net(np.random.default_rng(0))
    opt = get_optimizer("adam").bind(net)
    state = opt.state_dict()
    state["0.W.m"] = np.zeros((2, 2))
    with pytest.raises(FileFormatError, match="0.W.m"):
        opt.load_state_dict(state)


@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_by_global_norm_matches_torch(max_norm):
    from mlplab.optim import clip_by_global_norm

    net = _Net(np.random.default_rng(3))
    tgrads = []
    for _, layer, key in net.parameters():
        layer.grads[key][...] = np.random.default_rng(len(tgrads)).normal(
            size=layer.grads[key].shape
        )
        t = torch.zeros(layer.grads[key].shape, dtype=torch.float64, requires_grad=True)
        t.grad = torch.tensor(layer.grads[key].copy())
        tgrads.append(t)
    norm = clip_by_global_norm(net, max_norm)
    tnorm = torch.nn.utils.clip_grad_norm_(tgrads, max_norm)
    assert norm == pytest.approx(float(tnorm), rel=1e-12)
    for (_, layer, key), t in zip(net.parameters(), tgrads, strict=True):
        np.testing.assert_allclose(layer.grads[key], t.grad.numpy(), rtol=1e-10, atol=1e-12)
