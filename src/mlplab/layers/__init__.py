"""Layers of the layer protocol, and the registry of activations by name.

``ACTIVATIONS[name]`` is a factory ``(units, dtype, rng) -> Layer`` used by the network builder,
so a config string, a CLI flag and the Python API all meet in one place. To add your own
activation, see ``docs/custom-activations.md``.
"""

from mlplab.layers.base import Layer
from mlplab.layers.batchnorm import BatchNorm
from mlplab.layers.dropout import Dropout
from mlplab.layers.elementwise import ElementwiseActivation
from mlplab.layers.elu import ELU
from mlplab.layers.leaky_relu import LeakyReLU
from mlplab.layers.linear import Linear
from mlplab.layers.relu import ReLU
from mlplab.layers.sigmoid import Sigmoid
from mlplab.layers.tanh import Tanh
from mlplab.registry import Registry

#: layer classes by class name, so a model file can rebuild any stack from its configs.
LAYERS = Registry("layer")
for _cls in (Linear, ReLU, Sigmoid, Tanh, LeakyReLU, ELU, BatchNorm, Dropout):
    LAYERS.register(_cls.__name__)(_cls)

ACTIVATIONS = Registry("activation")
ACTIVATIONS.register("relu")(lambda units, dtype, rng: ReLU())
ACTIVATIONS.register("sigmoid")(lambda units, dtype, rng: Sigmoid())
ACTIVATIONS.register("tanh")(lambda units, dtype, rng: Tanh())
ACTIVATIONS.register("leaky_relu")(lambda units, dtype, rng: LeakyReLU())
ACTIVATIONS.register("elu")(lambda units, dtype, rng: ELU())

__all__ = [
    "ACTIVATIONS",
    "BatchNorm",
    "Dropout",
    "ELU",
    "ElementwiseActivation",
    "LAYERS",
    "Layer",
    "LeakyReLU",
    "Linear",
    "ReLU",
    "Sigmoid",
    "Tanh",
]
