"""Layers of the layer protocol, and the registry of activations by name.

``ACTIVATIONS[name]`` is a factory ``(units, dtype, rng) -> Layer`` used by the network builder,
so a config string, a CLI flag and the Python API all meet in one place. To add your own
activation, see ``docs/custom-activations.md``.
"""

from mlplab.layers.base import Layer
from mlplab.layers.linear import Linear
from mlplab.layers.relu import ReLU
from mlplab.registry import Registry

#: layer classes by class name, so a model file can rebuild any stack from its configs.
LAYERS = Registry("layer")
for _cls in (Linear, ReLU):
    LAYERS.register(_cls.__name__)(_cls)

ACTIVATIONS = Registry("activation")
ACTIVATIONS.register("relu")(lambda units, dtype, rng: ReLU())

__all__ = ["ACTIVATIONS", "LAYERS", "Layer", "Linear", "ReLU"]
