"""Dropout with the fused kernel: the same mask from the same generator, bit for bit."""

import numpy as np
import pytest

from mlplab.kernels.dropout_mask import keep_mask
from mlplab.kernels.runtime import compiled
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


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("offset", [0, 1, 6, 2**40 + 3])
@pytest.mark.parametrize("size", [0, 1, 2, 3, 10, 1001])
def test_the_kernel_makes_the_reference_mask_at_any_offset(dtype, offset, size):
    """The kernel's bits for elements offset, ... are the reference's, whether the window starts
    or ends on the high half of a word (odd offset, odd end)."""
    x = np.random.default_rng(1).normal(size=size).astype(dtype)
    x[:3] = [np.nan, -0.0, np.inf][: min(3, size)]  # a dropped NaN or inf stays NaN, as x * 0
    y = np.empty_like(x)
    compiled().dropout(x, 2**63 + 5, offset, 2**31, 2.0, y)
    with np.errstate(invalid="ignore"):
        expected = x * keep_mask(2**63 + 5, offset, (size,), 0.5) * 2.0
    np.testing.assert_array_equal(y, expected)


@pytest.mark.parametrize("path", ["numpy", "fused"])
def test_a_ranks_rows_are_those_rows_of_the_global_batchs_mask(path):
    """Data-parallel training: rows 3:7 of a 10-row global batch, made by the rank alone, equal
    those rows of the one-process result, forward and backward; and the generators stay in step."""
    x = np.random.default_rng(2).normal(size=(10, 5)).astype(np.float32)
    with kernels_path(path):
        whole, part = Dropout(0.5, rng=3), Dropout(0.5, rng=3)
        part.rows = (3, 7, 10)
        y_whole, y_part = whole.forward(x, training=True), part.forward(x[3:7], training=True)
        dx_whole, dx_part = whole.backward(x), part.backward(x[3:7])
        np.testing.assert_array_equal(y_part, y_whole[3:7])
        np.testing.assert_array_equal(dx_part, dx_whole[3:7])
        assert whole.rng.bit_generator.state == part.rng.bit_generator.state
