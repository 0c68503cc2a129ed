"""Dropout's counter-based random bits: SplitMix64's published outputs, windows of the one
stream, and the keep threshold."""

import numpy as np
import pytest

from mlplab.kernels.dropout_mask import dropout_bits, keep_mask, threshold


def words(bits):
    """The 64-bit words whose low and high halves are ``bits`` (even length)."""
    pairs = bits.astype(np.uint64).reshape(-1, 2)
    return [int(lo) | int(hi) << 32 for lo, hi in pairs]


def test_the_bits_are_splitmix64s_outputs():
    """The first outputs from state 1234567 of Vigna's reference splitmix64.c (the values its
    ports test against, e.g. rand_xoshiro's)."""
    assert words(dropout_bits(1234567, 0, 10)) == [
        6457827717110365317,
        3203168211198807973,
        9817491932198370423,
        4593380528125082431,
        16408922859458223821,
    ]


@pytest.mark.parametrize("offset", [0, 1, 2, 7, 1000])
@pytest.mark.parametrize("count", [0, 1, 2, 5, 64])
def test_any_window_is_a_slice_of_the_one_stream(offset, count):
    whole = dropout_bits(2**64 - 1, 0, 1100)
    window = dropout_bits(2**64 - 1, offset, count)
    assert window.dtype == np.uint32
    np.testing.assert_array_equal(window, whole[offset : offset + count])


def test_threshold_is_p_times_2_to_the_32_rounded_up_and_below_2_to_the_32():
    assert threshold(0.5) == 2**31
    assert threshold(0.1) == 429496730  # 0.1 · 2³² = 429496729.6
    assert threshold(np.nextafter(1.0, 0.0)) == 2**32 - 1


@pytest.mark.parametrize("p", [0.05, 0.5, 0.9])
def test_a_unit_is_kept_with_probability_1_minus_p(p):
    keep = keep_mask(12345, 0, (400, 500), p)
    assert keep.shape == (400, 500) and keep.dtype == bool
    assert abs(keep.mean() - (1 - p)) < 5 * np.sqrt(p * (1 - p) / keep.size)


def test_the_bits_look_uniform_and_neighbours_independent():
    """Each byte of 2¹⁸ draws spreads evenly, and an element says nothing of the next (the two
    halves of one word included): chi-square over 256 cells and a correlation near 0."""
    bits = dropout_bits(99, 3, 2**18)
    for shift in (0, 8, 16, 24):
        counts = np.bincount((bits >> shift) & 255, minlength=256)
        expected = bits.size / 256
        chi2 = ((counts - expected) ** 2 / expected).sum()
        assert chi2 < 255 + 5 * np.sqrt(2 * 255)
    u = bits / 2.0**32 - 0.5
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 5 / np.sqrt(bits.size)
