"""Networks: the ``Sequential`` container and the MLP builder from a plain config."""

from dataclasses import asdict, dataclass, field

import numpy as np

from mlplab.errors import ConfigError, DTypeError, NonFiniteError, ShapeError
from mlplab.init import data_init_method
from mlplab.layers import ACTIVATIONS, BatchNorm, Dropout, Linear
from mlplab.losses import get_loss
from mlplab.parameter_buffer import pack_parameters


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
        for layer in self.layers:
            x = layer.forward(x, training)
        return x

    def backward(self, dscores, input_grad: bool = True):
        """Backpropagate dL/dscores through every layer; return dL/dx (or None)."""
        self.layers[0].needs_input_grad = input_grad
        for layer in reversed(self.layers):
            dscores = layer.backward(dscores)
        return dscores

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
        """Add λW to each weight's gradient and return ½ λ Σ‖W‖² (biases and BN are exempt)."""
        penalty = 0.0
        for layer in self.layers:
            for key in layer.decay_params:
                w = layer.params[key]
                penalty += 0.5 * l2 * float((w * w).sum())
                layer.grads[key] += w.dtype.type(l2) * w
        return penalty

    # -- inference ----------------------------------------------------------------------------
    def check_input(self, x):
        """Validate a batch at the API boundary: 2-D, right width, right dtype, finite."""
        x = np.asarray(x) if not hasattr(x, "ndim") else x
        if x.ndim != 2 or (self.in_features is not None and x.shape[1] != self.in_features):
            raise ShapeError(
                f"network input: expected shape (N, {self.in_features}), got {x.shape}"
            )
        if x.dtype.kind not in "fiub":
            raise DTypeError(f"network input: expected numbers, got dtype {x.dtype}")
        x = x.astype(self.dtype, copy=False)
        if not np.isfinite(x).all():
            row, col = np.argwhere(~np.isfinite(x))[0]
            raise NonFiniteError(
                f"network input: non-finite value {x[row, col]} at row {row}, column {col}"
            )
        return x

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


RELU_FAMILY = {"relu", "leaky_relu", "prelu", "elu", "maxout", "hinged_rectifier"}


@dataclass
class MLPConfig:
    """Everything that defines an MLP's architecture (not its training)."""

    input_size: int
    output_size: int
    hidden: list[int] = field(default_factory=lambda: [100])
    activation: str = "relu"
    init: str | None = None
    norm: str = "none"
    dropout: float = 0.0
    loss: str = "softmax"
    bias: bool = True
    dtype: str = "float32"
    #: affine pieces per unit when ``activation="maxout"`` (the lecture's k = 2).
    maxout_pieces: int = 2

    def to_dict(self) -> dict:
        return asdict(self)


def default_init(activation: str) -> str:
    """He for the ReLU family, Xavier for tanh/sigmoid; for a user's activation, the
    ``default_init`` it was registered with (Xavier if none)."""
    if activation.lower() in RELU_FAMILY:
        return "he"
    return getattr(ACTIVATIONS.get(activation), "default_init", "xavier")


NORMS = ("none", "batch")


def _validate(config) -> np.dtype:
    """Check every field of an ``MLPConfig``; raise a ``ConfigError`` naming the bad one."""
    try:
        dtype = np.dtype(config.dtype)
    except TypeError:
        raise ConfigError(f"network config: unknown dtype {config.dtype!r}") from None
    if dtype not in (np.float32, np.float64):
        raise ConfigError(f"network config: dtype must be float32 or float64, got {dtype}")
    for name in ("input_size", "output_size"):
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ConfigError(f"network config: {name} must be an integer >= 1, got {value!r}")
    if isinstance(config.hidden, int | str) or any(
        isinstance(h, bool) or not isinstance(h, int | np.integer) or h < 1 for h in config.hidden
    ):
        raise ConfigError(
            f"network config: hidden sizes must be a list of integers >= 1, got {config.hidden!r}"
        )
    if config.norm not in NORMS:
        raise ConfigError(
            f"network config: norm must be one of {', '.join(NORMS)}, got {config.norm!r}"
        )
    k = config.maxout_pieces
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ConfigError(f"network config: maxout_pieces must be an integer >= 1, got {k!r}")
    p = config.dropout
    if isinstance(p, bool) or not isinstance(p, int | float) or not 0.0 <= p < 1.0:
        raise ConfigError(f"network config: dropout must be a number in [0, 1), got {p!r}")
    return dtype


def build_mlp(config, seed: int | None = 0) -> Sequential:
    """Build ``[Linear → (BatchNorm) → activation → (Dropout)] × hidden → Linear`` from a config.

    ``config`` is an ``MLPConfig`` or a dict of its fields. Batch norm sits after the affine map
    and before the nonlinearity, as the lecture says; the affine map before it has no bias,
    since batch norm subtracts the batch mean (which would cancel any bias, leaving it a
    parameter with a zero gradient) and its β takes the bias's role. Dropout follows the
    activation. ``activation="maxout"`` replaces each hidden Linear + activation by one
    ``Maxout`` layer with ``maxout_pieces`` affine pieces per unit; it holds its own affine map,
    so it cannot take batch norm between the map and the max.
    """
    if isinstance(config, dict):
        try:
            config = MLPConfig(**config)
        except TypeError as e:
            raise ConfigError(f"network config: {e}") from None
    dtype = _validate(config)
    rng = np.random.default_rng(seed)
    init = config.init or default_init(config.activation)
    make_activation = ACTIVATIONS.get(config.activation)
    batch_norm = config.norm == "batch"
    fused = getattr(make_activation, "replaces_affine", False)
    if fused and batch_norm:
        raise ConfigError(
            f"network config: norm 'batch' cannot be used with activation {config.activation!r}, "
            "which holds its own affine map (no place for batch norm before the nonlinearity)"
        )
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
    layers.append(
        Linear(width, config.output_size, bias=config.bias, init=init, dtype=dtype, rng=rng)
    )
    net = Sequential(layers, loss=config.loss, in_features=int(config.input_size))
    net.pending_data_init = data_init_method(init)
    net.config = config
    pack_parameters(net)
    return net
