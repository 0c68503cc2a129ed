"""An activation with its hyperparameters, as a config, a flag and the Python API write it.

``"relu"``, ``"leaky_relu:0.1"`` (one value: the first hyperparameter), ``"elu:alpha=0.5"``
(``NAME:key=value,...``, the syntax of schedules and callbacks) or a table
``{name = "leaky_relu", slope = 0.1}``. The hyperparameters are the keyword arguments of the
activation's layer class (``LeakyReLU(negative_slope)``, ``ELU(alpha)``, ``PReLU(init)``...);
``slope`` is short for ``negative_slope``.
"""

import inspect
import math

from mlplab.errors import ConfigError
from mlplab.layers.registries import ACTIVATIONS

#: short names a config may use for a hyperparameter of the layer class.
SHORT_NAMES = {"slope": "negative_slope"}
#: constructor arguments the network builder gives, never a config.
BUILDER_GIVES = ("num_features", "dtype", "rng")


def activation_name(spec) -> str:
    """The registered name in an activation spec (``"leaky_relu:0.1"`` -> ``"leaky_relu"``)."""
    if isinstance(spec, dict):
        name = spec.get("name")
        if not isinstance(name, str):
            raise ConfigError(f"activation table needs a name, got {spec!r}")
        return name
    if not isinstance(spec, str):
        raise ConfigError(
            f"activation must be a name or a table, got {type(spec).__name__} {spec!r}"
        )
    return spec.partition(":")[0].strip()


def activation_factory(spec):
    """A factory ``(units, dtype, rng) -> Layer`` for ``spec``, with the registered factory's
    attributes (``layer_class``, ``default_init``, ``replaces_affine``); ConfigError naming the
    activation and the hyperparameter when one is unknown or not a finite number."""
    name = activation_name(spec)
    registered = ACTIVATIONS.get(name)
    hyperparameters = _hyperparameters(spec, name, registered)
    if not hyperparameters:
        return registered

    def factory(units, dtype, rng):
        return registered(units, dtype, rng, **hyperparameters)

    factory.__dict__.update(registered.__dict__)
    return factory


def _hyperparameters(spec, name: str, registered) -> dict:
    given = _given(spec)
    if not given:
        return {}
    layer_class = getattr(registered, "layer_class", None)
    if getattr(registered, "replaces_affine", False) or layer_class is None:
        raise ConfigError(f"activation {name!r} takes no hyperparameters here, got {spec!r}")
    known = [
        key
        for key, p in inspect.signature(layer_class).parameters.items()
        if key not in BUILDER_GIVES and p.kind is p.POSITIONAL_OR_KEYWORD
    ]
    if not known:
        raise ConfigError(f"activation {name!r} takes no hyperparameters, got {spec!r}")
    resolved = {}
    for key, value in given.items():
        key = known[0] if key is None else _resolve(key, known, name)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ConfigError(f"activation {name!r}: {key} must be a finite number, got {value!r}")
        resolved[key] = value
    return resolved


def _given(spec) -> dict:
    """The hyperparameters as written: ``{None: value}`` for ``"name:value"``."""
    if isinstance(spec, dict):
        return {k: v for k, v in spec.items() if k != "name"}
    _, _, rest = spec.partition(":")
    parts = [p.strip() for p in rest.split(",") if p.strip()]
    if len(parts) == 1 and "=" not in parts[0]:
        return {None: _number(parts[0])}
    given = {}
    for part in parts:
        key, eq, value = part.partition("=")
        if not eq:
            raise ConfigError(
                f"activation {spec!r}: expected NAME:VALUE or NAME:key=value,..., got {part!r}"
            )
        given[key.strip()] = _number(value.strip())
    return given


def _number(text: str):
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _resolve(key: str, known: list[str], name: str) -> str:
    if key in known:
        return key
    if SHORT_NAMES.get(key) in known:
        return SHORT_NAMES[key]
    raise ConfigError(
        f"activation {name!r} has no hyperparameter {key!r} (it takes: {', '.join(known)})"
    )
