"""The graph's outputs, from the network's scores and its loss, as ``Model`` predicts them.

- softmax: ``probabilities`` = softmax(s) (N, C) and ``label`` = classes[argmax s] (N,);
- multiclass hinge: ``scores`` (N, C) and ``label``;
- binary cross-entropy: ``probabilities`` = σ(s) (N, K) and ``label`` = [s > 0] as int64,
  (N,) for K = 1, (N, K) for multi-label;
- mean squared error: ``predictions`` (N,) for one output, else (N, K).

Labels are the original values: an int64 or a string tensor, as ``Model.classes``.
"""

import numpy as np

from mlplab.export.graph import ExportError


def class_labels(graph, indices: str, classes, output: str) -> str:
    """``classes[indices]``: Gather on a constant of the original label values."""
    if classes is None:
        return graph.node("Identity", [indices], outputs=[output])
    classes = np.asarray(classes)
    if classes.dtype.kind in "iub":
        values = classes.astype(np.int64)
    else:
        values = classes.astype(str).astype(object)
    return graph.node("Gather", [graph.constant(values, hint="classes"), indices], [output], axis=0)


def _squeezed(graph, x: str, outputs: int) -> str:
    if outputs != 1:
        return x
    return graph.node("Squeeze", [x, graph.constant(np.array([1], np.int64))])


def add_heads(graph, loss, scores: str, classes, outputs: int) -> list[tuple[str, object, list]]:
    """Add the output nodes; return (name, element dtype, shape) for each graph output."""
    name = type(loss).__name__
    batch = "N"
    label_dtype = np.int64 if classes is None or np.asarray(classes).dtype.kind in "iub" else str
    if name in ("SoftmaxCrossEntropy", "MulticlassHinge"):
        first = "probabilities" if name == "SoftmaxCrossEntropy" else "scores"
        op = ["Softmax", [scores]] if first == "probabilities" else ["Identity", [scores]]
        attributes = {"axis": 1} if first == "probabilities" else {}
        graph.node(*op, outputs=[first], **attributes)
        indices = graph.node("ArgMax", [scores], axis=1, keepdims=0)
        class_labels(graph, indices, classes, "label")
        return [(first, graph.dtype, [batch, outputs]), ("label", label_dtype, [batch])]
    if name == "BinaryCrossEntropyWithLogits":
        graph.node("Sigmoid", [scores], outputs=["probabilities"])
        zero = graph.constant(np.zeros(1))
        positive = graph.cast(graph.node("Greater", [scores, zero]), np.int64)
        shape = [batch] if outputs == 1 else [batch, outputs]
        graph.node("Identity", [_squeezed(graph, positive, outputs)], outputs=["label"])
        return [("probabilities", graph.dtype, [batch, outputs]), ("label", np.int64, shape)]
    if name == "MeanSquaredError":
        graph.node("Identity", [_squeezed(graph, scores, outputs)], outputs=["predictions"])
        shape = [batch] if outputs == 1 else [batch, outputs]
        return [("predictions", graph.dtype, shape)]
    raise ExportError(f"cannot export a model trained with the loss {name} to ONNX")
