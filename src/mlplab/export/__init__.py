"""Export trained models to other runtimes: ONNX (``to_onnx``, ``save_onnx``).

The ``onnx`` extra (``pip install 'mlplab[onnx]'``) is optional: importing this package needs
nothing beyond mlplab; building a graph imports ``onnx`` and says how to install it when missing.
See ``docs/export.md``.
"""

from mlplab.export.assemble import OPSET, save_onnx, to_onnx
from mlplab.export.graph import ExportError, GraphBuilder

__all__ = ["OPSET", "ExportError", "GraphBuilder", "save_onnx", "to_onnx"]
