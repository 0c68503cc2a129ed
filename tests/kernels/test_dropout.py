"""Dropout with the fused kernel: the same mask from the same generator, bit for bit."""

import numpy as np
import pytest

from mlplab.layers import Dropout
from tests.kernels.conftest import SHAPES, kernels_path


def forward_backward(path, x, dy, p):
    with kernels_path(path):
        layer = Dropout(p, rng=7)
        return layer.forward(x, training=True), layer.backward(dy), layer.forward(x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("p", [0.1, 0.5])
def test_fused_dropout_is_the_reference_bit_for_bit(dtype, shape, p):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape).astype(dtype)
    dy = rng.normal(size=shape).astype(dtype)
    reference = forward_backward("numpy", x, dy, p)
    fused = forward_backward("fused", x, dy, p)
    for a, b in zip(fused, reference, strict=True):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
