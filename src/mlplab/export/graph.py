"""A small ONNX graph builder: nodes and constants with unique names, in one float dtype.

Layer and preprocessing converters (and a user's ``to_onnx(graph, x)``) talk only to this
object: ``graph.node(op_type, inputs, **attributes) -> output name``,
``graph.constant(array) -> name``, ``graph.dtype`` (the float dtype of the network part).
"""

import numpy as np

from mlplab.errors import MlplabError


class ExportError(MlplabError, ValueError):
    """A model (or a layer or step in it) that cannot be exported, or a missing ``onnx``."""


def import_onnx():
    """The ``onnx`` module, or an ``ExportError`` telling how to install it."""
    try:
        import onnx
    except ImportError:
        raise ExportError(
            "ONNX export needs the onnx package: pip install 'mlplab[onnx]'"
        ) from None
    return onnx


class GraphBuilder:
    """Collects ONNX nodes and initializers; every name it hands out is unique.

    ``dtype`` (float32 or float64) is the dtype of the network's computation: floating-point
    constants are stored in it unless a ``dtype`` is given to ``constant``.
    """

    def __init__(self, dtype=np.float32, opset: int = 17):
        self.onnx = import_onnx()
        self.dtype = np.dtype(dtype)
        #: the operator set the nodes must follow (a converter may depend on it).
        self.opset = int(opset)
        self.nodes = []
        self.initializers = []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def constant(self, array, dtype=None, hint: str = "const") -> str:
        """An initializer holding ``array`` (floats in ``dtype``, default ``self.dtype``)."""
        array = np.asarray(array)
        if array.dtype.kind == "f":
            array = array.astype(dtype or self.dtype)
        name = self.name(hint)
        self._add_initializer(name, np.ascontiguousarray(array))
        return name

    def node(self, op_type: str, inputs, outputs=None, **attributes) -> str:
        """Add ``op_type(inputs)``; return its (first) output name."""
        outputs = list(outputs) if outputs else [self.name(op_type.lower())]
        self._add_node(op_type, [str(i) for i in inputs], outputs, attributes)
        return outputs[0]

    def cast(self, x: str, dtype, outputs=None) -> str:
        to = self.onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
        return self.node("Cast", [x], outputs, to=to)

    def tensor_type(self, dtype) -> int:
        """The ONNX element type of a NumPy dtype (strings are ONNX strings)."""
        if np.dtype(dtype).kind in "OUS":
            return self.onnx.TensorProto.STRING
        return self.onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dtype))

    # -- where nodes go (a subclass adds them to another container, as skl2onnx's) ------------
    def _add_node(self, op_type, inputs, outputs, attributes):
        node = self.onnx.helper.make_node(
            op_type, inputs, outputs, name=self.name(op_type), **attributes
        )
        self.nodes.append(node)

    def _add_initializer(self, name, array):
        if array.dtype.kind in "US":
            array = array.astype(object)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
