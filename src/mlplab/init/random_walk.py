"""Random-walk initialization [Sussillo & Abbott, 2014]."""

import math

from mlplab.init.spec import INITIALIZERS, check_positive


def random_walk_gain(activation: str, fan_in: int) -> float:
    """The gain g that makes the log-norm of a back-propagated vector an unbiased random walk.

    Sussillo & Abbott (2014), "Random walk initialization for training very deep feedforward
    networks": with W ~ N(0, g²/N), N the layer width, the log of the gradient norm after d layers
    is a random walk of variance ∝ d/N; its drift is zero for
    linear g = exp(1/(2N)), ReLU g = √2 · exp(1.2 / (max(N, 6) − 2.4)); for tanh the paper finds
    g ≈ 1.13 numerically (no closed form).
    """
    n = int(fan_in)
    if activation == "linear":
        return math.exp(1.0 / (2.0 * n))
    if activation == "relu":
        return math.sqrt(2.0) * math.exp(1.2 / (max(n, 6) - 2.4))
    if activation == "tanh":
        return 1.13
    raise ValueError(f"no random-walk gain for activation {activation!r}")


def _random_walk(gain_of_fan_in):
    def init(shape, fan_in, fan_out, dtype, rng):
        std = gain_of_fan_in(fan_in) / math.sqrt(fan_in)
        return (rng.standard_normal(shape) * std).astype(dtype)

    return init


@INITIALIZERS.register("random_walk", "random_walk_relu")
def random_walk(gain: float | None = None):
    """W ~ N(0, g²/fan_in), g = √2 · exp(1.2 / (max(fan_in, 6) − 2.4)), the ReLU gain of
    [Sussillo & Abbott, 2014]; ``random_walk:G`` uses the gain G instead.
    """
    if gain is not None:
        g = check_positive("gain", gain)
        return _random_walk(lambda fan_in: g)
    return _random_walk(lambda fan_in: random_walk_gain("relu", fan_in))


@INITIALIZERS.register("random_walk_linear")
def random_walk_linear():
    """W ~ N(0, g²/fan_in), g = exp(1/(2 fan_in)): linear layers [Sussillo & Abbott, 2014]."""
    return _random_walk(lambda fan_in: random_walk_gain("linear", fan_in))


@INITIALIZERS.register("random_walk_tanh")
def random_walk_tanh():
    """W ~ N(0, g²/fan_in), g ≈ 1.13: tanh layers, numerical value of [Sussillo & Abbott, 2014]."""
    return _random_walk(lambda fan_in: random_walk_gain("tanh", fan_in))
