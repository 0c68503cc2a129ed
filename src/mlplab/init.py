"""Weight initializers, by name and as callables.

An initializer is a callable ``init(shape, fan_in, fan_out, dtype, rng) -> array``. Names resolve
through ``INITIALIZERS``; a spec string is ``NAME`` or ``NAME:ARG`` (``normal:0.01``, ``he``).
For a weight of shape (in, out), fan_in = in and fan_out = out.
"""

import math

import numpy as np

from mlplab.errors import ConfigError
from mlplab.registry import Registry

INITIALIZERS = Registry("initializer")


@INITIALIZERS.register("zeros")
def zeros():
    """W = 0. Every unit of a layer then computes the same thing: symmetry is never broken."""

    def init(shape, fan_in, fan_out, dtype, rng):
        return np.zeros(shape, dtype=dtype)

    return init


@INITIALIZERS.register("normal", "gaussian")
def normal(std: float = 0.01):
    """W ~ N(0, std²). The lecture's "small random numbers" is ``normal:0.01``."""

    def init(shape, fan_in, fan_out, dtype, rng):
        return (rng.standard_normal(shape) * std).astype(dtype)

    return init


@INITIALIZERS.register("xavier")
def xavier(gain: float = 1.0):
    """W ~ N(0, gain²/fan_in): the lecture's ``randn(fan_in, fan_out) / sqrt(fan_in)``.

    "Xavier initialization" [Glorot & Bengio, 2010], in the form the lecture uses.
    """

    def init(shape, fan_in, fan_out, dtype, rng):
        return (rng.standard_normal(shape) * (gain / math.sqrt(fan_in))).astype(dtype)

    return init


@INITIALIZERS.register("he", "kaiming")
def he(negative_slope: float = 0.0):
    """W ~ N(0, 2 / ((1 + a²) fan_in)): the lecture's ``randn / sqrt(fan_in / 2)`` for a = 0.

    [He et al., 2015], "Delving deep into rectifiers"; ``a`` is a leaky rectifier's slope.
    """

    def init(shape, fan_in, fan_out, dtype, rng):
        std = math.sqrt(2.0 / ((1.0 + negative_slope**2) * fan_in))
        return (rng.standard_normal(shape) * std).astype(dtype)

    return init


def parse_init_spec(spec: str) -> tuple[str, float | None]:
    """Split ``NAME`` or ``NAME:ARG`` into the name and its numeric argument."""
    if not isinstance(spec, str) or not spec:
        raise ConfigError(f"an init spec is NAME or NAME:ARG, got {spec!r}")
    name, _, arg = spec.partition(":")
    if not arg:
        return name, None
    try:
        return name, float(arg)
    except ValueError:
        raise ConfigError(f"init spec {spec!r}: argument {arg!r} is not a number") from None


def get_initializer(spec):
    """Return the initializer callable for a spec string, or ``spec`` itself if it is callable."""
    if callable(spec):
        return spec
    name, arg = parse_init_spec(spec)
    factory = INITIALIZERS.get(name)
    return factory() if arg is None else factory(arg)


def initialize(spec, shape, dtype=np.float32, rng=None, fan_in=None, fan_out=None):
    """Draw an array of ``shape`` with the initializer named by ``spec``."""
    rng = np.random.default_rng() if rng is None else rng
    fan_in = shape[0] if fan_in is None else fan_in
    fan_out = shape[-1] if fan_out is None else fan_out
    return get_initializer(spec)(tuple(shape), fan_in, fan_out, np.dtype(dtype), rng)
