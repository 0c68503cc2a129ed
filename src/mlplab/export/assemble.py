"""A model or an ensemble as one ONNX graph: input → preprocessing → network → outputs.

The graph's input is ``input``, (N, D) raw features in the export dtype; its outputs are those
of ``mlplab.export.heads``. An ensemble's members each run their own preprocessing and network
on the shared input, and their probabilities are averaged with the ensemble's weights,
p = Σₘ wₘ pₘ, in float64 as ``Ensemble.predict_proba`` does. Opset ``OPSET``, IR version 8, so
that onnxruntime 1.14 and later load it.
"""

from pathlib import Path

import numpy as np

from mlplab.export.graph import ExportError, GraphBuilder
from mlplab.export.heads import add_heads, class_labels
from mlplab.export.layers import network_to_onnx
from mlplab.export.preprocessing import preprocessing_to_onnx
from mlplab.files.atomic import atomic_write
from mlplab.version import __version__

#: the ONNX operator set the graphs use (ReduceMax's axes are an attribute up to 17).
OPSET = 17
IR_VERSION = 8
INPUT = "input"


def _as_model(model):
    from mlplab.model import Model

    return model if hasattr(model, "network") else Model(model)


def _output_width(model) -> int:
    width = model.preprocessing.output_features(model.n_features_in)
    for layer in model.network.layers:
        width = layer.output_features(width)
    return int(width)


def _member_scores(graph, model, x):
    x = preprocessing_to_onnx(graph, model.preprocessing, x, graph.dtype)
    return network_to_onnx(graph, model.network, x)


def _model_graph(model, dtype):
    model = _as_model(model)
    graph = GraphBuilder(dtype or model.network.dtype)
    scores = _member_scores(graph, model, INPUT)
    outputs = add_heads(graph, model.network.loss, scores, model.classes, _output_width(model))
    return graph, int(model.n_features_in), outputs


def _ensemble_graph(ensemble, dtype):
    members = [_as_model(m) for m in ensemble.members]
    if dtype is None:
        same = {m.network.dtype for m in members} == {np.dtype(np.float32)}
        dtype = np.float32 if same else np.float64
    graph = GraphBuilder(dtype)
    total = None
    for weight, member in zip(ensemble.weights, members, strict=True):
        p = graph.node("Softmax", [_member_scores(graph, member, INPUT)], axis=1)
        p = graph.node("Mul", [graph.cast(p, np.float64), graph.constant([weight], np.float64)])
        total = p if total is None else graph.node("Add", [total, p])
    graph.cast(total, graph.dtype, outputs=["probabilities"])
    indices = graph.node("ArgMax", [total], axis=1, keepdims=0)
    class_labels(graph, indices, ensemble.classes, "label")
    classes = ensemble.classes
    label_dtype = np.int64 if classes is None or classes.dtype.kind in "iub" else str
    outputs = [
        ("probabilities", graph.dtype, ["N", len(classes) if classes is not None else None]),
        ("label", label_dtype, ["N"]),
    ]
    return graph, int(ensemble.n_features_in), outputs


def to_onnx(model, dtype=None):
    """An ``onnx.ModelProto`` computing ``model``'s predictions (a ``Model``, an ``Ensemble``
    or a bare network). ``dtype``: float32 or float64; default the network's own (float32 for
    an ensemble of float32 members)."""
    if dtype is not None and np.dtype(dtype) not in (np.float32, np.float64):
        raise ExportError(f"ONNX export: dtype must be float32 or float64, got {dtype}")
    build = _ensemble_graph if hasattr(model, "members") else _model_graph
    graph, n_features, outputs = build(model, dtype)
    onnx, helper = graph.onnx, graph.onnx.helper
    inputs = [
        helper.make_tensor_value_info(INPUT, graph.tensor_type(graph.dtype), ["N", n_features])
    ]
    values = [helper.make_tensor_value_info(n, graph.tensor_type(t), s) for n, t, s in outputs]
    body = helper.make_graph(graph.nodes, "mlplab", inputs, values, graph.initializers)
    proto = helper.make_model(
        body,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="mlplab",
        producer_version=__version__,
        ir_version=IR_VERSION,
    )
    onnx.checker.check_model(proto)
    return proto


def save_onnx(model, path, dtype=None) -> Path:
    """Write ``to_onnx(model, dtype)`` to ``path`` atomically; return the path."""
    return atomic_write(path, to_onnx(model, dtype).SerializeToString())
