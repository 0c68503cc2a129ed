"""Networks: the ``Sequential`` container and the MLP builder from a plain config."""

from dataclasses import asdict, dataclass, field

import numpy as np

from mlplab import kernels
from mlplab.data.validation import check_features
from mlplab.errors import ConfigError
from mlplab.init import INITIALIZERS, data_init_method, parse_init_spec
from mlplab.layers import BatchNorm, Dropout, Linear
from mlplab.layers.activation_spec import activation_factory, activation_name
from mlplab.layers.linear_activation import pair_layers
from mlplab.losses import get_loss
from mlplab.parameter_buffer import pack_parameters
from mlplab.regularization import add_l2


class Sequential:
    """A stack of layers applied in order, with a loss on top.

    ``forward`` runs the layers; ``backward`` runs them in reverse from dL/dscores. The first
    layer is told it needs no input gradient during training (one matrix product saved).
    """

    def __init__(self, layers, loss="softmax", in_features: int | None = None):
        self.layers = list(layers)
        self.loss = get_loss(loss)
        for i, layer in enumerate(self.layers):
            layer.name = f"layer {i} ({type(layer).__name__})"
            layer.check_inputs = False  # the network checks its input once (``check_input``)
        self.in_features = (
            in_features if in_features is not None else getattr(self.layers[0], "in_features", None)
        )
        #: a data-driven init ("lsuv", "data") still to run on the first batch: ``data_init``.
        self.pending_data_init: str | None = None

    # -- the passes ---------------------------------------------------------------------------
    def forward(self, x, training: bool = False):
        """Scores for a batch x of shape (N, D): (N, outputs)."""
        self._steps = self.steps()
        for step in self._steps:
            x = step.forward(x, training)
        return x

    def backward(self, dscores, input_grad: bool = True):
        """Backpropagate dL/dscores through every layer; return dL/dx (or None)."""
        self.layers[0].needs_input_grad = input_grad
        for step in reversed(getattr(self, "_steps", None) or self.layers):
            dscores = step.backward(dscores)
        return dscores

    def steps(self) -> list:
        """The layers as the forward pass runs them: with the fused kernels, each ``Linear``
        and the activation after it as one step (``layers/linear_activation.py``)."""
        if not kernels.fused():
            return self.layers
        key = tuple(map(id, self.layers))
        if getattr(self, "_paired", (None,))[0] != key:
            self._paired = (key, pair_layers(self.layers))
        return self._paired[1]

    def loss_and_gradients(self, x, y, l2: float = 0.0, training: bool = True):
        """One training pass: forward, loss (+ ½ λ Σ‖W‖² on weights only), backward.

        Fills every layer's ``grads`` and returns the loss.
        """
        scores = self.forward(x, training)
        loss, dscores = self.loss(scores, y)
        self.backward(dscores, input_grad=False)
        if l2:
            loss += self.add_l2(l2)
        return loss

    def add_l2(self, l2: float) -> float:
        """Add λW to each weight's gradient and return ½ λ Σ‖W‖² (biases and BN are exempt):
        ``mlplab.regularization.add_l2``."""
        return add_l2(self, l2)

    # -- inference ----------------------------------------------------------------------------
    def check_input(self, x):
        """Validate a batch at the API boundary (``mlplab.data.validation.check_features``):
        2-D, right width, numbers, finite; returned in the network's dtype."""
        x = check_features(
            x, "network input", self.in_features, expected_by="the network", dtype=self.dtype
        )
        return x.astype(self.dtype, copy=False)  # a memory map, read whole

    def scores(self, x, batch_size: int = 4096):
        """Evaluation-mode scores, computed in batches to bound memory."""
        x = self.check_input(x)
        parts = [
            self.forward(x[i : i + batch_size], training=False)
            for i in range(0, max(len(x), 1), batch_size)
        ]
        return np.concatenate(parts) if parts else np.empty((0, 0), self.dtype)

    def predict(self, x):
        """Predicted class indices (or values, for regression)."""
        return self.loss.predict(self.scores(x))

    def predict_proba(self, x):
        """Class probabilities (softmax, or the sigmoid for binary cross-entropy)."""
        return self.loss.probabilities(self.scores(x))

    # -- bookkeeping --------------------------------------------------------------------------
    @property
    def dtype(self):
        for layer in self.layers:
            for p in layer.params.values():
                return p.dtype
        return np.dtype(np.float32)

    def parameters(self):
        """Yield (qualified name, layer, key) for every learnable array."""
        for i, layer in enumerate(self.layers):
            for key in layer.params:
                yield f"{i}.{key}", layer, key

    def parameter_count(self) -> int:
        return sum(int(layer.params[key].size) for _, layer, key in self.parameters())

    def summary(self) -> str:
        """A table: layer, output shape, parameter count."""
        rows = [("layer", "output shape", "parameters")]
        features = self.in_features
        for i, layer in enumerate(self.layers):
            if features is not None:
                features = layer.output_features(features)
            count = sum(int(p.size) for p in layer.params.values())
            rows.append((f"{i} {layer!r}", f"(N, {features})", f"{count:,}"))
        rows.append(("total", "", f"{self.parameter_count():,}"))
        widths = [max(len(r[c]) for r in rows) for c in range(3)]
        lines = [f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}" for r in rows]
        lines.insert(1, "-" * len(lines[0]))
        lines.insert(len(lines) - 1, "-" * len(lines[0]))
        return "\n".join(lines)


