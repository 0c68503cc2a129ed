"""mlplab: build, train and diagnose fully-connected neural networks."""

__version__ = "0.1.0"

from mlplab.errors import MlplabError  # noqa: E402
from mlplab.network import MLPConfig, Sequential, build_mlp  # noqa: E402

__all__ = ["MLPConfig", "MlplabError", "Sequential", "build_mlp"]
