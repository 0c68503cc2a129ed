"""The layer protocol of DESIGN.md, as a small base class.

Every layer, built-in or a user's, provides:

- ``forward(x, training) -> y``: computes the output and caches what ``backward`` needs;
- ``backward(dy) -> dx``: fills ``grads`` and returns the gradient for the layer below;
- ``params`` and ``grads``: dicts with the same keys and shapes;
- ``buffers``: state that is saved with the model but not learned (batch-norm running statistics);
- ``get_config()`` / ``from_config()``: a plain dict that rebuilds the layer.

Anything that follows the protocol can be gradient-checked, trained, saved and diagnosed.
"""

from mlplab import backend
from mlplab.errors import DTypeError, ShapeError


class Layer:
    """Base class of all layers. Subclasses override ``forward`` and ``backward``."""

    #: names of the parameters that weight decay (L2/L1) and max-norm apply to: weights, not biases.
    decay_params: tuple[str, ...] = ()
    #: whether ``forward`` checks its input (``checks_input()``). A network turns it off for its
    #: layers: it validates its input once at the boundary and the hot loop trusts the batches;
    #: ``mlplab.backend.set_debug(True)`` or ``MLPLAB_DEBUG=1`` turns every check back on.
    check_inputs: bool = True

    def __init__(self):
        self.params: dict = {}
        self.grads: dict = {}
        self.buffers: dict = {}
        #: a label used in error messages, set by the network (for example "layer 3 (ReLU)").
        self.name: str = type(self).__name__
        #: when False, ``backward`` may skip computing dx (the first layer of a network).
        self.needs_input_grad: bool = True

    def forward(self, x, training: bool = False):
        """Return the layer's output for input ``x`` of shape (N, D)."""
        raise NotImplementedError

    def backward(self, dy):
        """Given dL/dy, fill ``self.grads`` and return dL/dx."""
        raise NotImplementedError

    def distance_to_kink(self, x) -> float:
        """How far input ``x`` is from a point where the layer is not differentiable.

        Gradient checks need inputs away from such points (ReLU's 0, Maxout's ties). Smooth
        layers return infinity.
        """
        return float("inf")

    def output_features(self, in_features: int) -> int:
        """The number of output features for ``in_features`` inputs (unchanged by default)."""
        return in_features

    def get_config(self) -> dict:
        """The constructor arguments that rebuild this layer (shapes only, not values)."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def checks_input(self) -> bool:
        """Whether ``forward`` should call ``check_input`` (alone, or in debug mode)."""
        return self.check_inputs or backend.debug

    def check_input(self, x, features: int | None = None, dtype=None):
        """Raise a ``ShapeError``/``DTypeError`` naming this layer if ``x`` does not fit it."""
        if getattr(x, "ndim", None) != 2:
            raise ShapeError(
                f"{self.name}: expected a 2-D input (batch, features), "
                f"got shape {getattr(x, 'shape', type(x).__name__)}"
            )
        if features is not None and x.shape[1] != features:
            raise ShapeError(f"{self.name}: expected {features} input features, got {x.shape[1]}")
        if dtype is not None and x.dtype != dtype:
            raise DTypeError(f"{self.name}: expected input dtype {dtype}, got {x.dtype}")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def init_config(init) -> dict:
    """``{"init": spec}`` for a layer's ``get_config`` when its initializer is a spec string
    (``he``, ``normal:0.01``); {} for a callable, which no config can hold."""
    return {"init": init} if isinstance(init, str) else {}
