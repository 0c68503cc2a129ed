"""A whole training pass, fused against reference: loss, every gradient and the scores."""

import numpy as np
import pytest

from mlplab.network import build_mlp
from tests.kernels.conftest import RTOL, kernels_path

NETWORKS = {
    "relu": {"hidden": [17, 9]},
    "tanh": {"hidden": [8, 8, 8], "activation": "tanh"},
    "sigmoid": {"hidden": [6], "activation": "sigmoid"},
    "leaky-elu": {"hidden": [7], "activation": "elu:alpha=0.5"},
    "bn-dropout": {"hidden": [12, 12], "norm": "batch", "dropout": 0.5},
    "leaky": {"hidden": [11], "activation": "leaky_relu:0.1"},
}


def pass_once(config, dtype, path, x, y):
    with kernels_path(path):
        net = build_mlp({"input_size": 5, "output_size": 3, **config, "dtype": dtype}, seed=3)
        loss = net.loss_and_gradients(x, y)
        grads = [layer.grads[k].copy() for _, layer, k in net.parameters()]
        scores = net.forward(x, training=False)
    return loss, grads, scores


@pytest.mark.parametrize("config", list(NETWORKS.values()), ids=list(NETWORKS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_training_pass_matches_reference(config, dtype):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(33, 5)).astype(dtype)
    y = rng.integers(0, 3, 33)
    loss_ref, grads_ref, scores_ref = pass_once(config, dtype, "numpy", x, y)
    loss, grads, scores = pass_once(config, dtype, "fused", x, y)
    rtol = RTOL[np.dtype(dtype).type] * 100  # differences grow through the layers
    assert loss == pytest.approx(loss_ref, rel=rtol)
    for g, g_ref in zip(grads, grads_ref, strict=True):
        np.testing.assert_allclose(g, g_ref, rtol=rtol, atol=rtol * np.abs(g_ref).max())
    np.testing.assert_allclose(scores, scores_ref, rtol=rtol, atol=rtol)


def test_fused_network_pairs_linear_with_its_activation():
    from mlplab.layers.linear_activation import LinearActivation

    net = build_mlp({"input_size": 5, "output_size": 3, "hidden": [4, 4]})
    with kernels_path("fused"):
        steps = net.steps()
    assert [type(s).__name__ for s in steps] == [
        LinearActivation.__name__,
        LinearActivation.__name__,
        "Linear",
    ]


@pytest.mark.parametrize("path", ["fused", "numpy"])
def test_gradient_check_suite_passes_on_both_paths(path):
    """The float64 gradient check of every layer and loss, through the kernels and through the
    NumPy reference."""
    from mlplab.diagnostics.gradcheck_suite import run_suite

    with kernels_path(path):
        failures = [r for r in run_suite(0) if not r.passed]
    assert not failures, failures
