"""Layers of the layer protocol, and the registries of layers and activations by name.

``ACTIVATIONS[name]`` is a factory ``(units, dtype, rng) -> Layer`` used by the network builder,
so a config string, a CLI flag and the Python API all meet in one place. To add your own
activation, see ``docs/custom-activations.md``.
"""

from mlplab.layers.base import Layer
from mlplab.layers.batchnorm import BatchNorm
from mlplab.layers.dropout import Dropout
from mlplab.layers.elementwise import ElementwiseActivation
from mlplab.layers.elu import ELU
from mlplab.layers.hinged_rectifier import HingedRectifier
from mlplab.layers.identity import Identity
from mlplab.layers.leaky_relu import LeakyReLU
from mlplab.layers.linear import Linear
from mlplab.layers.maxout import Maxout
from mlplab.layers.prelu import PReLU
from mlplab.layers.registries import (
    ACTIVATIONS,
    LAYERS,
    register_activation,
    register_layer,
)
from mlplab.layers.relu import ReLU
from mlplab.layers.sigmoid import Sigmoid
from mlplab.layers.tanh import Tanh

__all__ = [
    "ACTIVATIONS",
    "BatchNorm",
    "Dropout",
    "ELU",
    "ElementwiseActivation",
    "HingedRectifier",
    "Identity",
    "LAYERS",
    "Layer",
    "LeakyReLU",
    "Linear",
    "Maxout",
    "PReLU",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "register_activation",
    "register_layer",
]