RELU_FAMILY = {"relu", "leaky_relu", "prelu", "elu", "hinged_rectifier"}

NORMS = ("none", "batch")


@dataclass
class MLPConfig:
    """Everything that defines an MLP's architecture (not its training): ``build_mlp``'s input
    and the ``[network]`` table of a run config, where the data gives the two sizes.

    ``init="auto"`` (or None) picks the activation's default initializer (``default_init``).
    """

    #: input features and outputs; None in a run config, where the data gives them.
    input_size: int | None = None
    output_size: int | None = None
    hidden: list[int] = field(default_factory=lambda: [100])
    #: a name, a name with hyperparameters (``"leaky_relu:0.1"``, ``"elu:alpha=0.5"``) or a
    #: table (``{"name": "leaky_relu", "slope": 0.1}``): ``layers/activation_spec.py``.
    activation: str | dict = "relu"
    #: initializer spec (``he``, ``xavier``, ``normal:0.01``...); "auto" = He for the ReLU family.
    init: str = "auto"
    #: "batch": batch norm after each affine map, before the nonlinearity; or "none".
    norm: str = "none"
    #: drop probability after each hidden activation.
    dropout: float = 0.0
    loss: str = "softmax"
    #: biases in the affine maps (not before batch norm, whose β takes their role).
    bias: bool = True
    dtype: str = "float32"
    #: affine pieces per unit when ``activation="maxout"`` (the lecture's k = 2).
    maxout_pieces: int = 2
    #: the output layer's initial weights are ``init``'s times this; its bias starts at zero.
    #: A small scale (``mlplab train``'s 0.1) starts the softmax near uniform, the loss near
    #: ln C (docs/initialization.md); 1.0 = the output layer initialized like the others.
    output_scale: float = 1.0

    def __post_init__(self):
        if self.init is None:
            self.init = "auto"

    def to_dict(self) -> dict:
        return asdict(self)

    def validate(self) -> "MLPConfig":
        """Check every field; raise a ``ConfigError`` naming the bad one (``network.<field>``)."""
        _check_dtype(self.dtype)
        for name in ("input_size", "output_size"):
            value = getattr(self, name)
            if value is not None and not _is_count(value):
                raise ConfigError(f"network.{name} must be an integer >= 1, got {value!r}")
        if isinstance(self.hidden, int | str) or not all(_is_count(h) for h in self.hidden):
            raise ConfigError(
                f"network.hidden: hidden sizes must be a list of integers >= 1, got {self.hidden!r}"
            )
        if self.norm not in NORMS:
            raise ConfigError(f"network.norm must be {' or '.join(NORMS)}, got {self.norm!r}")
        if not _is_count(self.maxout_pieces):
            raise ConfigError(
                f"network.maxout_pieces must be an integer >= 1, got {self.maxout_pieces!r}"
            )
        scale = self.output_scale
        if isinstance(scale, bool) or not isinstance(scale, int | float) or not 0 <= scale < 1e6:
            raise ConfigError(f"network.output_scale must be a number >= 0, got {scale!r}")
        p = self.dropout
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0.0 <= p < 1.0:
            raise ConfigError(f"network.dropout must be a probability in [0, 1), got {p!r}")
        if not isinstance(self.bias, bool | np.bool_):
            raise ConfigError(f"network.bias must be true or false, got {self.bias!r}")
        make_activation = _named("network.activation", activation_factory, self.activation)
        _named("network.loss", get_loss, self.loss)
        if self.init != "auto":
            _named("network.init", INITIALIZERS.get, parse_init_spec(self.init)[0])
        if self.norm == "batch" and getattr(make_activation, "replaces_affine", False):
            raise ConfigError(
                f"network.norm: norm 'batch' cannot be used with activation {self.activation!r}, "
                "which holds its own affine map (no place for batch norm before the nonlinearity)"
            )
        return self


