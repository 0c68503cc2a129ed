import numpy as np
import pytest

from mlplab.diagnostics.gradcheck import gradcheck_layer, sample_away_from_kinks
from mlplab.errors import DTypeError, ShapeError
from mlplab.layers import (
    ACTIVATIONS,
    ELU,
    HingedRectifier,
    Identity,
    LeakyReLU,
    PReLU,
    ReLU,
    Sigmoid,
    Tanh,
)
from tests.layers.torch_reference import run_torch

torch = pytest.importorskip("torch")

# (ours, torch's) for every activation PyTorch has; default arguments and a non-default one.
TORCH_PAIRS = {
    "Sigmoid": (Sigmoid, lambda: torch.nn.Sigmoid()),
    "Tanh": (Tanh, lambda: torch.nn.Tanh()),
    "ReLU": (ReLU, lambda: torch.nn.ReLU()),
    "LeakyReLU": (LeakyReLU, lambda: torch.nn.LeakyReLU()),
    "LeakyReLU(0.2)": (lambda: LeakyReLU(0.2), lambda: torch.nn.LeakyReLU(0.2)),
    "LeakyReLU(1.5)": (lambda: LeakyReLU(1.5), lambda: torch.nn.LeakyReLU(1.5)),
    "ELU": (ELU, lambda: torch.nn.ELU()),
    "ELU(0.5)": (lambda: ELU(0.5), lambda: torch.nn.ELU(0.5)),
    "Identity": (Identity, lambda: torch.nn.Identity()),
}


@pytest.mark.parametrize("label", TORCH_PAIRS)
def test_forward_and_backward_match_torch(label, rng):
    make_ours, make_theirs = TORCH_PAIRS[label]
    x = rng.standard_normal((9, 7)) * 3
    dy = rng.standard_normal((9, 7))
    ours = make_ours()
    y = ours.forward(x, training=True)
    dx = ours.backward(dy)
    ref_y, ref_dx = run_torch(torch, make_theirs().double(), x, dy)
    np.testing.assert_allclose(y, ref_y, rtol=0, atol=1e-10)
    np.testing.assert_allclose(dx, ref_dx, rtol=0, atol=1e-10)


@pytest.mark.parametrize("shared", [False, True], ids=["per-unit", "shared"])
def test_prelu_matches_torch(shared, rng):
    units = 7
    ours = PReLU(1 if shared else units, dtype=np.float64)
    ours.params["alpha"][:] = rng.uniform(-0.5, 0.8, ours.params["alpha"].shape)
    theirs = torch.nn.PReLU(1 if shared else units, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.params["alpha"]))
    x = rng.standard_normal((9, units)) * 3
    dy = rng.standard_normal((9, units))
    y = ours.forward(x, training=True)
    dx = ours.backward(dy)
    ref_y, ref_dx = run_torch(torch, theirs, x, dy)
    np.testing.assert_allclose(y, ref_y, rtol=0, atol=1e-10)
    np.testing.assert_allclose(dx, ref_dx, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.grads["alpha"], theirs.weight.grad.numpy(), rtol=0, atol=1e-10)


def test_prelu_default_slope_is_a_quarter_as_in_the_paper():
    layer = PReLU(3)
    np.testing.assert_array_equal(layer.params["alpha"], np.full(3, 0.25, np.float32))
    assert layer.decay_params == ()


