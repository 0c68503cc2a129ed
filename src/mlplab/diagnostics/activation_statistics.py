"""The lecture's activation-statistics experiment: how an initialization shapes a deep net's signal.

A stack of ``depth`` hidden layers, each ``Linear(width, width, bias=False)`` → (``BatchNorm``) →
activation, is fed a unit-Gaussian batch X (samples, width); for every hidden layer we record the
mean and std of its activations H (samples, width), the fraction of saturated outputs, the
fraction of dead units and a histogram. With ``backward=True`` a unit-Gaussian upstream gradient
is pushed back down the stack and the std of dL/dH and dL/dW is recorded per layer.

Saturated: a tanh or sigmoid output within ``SATURATION_MARGIN`` (0.01) of one of its limits
(|tanh| > 0.99; sigmoid < 0.01 or > 0.99), as a fraction of all N·width outputs of the layer.
Dead: a unit whose output is exactly 0 for every example of the batch (a ReLU that never fires),
as a fraction of the layer's units.
"""

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from mlplab.errors import ConfigError
from mlplab.init import data_init_method, get_initializer
from mlplab.layers import ACTIVATIONS, BatchNorm, Linear
from mlplab.network import Sequential
from mlplab.network_init import data_init

#: output limits of the saturating activations.
SATURATION_LIMITS = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}
SATURATION_MARGIN = 0.01
HISTOGRAM_BINS = 30
MAX_BYTES = 4e9


@dataclass
class LayerStatistics:
    """What one hidden layer's activations H (N, width) looked like on the batch."""

    layer: int
    mean: float
    std: float
    saturated: float | None
    dead: float
    histogram: dict = field(default_factory=dict)
    grad_activation_std: float | None = None
    grad_weight_std: float | None = None


@dataclass
class ActivationStatistics:
    """One run of the experiment: its settings, the input's statistics and one entry per layer."""

    activation: str
    init: str
    depth: int
    width: int
    samples: int
    seed: int
    batchnorm: bool
    input_mean: float
    input_std: float
    layers: list[LayerStatistics]

    def to_dict(self) -> dict:
        """The JSON form: settings, ``input: {mean, std}`` and ``layers: [{mean, std, ...}]``."""
        return {
            "activation": self.activation,
            "init": self.init,
            "depth": self.depth,
            "width": self.width,
            "samples": self.samples,
            "seed": self.seed,
            "batchnorm": self.batchnorm,
            "input": {"mean": self.input_mean, "std": self.input_std},
            "layers": [_json_safe(asdict(layer)) for layer in self.layers],
        }


def _json_safe(entry: dict) -> dict:
    """Overflowed statistics (inf, NaN) become None: strict JSON has no such numbers."""
    return {
        k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in entry.items()
    }


