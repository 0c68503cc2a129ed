"""Initializers that ignore the fans: zeros, a constant, small Gaussian or uniform noise."""

import numpy as np

from mlplab.init.spec import INITIALIZERS, check_non_negative, check_positive


@INITIALIZERS.register("zeros")
def zeros():
    """W = 0. Every unit of a layer then computes the same thing: symmetry is never broken."""

    def init(shape, fan_in, fan_out, dtype, rng):
        return np.zeros(shape, dtype=dtype)

    return init


@INITIALIZERS.register("constant")
def constant(value: float):
    """W = c for every entry (``constant:0.1``). Breaks no symmetry either; for biases and tests."""
    value = float(value)

    def init(shape, fan_in, fan_out, dtype, rng):
        return np.full(shape, value, dtype=dtype)

    return init


@INITIALIZERS.register("normal", "gaussian")
def normal(std: float = 0.01):
    """W ~ N(0, std²); the lecture's "small random numbers" ``0.01 * randn`` is ``normal:0.01``."""
    std = check_non_negative("std", std)

    def init(shape, fan_in, fan_out, dtype, rng):
        return (rng.standard_normal(shape) * std).astype(dtype)

    return init


@INITIALIZERS.register("uniform")
def uniform(limit: float = 0.05):
    """W ~ U(−a, a), variance a²/3 (``uniform:0.05``)."""
    limit = check_positive("limit", limit)

    def init(shape, fan_in, fan_out, dtype, rng):
        return rng.uniform(-limit, limit, size=shape).astype(dtype)

    return init
