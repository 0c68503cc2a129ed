"""mlplab: build, train and diagnose fully-connected neural networks."""

from mlplab.api import Model, Run, RunConfig, evaluate, load, resume, train
from mlplab.classic.adaline import Adaline
from mlplab.classic.perceptron import Perceptron
from mlplab.errors import MlplabError
from mlplab.kernels import set_threads
from mlplab.layers import (
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
from mlplab.network import MLPConfig, Sequential, build_mlp
from mlplab.network_init import data_init
from mlplab.training import (
    Checkpoint,
    EarlyStopping,
    History,
    Trainer,
    load_checkpoint,
)
from mlplab.version import __version__ as __version__

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
    "set_threads",
    "train",
]
