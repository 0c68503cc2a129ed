"""A skl2onnx converter for ``mlplab.sklearn.MLPClassifier``, so that a scikit-learn pipeline
ending in one converts with ``skl2onnx.to_onnx``.

    from mlplab.export.sklearn_converter import register_skl2onnx
    register_skl2onnx()
    onnx_model = skl2onnx.to_onnx(pipeline, X[:1].astype(np.float32))

The classifier's outputs are skl2onnx's: ``label`` (classes_[argmax]) and ``probabilities``
(softmax of the scores), a ZipMap of them unless the option ``zipmap=False`` is given;
``nocl=True`` gives class indices instead of labels.
"""

import numpy as np

from mlplab.export.graph import ExportError, GraphBuilder
from mlplab.export.heads import class_labels
from mlplab.export.layers import network_to_onnx


class _ContainerGraph(GraphBuilder):
    """A ``GraphBuilder`` writing into skl2onnx's scope and container."""

    def __init__(self, scope, container, dtype):
        super().__init__(dtype, opset=container.target_opset or 17)
        self.scope, self.container = scope, container

    def name(self, hint: str) -> str:
        return self.scope.get_unique_variable_name(hint)

    def _add_node(self, op_type, inputs, outputs, attributes):
        name = self.scope.get_unique_operator_name(op_type)
        self.container.add_node(op_type, inputs, outputs, name=name, **attributes)

    def _add_initializer(self, name, array):
        content = array.ravel().tolist()
        if array.dtype.kind in "OUS":
            content = [str(v).encode() for v in content]
        self.container.add_initializer(name, self.tensor_type(array.dtype), array.shape, content)


def convert_mlp_classifier(scope, operator, container):
    """The fitted network's evaluation-mode scores, then softmax and the class labels."""
    from skl2onnx.common.data_types import guess_numpy_type

    classifier = operator.raw_operator
    if not classifier._has_probabilities():
        raise ExportError(f"cannot export an MLPClassifier with loss {classifier.loss!r} to ONNX")
    input_dtype = guess_numpy_type(operator.inputs[0].type)
    graph = _ContainerGraph(scope, container, classifier.net_.dtype)
    x = operator.inputs[0].full_name
    if np.dtype(input_dtype) != graph.dtype:
        x = graph.cast(x, graph.dtype)
    scores = network_to_onnx(graph, classifier.net_, x)
    probabilities = graph.node("Softmax", [scores], axis=1)
    graph.cast(probabilities, input_dtype, outputs=[operator.outputs[1].full_name])
    indices = graph.node("ArgMax", [scores], axis=1, keepdims=0)
    nocl = container.get_options(classifier, dict(nocl=False))["nocl"]
    classes = None if nocl else classifier.classes_
    class_labels(graph, indices, classes, operator.outputs[0].full_name)


def register_skl2onnx():
    """Make ``skl2onnx`` convert ``MLPClassifier`` (call once, before ``skl2onnx.to_onnx``)."""
    try:
        from skl2onnx import update_registered_converter
        from skl2onnx.common.shape_calculator import calculate_linear_classifier_output_shapes
    except ImportError:
        raise ExportError("the skl2onnx converter needs skl2onnx: pip install skl2onnx") from None
    from mlplab.sklearn import MLPClassifier

    update_registered_converter(
        MLPClassifier,
        "MlplabMLPClassifier",
        calculate_linear_classifier_output_shapes,
        convert_mlp_classifier,
        options={"zipmap": [True, False, "columns"], "nocl": [False, True]},
    )
