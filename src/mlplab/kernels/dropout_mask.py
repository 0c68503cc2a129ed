"""Dropout's mask from counter-based random bits: SplitMix64 [Steele, Lea & Flood, 2014].

A training step draws one 64-bit seed s from the layer's generator. Element g of the batch
(row-major, counted from 0) gets 32 bits b_g: the low half (g even) or the high half (g odd) of
w_k = mix(s + (k + 1)·γ), k = ⌊g/2⌋, γ = 0x9E3779B97F4A7C15, which is SplitMix64's k-th
output from state s. The unit is kept when b_g ≥ t, t = ⌈p·2³²⌉: P(keep) = 1 − p within 2⁻³².

The bits of any element can be made on their own. So the fused kernel makes the mask in the pass
that applies it, and makes it again in the backward pass (nothing is kept but s). A rank of
data-parallel training makes only its own rows of the global batch's mask. This module is the
NumPy reference of ``kernels/native`` (``splitmix64``, ``dropout``); the two give the same bits.
"""

import math

import numpy as np

GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def threshold(p: float) -> int:
    """t = ⌈p·2³²⌉, at most 2³² − 1: a unit whose bits are ≥ t is kept."""
    return min(math.ceil(p * 2.0**32), 2**32 - 1)


def dropout_bits(seed: int, offset: int, count: int) -> np.ndarray:
    """The 32 random bits (uint32) of elements offset, ..., offset + count − 1 (count,)."""
    first = offset // 2
    k = np.arange(first + 1, (offset + count + 1) // 2 + 1, dtype=np.uint64)
    z = k * GAMMA + np.uint64(seed)
    z ^= z >> np.uint64(30)
    z *= _MIX1
    z ^= z >> np.uint64(27)
    z *= _MIX2
    z ^= z >> np.uint64(31)
    halves = np.empty((z.size, 2), np.uint32)
    halves[:, 0] = z  # the low half: NumPy's cast keeps the low 32 bits
    halves[:, 1] = z >> np.uint64(32)
    start = offset - 2 * first
    return halves.reshape(-1)[start : start + count]


def keep_mask(seed: int, offset: int, shape: tuple, p: float) -> np.ndarray:
    """[b ≥ t] (bool, ``shape``) for the elements from ``offset`` on."""
    bits = dropout_bits(seed, offset, math.prod(shape))
    return (bits >= threshold(p)).reshape(shape)