def _check_settings(activation, init, depth, width, samples):
    for what, value, low in (("depth", depth, 1), ("width", width, 1), ("samples", samples, 2)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise ConfigError(
                f"activation statistics: {what} must be an integer >= {low}, got {value!r}"
            )
    # float64 activations kept per layer (plus the caches of the layers): refuse what cannot fit.
    needed = 8 * depth * (width * width + 3 * samples * width)
    if needed > MAX_BYTES:
        raise ConfigError(
            f"activation statistics: depth {depth} × width {width} × samples {samples} needs "
            f"about {needed / 1e9:.1f} GB; the limit is {MAX_BYTES / 1e9:.0f} GB"
        )
    ACTIVATIONS.get(activation)
    get_initializer(init)


def build_network(activation, init, depth, width, batchnorm, rng, dtype=np.float64):
    """The experiment's stack: [Linear(width, width, bias=False), (BatchNorm), activation] × depth.

    Returns (network, blocks) where blocks[i] = (linear, batchnorm or None, activation layer);
    for Maxout, which holds its own affine map, blocks[i] = (maxout, None, None).
    Biases are off as in the lecture, except for the data-dependent inits, whose shift needs them.
    """
    make_activation = ACTIVATIONS.get(activation)
    bias = data_init_method(init) in ("data", "krahenbuhl")
    fused = getattr(make_activation, "replaces_affine", False)
    if fused and batchnorm:
        raise ConfigError(
            f"activation statistics: {activation!r} holds its own affine map; "
            "there is no place for batch norm before its nonlinearity"
        )
    layers, blocks = [], []
    for _ in range(depth):
        if fused:  # Maxout: its own pieces (width, width, 2) take the Linear layer's place
            fused_layer = make_activation.layer_class(
                width, width, bias=bias, init=init, dtype=dtype, rng=rng
            )
            blocks.append((fused_layer, None, None))
            layers.append(fused_layer)
            continue
        linear = Linear(width, width, bias=bias, init=init, dtype=dtype, rng=rng)
        norm = BatchNorm(width, dtype=dtype) if batchnorm else None
        nonlinearity = make_activation(width, dtype, rng)
        blocks.append((linear, norm, nonlinearity))
        layers.extend(layer for layer in (linear, norm, nonlinearity) if layer is not None)
    return Sequential(layers, in_features=width), blocks


@np.errstate(over="ignore", invalid="ignore")  # a huge init overflows: reported as inf, not warned
def activation_statistics(
    activation: str = "tanh",
    init: str = "normal:0.01",
    depth: int = 10,
    width: int = 500,
    samples: int = 1000,
    seed: int = 0,
    backward: bool = False,
    batchnorm: bool = False,
) -> ActivationStatistics:
    """Run the lecture's experiment once (float64) and return its statistics.

    X ~ N(0, 1) of shape (samples, width) is drawn first from ``default_rng(seed)``, then each
    layer's weights in order, so runs with the same seed and different inits see the same X.
    Data-driven inits (``lsuv``, ``data``) are fitted on X itself before the statistics are taken.
    """
    _check_settings(activation, init, depth, width, samples)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples, width))
    net, blocks = build_network(activation, init, depth, width, batchnorm, rng)
    if data_init_method(init):
        data_init(net, x, data_init_method(init))

    activations = []
    h = x
    for block in blocks:
        for layer in block:
            if layer is not None:
                h = layer.forward(h, training=True)
        activations.append(h)

    grad_activation, grad_weight = [None] * depth, [None] * depth
    if backward:
        blocks[0][0].needs_input_grad = False
        g = rng.standard_normal(activations[-1].shape)
        for i in reversed(range(depth)):
            grad_activation[i] = float(g.std())
            for layer in reversed(blocks[i]):
                if layer is not None:
                    g = layer.backward(g)
            grad_weight[i] = float(blocks[i][0].grads["W"].std())

    edges = np.linspace(*_histogram_range(activation, activations), HISTOGRAM_BINS + 1)
    limits = SATURATION_LIMITS.get(activation.lower())
    layers = []
    for i, h in enumerate(activations):
        counts, _ = np.histogram(h, bins=edges)
        layers.append(
            LayerStatistics(
                layer=i + 1,
                mean=float(h.mean()),
                std=float(h.std()),
                saturated=None if limits is None else _saturated_fraction(h, limits),
                dead=float((h == 0).all(axis=0).mean()),
                histogram={"edges": edges.tolist(), "counts": counts.tolist()},
                grad_activation_std=grad_activation[i],
                grad_weight_std=grad_weight[i],
            )
        )
    return ActivationStatistics(
        activation, init, depth, width, samples, seed, batchnorm,
        float(x.mean()), float(x.std()), layers,
    )  # fmt: skip


def _saturated_fraction(h, limits) -> float:
    low, high = limits
    near = (h < low + SATURATION_MARGIN) | (h > high - SATURATION_MARGIN)
    return float(near.mean())


def _histogram_range(activation, activations):
    """One range for every layer, so that a collapsing layer shows as a spike, as in the lecture."""
    limits = SATURATION_LIMITS.get(activation.lower())
    if limits is not None:
        return limits
    low = min(float(h.min()) for h in activations)
    high = max(float(h.max()) for h in activations)
    finite = np.isfinite([low, high]).all()
    return (low, high) if finite and high > low else (-1.0, 1.0)
