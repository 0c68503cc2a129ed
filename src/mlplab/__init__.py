"""mlplab: build, train and diagnose fully-connected neural networks.

The names below load on first use (PEP 562), so ``import mlplab`` stays cheap: a script that
only trains a network never imports scikit-learn, pandas or SciPy.
"""

import importlib

from mlplab.version import __version__ as __version__

_HOMES = {
    "mlplab.api": ("Model", "Run", "RunConfig", "evaluate", "load", "resume", "train"),
    "mlplab.classic.adaline": ("Adaline",),
    "mlplab.classic.perceptron": ("Perceptron",),
    "mlplab.errors": ("MlplabError",),
    "mlplab.kernels": ("set_threads",),
    "mlplab.layers": (
        "ELU",
        "BatchNorm",
        "Dropout",
        "ElementwiseActivation",
        "HingedRectifier",
        "LeakyReLU",
        "Linear",
        "Maxout",
        "PReLU",
        "ReLU",
        "Sigmoid",
        "Tanh",
        "register_activation",
    ),
    "mlplab.network": ("MLPConfig", "Sequential", "build_mlp"),
    "mlplab.network_init": ("data_init",),
    "mlplab.training": ("Checkpoint", "EarlyStopping", "History", "Trainer", "load_checkpoint"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = sorted(_HOME_OF)


def __getattr__(name):
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'mlplab' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted([*globals(), *__all__])
