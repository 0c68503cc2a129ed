"""Variance-scaling initializers: Xavier/Glorot, He/Kaiming, LeCun.

Each keeps the variance of a signal roughly constant from layer to layer by scaling the weights
with the fans: Var(W) = scale / fan. A normal draw uses std √(scale/fan); a uniform one
U(−a, a) with a = √(3 scale / fan), which has the same variance.
"""

import math

from mlplab.init.spec import INITIALIZERS, check_non_negative, check_positive


def _normal(variance):
    def init(shape, fan_in, fan_out, dtype, rng):
        return (rng.standard_normal(shape) * math.sqrt(variance(fan_in, fan_out))).astype(dtype)

    return init


def _uniform(variance):
    def init(shape, fan_in, fan_out, dtype, rng):
        limit = math.sqrt(3.0 * variance(fan_in, fan_out))
        return rng.uniform(-limit, limit, size=shape).astype(dtype)

    return init


@INITIALIZERS.register("xavier")
def xavier(gain: float = 1.0):
    """W ~ N(0, gain²/fan_in): the lecture's ``randn(fan_in, fan_out) / sqrt(fan_in)``.

    "Xavier initialization" [Glorot & Bengio, 2010] in the form the lecture uses (the forward
    condition only). ``xavier:GAIN`` multiplies the std by GAIN.
    """
    gain = check_positive("gain", gain)
    return _normal(lambda fan_in, fan_out: gain**2 / fan_in)


@INITIALIZERS.register("glorot_normal", "xavier_normal", "glorot")
def glorot_normal(gain: float = 1.0):
    """W ~ N(0, gain² · 2/(fan_in + fan_out)) [Glorot & Bengio, 2010].

    The compromise between keeping forward (1/fan_in) and backward (1/fan_out) variances.
    """
    gain = check_positive("gain", gain)
    return _normal(lambda fan_in, fan_out: gain**2 * 2.0 / (fan_in + fan_out))


@INITIALIZERS.register("glorot_uniform", "xavier_uniform")
def glorot_uniform(gain: float = 1.0):
    """W ~ U(−a, a), a = gain · √(6/(fan_in + fan_out)) [Glorot & Bengio, 2010, eq. 16]."""
    gain = check_positive("gain", gain)
    return _uniform(lambda fan_in, fan_out: gain**2 * 2.0 / (fan_in + fan_out))


def _he_variance(negative_slope):
    a = check_non_negative("negative slope", negative_slope)
    return lambda fan_in, fan_out: 2.0 / ((1.0 + a**2) * fan_in)


@INITIALIZERS.register("he", "kaiming", "he_normal", "kaiming_normal")
def he_normal(negative_slope: float = 0.0):
    """W ~ N(0, 2 / ((1 + a²) fan_in)): the lecture's ``randn / sqrt(fan_in / 2)`` for a = 0.

    [He et al., 2015], "Delving deep into rectifiers"; ``he:A`` is for a leaky rectifier of
    slope A (the gain √(2/(1 + a²))).
    """
    return _normal(_he_variance(negative_slope))


@INITIALIZERS.register("he_uniform", "kaiming_uniform")
def he_uniform(negative_slope: float = 0.0):
    """W ~ U(−a, a), a = √(6 / ((1 + s²) fan_in)) for leaky slope s [He et al., 2015]."""
    return _uniform(_he_variance(negative_slope))


@INITIALIZERS.register("lecun", "lecun_normal")
def lecun_normal():
    """W ~ N(0, 1/fan_in) [LeCun et al., 1998, "Efficient BackProp"]."""
    return _normal(lambda fan_in, fan_out: 1.0 / fan_in)


@INITIALIZERS.register("lecun_uniform")
def lecun_uniform():
    """W ~ U(−a, a), a = √(3/fan_in) [LeCun et al., 1998]."""
    return _uniform(lambda fan_in, fan_out: 1.0 / fan_in)