# Every elementwise activation, by a factory of (units, dtype): the registry's own factories.
ELEMENTWISE = [name for name in ACTIVATIONS.names() if name != "maxout"]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_gradient_check_through_the_registry(name, rng):
    layer = ACTIVATIONS.get(name)(5, np.float64, rng)
    for p in layer.params.values():
        p[...] = rng.uniform(-0.5, 0.5, p.shape)
    x = sample_away_from_kinks([layer], rng, (6, 5))
    results = gradcheck_layer(layer, x)
    assert {r.parameter for r in results} == {"input", *layer.params}
    assert all(r.max_relative_error < 1e-7 for r in results), results


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved(name, dtype, rng):
    layer = ACTIVATIONS.get(name)(5, dtype, rng)
    x = rng.standard_normal((4, 5)).astype(dtype)
    y = layer.forward(x, training=True)
    dx = layer.backward(np.ones_like(y))
    assert y.dtype == dtype and dx.dtype == dtype
    assert all(g.dtype == dtype for g in layer.grads.values())


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_forward_does_not_modify_its_input(name, rng):
    layer = ACTIVATIONS.get(name)(5, np.float64, rng)
    x = rng.standard_normal((4, 5))
    before = x.copy()
    layer.backward(np.ones_like(layer.forward(x, training=True)))
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_bad_inputs_name_the_layer(name, rng):
    layer = ACTIVATIONS.get(name)(5, np.float32, rng)
    layer.name = "layer 3 (X)"
    with pytest.raises(ShapeError, match=r"layer 3 \(X\): expected a 2-D input.*got shape \(5,\)"):
        layer.forward(np.zeros(5, np.float32))
    with pytest.raises(DTypeError, match=r"layer 3 \(X\): expected a floating-point.*int64"):
        layer.forward(np.zeros((2, 5), np.int64))


def test_learnable_activations_check_width_and_dtype(rng):
    layer = PReLU(5, dtype=np.float32)
    with pytest.raises(ShapeError, match="PReLU: expected 5 input features, got 4"):
        layer.forward(np.zeros((2, 4), np.float32))
    with pytest.raises(DTypeError, match="PReLU: expected input dtype float32, got float64"):
        layer.forward(np.zeros((2, 5), np.float64))
    # A shared slope takes any width.
    assert PReLU(1).forward(np.zeros((2, 9), np.float32)).shape == (2, 9)


def test_leaky_relu_is_the_lectures_max(rng):
    x = rng.standard_normal((5, 6))
    np.testing.assert_array_equal(LeakyReLU().forward(x), np.maximum(0.01 * x, x))


def test_sigmoid_does_not_overflow():
    with np.errstate(all="raise"):
        y = Sigmoid().forward(np.array([[-1e4, 0.0, 1e4]]))
    np.testing.assert_array_equal(y, [[0.0, 0.5, 1.0]])


def test_hinged_rectifier_formula_and_special_cases(rng):
    x = rng.standard_normal((6, 4)) * 2
    layer = HingedRectifier(4, dtype=np.float64)
    h = rng.uniform(-1, 1, 4)
    a = rng.uniform(0, 0.5, 4)
    layer.params["hinge"][:], layer.params["slope"][:] = h, a
    np.testing.assert_allclose(layer.forward(x), np.where(x > h, x, h + a * (x - h)))
    # h = 0 is PReLU; h = 0, a = 0 is ReLU.
    layer.params["hinge"][:] = 0
    prelu = PReLU(4, dtype=np.float64)
    prelu.params["alpha"][:] = a
    np.testing.assert_allclose(layer.forward(x), prelu.forward(x), rtol=0, atol=1e-15)
    layer.params["slope"][:] = 0
    np.testing.assert_array_equal(layer.forward(x), ReLU().forward(x))


def test_hinged_rectifier_shared_parameters_gradient_check(rng):
    layer = HingedRectifier(1, hinge=0.3, slope=0.2, dtype=np.float64)
    x = sample_away_from_kinks([layer], rng, (6, 5))
    results = gradcheck_layer(layer, x)
    assert all(r.passed for r in results), results
    assert layer.grads["hinge"].shape == (1,) and layer.grads["slope"].shape == (1,)


@pytest.mark.parametrize("layer", [LeakyReLU(), ELU(), PReLU(), ReLU(), HingedRectifier()])
def test_kinked_layers_report_their_distance_to_the_kink(layer):
    x = np.array([[0.5, -0.25, 2.0]])
    assert layer.distance_to_kink(x) == pytest.approx(0.25)


@pytest.mark.parametrize("layer", [Sigmoid(), Tanh(), Identity()])
def test_smooth_layers_have_no_kinks(layer):
    assert layer.distance_to_kink(np.zeros((2, 2))) == float("inf")


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_config_round_trip(name, rng):
    layer = ACTIVATIONS.get(name)(5, np.float64, rng)
    rebuilt = type(layer).from_config(layer.get_config())
    assert rebuilt.get_config() == layer.get_config()
    assert {k: v.shape for k, v in rebuilt.params.items()} == {
        k: v.shape for k, v in layer.params.items()
    }
