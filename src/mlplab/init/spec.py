"""Initializer specs: the registry, ``NAME``/``NAME:ARG`` parsing, and drawing a weight.

An initializer is a callable ``init(shape, fan_in, fan_out, dtype, rng) -> array``. A factory
registered in ``INITIALIZERS`` builds one from an optional numeric argument, so the spec
``normal:0.01`` means ``INITIALIZERS.get("normal")(0.01)``. For a weight of shape (in, out),
fan_in = in and fan_out = out.
"""

import math

import numpy as np

from mlplab.errors import ConfigError
from mlplab.registry import Registry

INITIALIZERS = Registry("initializer")


def parse_init_spec(spec: str) -> tuple[str, float | None]:
    """Split ``NAME`` or ``NAME:ARG`` into the name and its numeric argument."""
    if not isinstance(spec, str) or not spec.strip():
        raise ConfigError(f"an init spec is NAME or NAME:ARG, got {spec!r}")
    name, _, arg = spec.strip().partition(":")
    if not arg:
        return name, None
    try:
        value = float(arg)
    except ValueError:
        raise ConfigError(f"init spec {spec!r}: argument {arg!r} is not a number") from None
    if not math.isfinite(value):
        raise ConfigError(f"init spec {spec!r}: argument must be finite, got {arg!r}")
    return name, value


def get_initializer(spec):
    """Return the initializer callable for a spec string, or ``spec`` itself if it is callable."""
    if callable(spec):
        return spec
    name, arg = parse_init_spec(spec)
    factory = INITIALIZERS.get(name)
    try:
        return factory() if arg is None else factory(arg)
    except TypeError:
        needs = "takes no argument" if arg is not None else "needs an argument (NAME:ARG)"
        raise ConfigError(f"init spec {spec!r}: initializer {name!r} {needs}") from None


def initialize(spec, shape, dtype=np.float32, rng=None, fan_in=None, fan_out=None):
    """Draw an array of ``shape`` with the initializer named by ``spec``."""
    rng = np.random.default_rng() if rng is None else rng
    fan_in = shape[0] if fan_in is None else fan_in
    fan_out = shape[-1] if fan_out is None else fan_out
    return get_initializer(spec)(tuple(shape), fan_in, fan_out, np.dtype(dtype), rng)


def check_positive(what: str, value: float) -> float:
    """Raise a ``ConfigError`` unless ``value`` is a finite number > 0."""
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ConfigError(f"initializer {what} must be a finite number > 0, got {value!r}")
    return float(value)


def check_non_negative(what: str, value: float) -> float:
    """Raise a ``ConfigError`` unless ``value`` is a finite number >= 0."""
    if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
        raise ConfigError(f"initializer {what} must be a finite number >= 0, got {value!r}")
    return float(value)


def gain(activation: str, negative_slope: float = 0.01) -> float:
    """The std gain that keeps a unit-variance signal's scale through ``activation``.

    linear/sigmoid 1, tanh 5/3, relu √2, leaky_relu √(2 / (1 + a²)) — the factor He et al.
    (2015) derive for rectifiers; the tanh value is the empirical one of common libraries.
    """
    name = activation.lower()
    gains = {"linear": 1.0, "identity": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0}
    if name in gains:
        return gains[name]
    if name == "relu":
        return math.sqrt(2.0)
    if name == "leaky_relu":
        return math.sqrt(2.0 / (1.0 + negative_slope**2))
    raise ConfigError(f"no gain known for activation {activation!r}")


#: the initializers finished by a pass over a batch (``mlplab.network_init.data_init``).
DATA_DRIVEN = ("lsuv", "data", "data_dependent", "krahenbuhl")


def data_init_method(spec) -> str | None:
    """The data pass an init spec asks for (``"lsuv:0.1"``, ``"data"``), or None."""
    return getattr(get_initializer(spec), "data_init", None)
