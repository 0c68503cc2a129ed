"""The fitted preprocessing steps saved with a model, as ONNX nodes.

Each step computes in float64, as mlplab does, and its output is cast back to the graph's input
dtype, as ``Preprocessor.transform`` returns it; the chain therefore matches ``Model.transform``
step for step. Shapes: x (N, D) -> (N, D'), D' = k for PCA, D otherwise.
"""

import numpy as np

from mlplab.data.preprocessing import (
    PCA,
    MeanImage,
    PerChannelMean,
    PolarTransform,
    Standardize,
    ZCAWhitening,
    ZeroCenter,
)
from mlplab.export.graph import ExportError

F64 = np.float64


def _minus(graph, x, vector):
    return graph.node("Sub", [x, graph.constant(vector, F64, hint="mean")])


def center(graph, step, x):
    """x - μ."""
    return _minus(graph, x, step.mean_)


def standardize(graph, step, x):
    """(x - μ) / σ."""
    return graph.node("Div", [center(graph, step, x), graph.constant(step.scale_, F64)])


def pca(graph, step, x):
    """(x - μ) Uₖ, divided by √(λ + ε) when whitening."""
    z = graph.node("MatMul", [center(graph, step, x), graph.constant(step.components_.T, F64)])
    if step.whiten:
        z = graph.node("Div", [z, graph.constant(step._scale(), F64, hint="scale")])
    return z


def zca(graph, step, x):
    """(x - μ) W."""
    return graph.node("MatMul", [center(graph, step, x), graph.constant(step.whitening_, F64)])


def mean_image(graph, step, x):
    """x - the mean image, flattened as the model's input is."""
    return _minus(graph, x, step.mean_image_.reshape(-1))


def per_channel_mean(graph, step, x):
    """x - m_c: the channel means tiled over the pixels of a flattened (H, W, C) image."""
    pixels = int(np.prod(step.fitted_image_shape_[:-1]))
    return _minus(graph, x, np.tile(step.channel_mean_, pixels))


def _atan2(graph, y, x):
    """θ = atan2(y, x) ∈ (-π, π] from Atan (ONNX has no atan2): atan(y/x), shifted by ±π for
    x < 0, ±π/2 (or 0) on the vertical axis. Atan runs in float32 (onnxruntime has no float64
    kernel), within 1e-7 relative of NumPy's."""
    zero = graph.constant(np.zeros(1), F64)
    safe_x = graph.node(
        "Where", [graph.node("Equal", [x, zero]), graph.constant(np.ones(1), F64), x]
    )
    ratio = graph.cast(graph.node("Div", [y, safe_x]), np.float32)
    angle = graph.cast(graph.node("Atan", [ratio]), F64)
    pi = graph.constant(np.array([np.pi]), F64)
    y_up = graph.node("GreaterOrEqual", [y, zero])
    left = graph.node(
        "Where", [y_up, graph.node("Add", [angle, pi]), graph.node("Sub", [angle, pi])]
    )
    axis = graph.node("Mul", [graph.node("Sign", [y]), graph.constant(np.array([np.pi / 2]), F64)])
    off_right = graph.node("Where", [graph.node("Less", [x, zero]), left, axis])
    return graph.node("Where", [graph.node("Greater", [x, zero]), angle, off_right])


def polar(graph, step, x):
    """(x, y) ↦ (r, θ) in the step's two columns (the others pass through): r = √(x² + y²)."""
    width = int(step.n_features_in_)
    first, second = step._columns()
    column = graph.constant(np.array([first], np.int64))
    a = graph.node("Gather", [x, column], axis=1)
    b = graph.node("Gather", [x, graph.constant(np.array([second], np.int64))], axis=1)
    radius = graph.node(
        "Sqrt", [graph.node("Add", [graph.node("Mul", [a, a]), graph.node("Mul", [b, b])])]
    )
    angle = _atan2(graph, b, a)
    keep, at_first, at_second = np.ones(width), np.zeros(width), np.zeros(width)
    keep[[first, second]] = 0
    at_first[first], at_second[second] = 1, 1
    out = graph.node("Mul", [x, graph.constant(keep, F64)])
    out = graph.node("Add", [out, graph.node("Mul", [radius, graph.constant(at_first, F64)])])
    return graph.node("Add", [out, graph.node("Mul", [angle, graph.constant(at_second, F64)])])


CONVERTERS = {
    ZeroCenter: center,
    Standardize: standardize,
    PCA: pca,
    ZCAWhitening: zca,
    MeanImage: mean_image,
    PerChannelMean: per_channel_mean,
    PolarTransform: polar,
}


def preprocessing_to_onnx(graph, preprocessing, x: str, dtype) -> str:
    """Every fitted step in order, each in float64 with its output cast to ``dtype``."""
    for i, step in enumerate(getattr(preprocessing, "steps", ())):
        convert = CONVERTERS.get(type(step))
        if convert is None:
            raise ExportError(
                f"cannot export preprocessing step {i} ({type(step).__name__}) to ONNX"
            )
        x = graph.cast(convert(graph, step, graph.cast(x, F64)), dtype)
    return x
