"""The registries of layer classes and of activations by name, and the decorator that fills both.

``ACTIVATIONS[name]`` is a factory ``(units, dtype, rng) -> Layer``: what the network builder calls
for ``activation="name"``. ``LAYERS[class name]`` is the class itself, so a model file can rebuild
a stack from its layers' configs.
"""

import inspect

from mlplab.registry import Registry

#: layer classes by class name, so a model file can rebuild any stack from its configs.
LAYERS = Registry("layer")

#: activation factories ``(units, dtype, rng) -> Layer`` by config name.
ACTIVATIONS = Registry("activation")


def register_layer(cls):
    """Class decorator: make ``cls`` known to model files under its class name."""
    LAYERS.register(cls.__name__)(cls)
    return cls


def register_activation(name: str, *aliases: str, default_init: str = "xavier"):
    """Class decorator: make ``activation="name"`` in a network config build this class.

    The factory passes ``num_features=units``, ``dtype`` and ``rng`` to the constructor when it
    accepts them (a learnable per-unit parameter needs the first two), nothing otherwise, and
    the hyperparameters of a spec such as ``"leaky_relu:0.1"`` (``layers/activation_spec.py``).
    ``default_init`` is the weight initializer the builder picks for it when a config names none
    ("he" suits rectifiers, "xavier" the rest). The class is registered in ``LAYERS`` as well.
    """

    def decorate(cls):
        accepted = inspect.signature(cls).parameters

        def factory(units, dtype, rng, **hyperparameters):
            given = {"num_features": units, "dtype": dtype, "rng": rng}
            return cls(**{k: v for k, v in given.items() if k in accepted}, **hyperparameters)

        factory.layer_class = cls
        factory.default_init = default_init
        ACTIVATIONS.register(name, *aliases)(factory)
        register_layer(cls)
        return cls

    return decorate
