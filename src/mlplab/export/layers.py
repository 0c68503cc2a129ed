"""Each built-in layer as ONNX nodes, in evaluation mode; a user's layer brings its own mapping.

A layer class may define ``to_onnx(self, graph, x) -> str``: add the nodes computing the layer's
evaluation-mode output from the tensor named ``x`` to ``graph`` (a ``GraphBuilder``) and return
the output's name. That method wins over the table below; a layer with neither is an
``ExportError`` naming it. Shapes: x (N, D) -> (N, H) throughout, as in the layers.
"""

import numpy as np

from mlplab.export.graph import ExportError
from mlplab.layers import (
    ELU,
    BatchNorm,
    Dropout,
    HingedRectifier,
    LeakyReLU,
    Linear,
    Maxout,
    PReLU,
    ReLU,
    Sigmoid,
    Tanh,
)


def linear(graph, layer, x):
    """y = x W + b: MatMul, Add."""
    y = graph.node("MatMul", [x, graph.constant(layer.params["W"], hint="W")])
    if layer.bias:
        y = graph.node("Add", [y, graph.constant(layer.params["b"], hint="b")])
    return y


def batch_norm(graph, layer, x):
    """Evaluation mode is a fixed affine map: y = x s + (β - μ s), s = γ / √(σ² + ε); the scale
    and shift are computed exactly as the layer computes them."""
    gamma, beta = layer.params["gamma"], layer.params["beta"]
    inv_std = 1 / (layer.buffers["running_var"] + layer.eps) ** 0.5
    scale = gamma * inv_std
    shift = beta - layer.buffers["running_mean"] * scale
    y = graph.node("Mul", [x, graph.constant(scale, hint="bn_scale")])
    return graph.node("Add", [y, graph.constant(shift, hint="bn_shift")])


def maxout(graph, layer, x):
    """z = x W + b reshaped to (N, H, k), then the max over the k pieces (ReduceMax)."""
    units, pieces = layer.out_features, layer.pieces
    weight = layer.params["W"].reshape(layer.in_features, units * pieces)
    z = graph.node("MatMul", [x, graph.constant(weight, hint="W")])
    if layer.bias:
        z = graph.node("Add", [z, graph.constant(layer.params["b"].reshape(-1), hint="b")])
    shape = graph.constant(np.array([-1, units, pieces], np.int64), hint="shape")
    z = graph.node("Reshape", [z, shape])
    if graph.opset >= 18:  # the axes became an input
        return graph.node("ReduceMax", [z, graph.constant(np.array([2], np.int64))], keepdims=0)
    return graph.node("ReduceMax", [z], axes=[2], keepdims=0)


def hinged_rectifier(graph, layer, x):
    """f(x) = x where x > h, else h + a (x - h): Greater, Where."""
    hinge = graph.constant(layer.params["hinge"], hint="hinge")
    slope = graph.constant(layer.params["slope"], hint="slope")
    left = graph.node("Add", [hinge, graph.node("Mul", [slope, graph.node("Sub", [x, hinge])])])
    return graph.node("Where", [graph.node("Greater", [x, hinge]), x, left])


def prelu(graph, layer, x):
    return graph.node("PRelu", [x, graph.constant(layer.params["alpha"], hint="alpha")])


#: the built-in layers' converters, by exact class (a subclass may change the function).
CONVERTERS = {
    Linear: linear,
    BatchNorm: batch_norm,
    Maxout: maxout,
    HingedRectifier: hinged_rectifier,
    PReLU: prelu,
    ReLU: lambda graph, layer, x: graph.node("Relu", [x]),
    LeakyReLU: lambda graph, layer, x: graph.node(
        "LeakyRelu", [x], alpha=float(layer.negative_slope)
    ),
    ELU: lambda graph, layer, x: graph.node("Elu", [x], alpha=float(layer.alpha)),
    Tanh: lambda graph, layer, x: graph.node("Tanh", [x]),
    Sigmoid: lambda graph, layer, x: graph.node("Sigmoid", [x]),
    Dropout: lambda graph, layer, x: x,  # the identity in evaluation mode
}


def layer_to_onnx(graph, layer, x: str) -> str:
    """Add ``layer``'s evaluation-mode nodes to ``graph``; return the output's name."""
    own = getattr(layer, "to_onnx", None)
    if callable(own):
        return own(graph, x)
    convert = CONVERTERS.get(type(layer))
    if convert is None:
        raise ExportError(
            f"cannot export {layer.name} to ONNX: {type(layer).__name__} has no ONNX mapping "
            "(give the class a to_onnx(graph, x) method; see docs/custom-activations.md)"
        )
    return convert(graph, layer, x)


def network_to_onnx(graph, network, x: str) -> str:
    """The network's evaluation-mode scores (N, outputs) from the input named ``x``."""
    for layer in network.layers:
        x = layer_to_onnx(graph, layer, x)
    return x
