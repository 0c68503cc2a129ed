"""mlplab: build, train and diagnose fully-connected neural networks."""

__version__ = "0.1.0"

from mlplab.api import Model, Run, RunConfig, evaluate, load, resume, train  # noqa: E402
from mlplab.classic.adaline import Adaline  # noqa: E402
from mlplab.classic.perceptron import Perceptron  # noqa: E402
from mlplab.errors import MlplabError  # noqa: E402
from mlplab.init import data_init  # noqa: E402
from mlplab.layers import (  # noqa: E402
    ELU,
    BatchNorm,
    Dropout,
    ElementwiseActivation,
    HingedRectifier,
    LeakyReLU,
    Linear,
    Maxout,
    PReLU,
    ReLU,
    Sigmoid,
    Tanh,
    register_activation,
)
from mlplab.network import MLPConfig, Sequential, build_mlp  # noqa: E402
from mlplab.training import (  # noqa: E402
    Checkpoint,
    EarlyStopping,
    History,
    Trainer,
    load_checkpoint,
)

__all__ = [
    "ELU",
    "Adaline",
    "BatchNorm",
    "Checkpoint",
    "Dropout",
    "EarlyStopping",
    "ElementwiseActivation",
    "HingedRectifier",
    "History",
    "LeakyReLU",
    "Linear",
    "MLPConfig",
    "Maxout",
    "MlplabError",
    "Model",
    "PReLU",
    "Perceptron",
    "ReLU",
    "Run",
    "RunConfig",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "Trainer",
    "build_mlp",
    "data_init",
    "evaluate",
    "load",
    "load_checkpoint",
    "register_activation",
    "resume",
    "train",
]