def _is_count(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | np.integer) and value >= 1


def _check_dtype(name) -> np.dtype:
    try:
        dtype = np.dtype(name)
    except TypeError:
        raise ConfigError(f"network.dtype must be float32 or float64, got {name!r}") from None
    if dtype not in (np.float32, np.float64):
        raise ConfigError(f"network.dtype must be float32 or float64, got {name!r}")
    return dtype


def _named(field_name: str, resolve, name):
    """``resolve(name)``, its ConfigError prefixed with the field's name."""
    try:
        return resolve(name)
    except ConfigError as e:
        raise ConfigError(f"{field_name}: {e}") from None


def default_init(activation) -> str:
    """He for the ReLU family, Xavier for tanh/sigmoid, ``maxout`` for maxout; for a user's
    activation, the ``default_init`` it was registered with (Xavier if none). ``activation``:
    a spec."""
    if activation_name(activation).lower() in RELU_FAMILY:
        return "he"
    return getattr(activation_factory(activation), "default_init", "xavier")


def build_mlp(config, seed: int | None = 0) -> Sequential:
    """Build ``[Linear → (BatchNorm) → activation → (Dropout)] × hidden → Linear`` from a config.

    ``config`` is an ``MLPConfig`` or a dict of its fields. Batch norm sits after the affine map
    and before the nonlinearity, as the lecture says; the affine map before it has no bias,
    since batch norm subtracts the batch mean (which would cancel any bias, leaving it a
    parameter with a zero gradient) and its β takes the bias's role. Dropout follows the
    activation. The output layer's weights are scaled by ``output_scale``.
    ``activation="maxout"`` replaces each hidden Linear + activation by one
    ``Maxout`` layer with ``maxout_pieces`` affine pieces per unit; it holds its own affine map,
    so it cannot take batch norm between the map and the max.
    """
    if isinstance(config, dict):
        try:
            config = MLPConfig(**config)
        except TypeError as e:
            raise ConfigError(f"network config: {e}") from None
    config.validate()
    for name in ("input_size", "output_size"):
        if getattr(config, name) is None:
            raise ConfigError(f"network.{name}: build_mlp needs it (an integer >= 1)")
    dtype = np.dtype(config.dtype)
    rng = np.random.default_rng(seed)
    init = default_init(config.activation) if config.init == "auto" else config.init
    make_activation = activation_factory(config.activation)
    batch_norm = config.norm == "batch"
    fused = getattr(make_activation, "replaces_affine", False)
    layers = []
    width = int(config.input_size)
    for units in map(int, config.hidden):
        if fused:
            pieces = int(config.maxout_pieces)
            layers.append(
                make_activation.layer_class(
                    width, units, pieces, bias=config.bias, init=init, dtype=dtype, rng=rng
                )
            )
        else:
            bias = config.bias and not batch_norm
            layers.append(Linear(width, units, bias=bias, init=init, dtype=dtype, rng=rng))
            if batch_norm:
                layers.append(BatchNorm(units, dtype=dtype))
            layers.append(make_activation(units, dtype, rng))
        if config.dropout:
            layers.append(Dropout(config.dropout, rng=rng))
        width = units
    output = Linear(width, config.output_size, bias=config.bias, init=init, dtype=dtype, rng=rng)
    if config.output_scale != 1:
        output.params["W"] *= dtype.type(config.output_scale)
    layers.append(output)
    net = Sequential(layers, loss=config.loss, in_features=int(config.input_size))
    net.pending_data_init = data_init_method(init)
    net.config = config
    pack_parameters(net)
    return net
