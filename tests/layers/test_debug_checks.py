"""Layers check their input when called alone; inside a network only in debug mode."""

import numpy as np
import pytest

from mlplab import backend
from mlplab.errors import DTypeError
from mlplab.network import build_mlp


def test_network_layers_trust_their_batches_unless_debugging(monkeypatch):
    net = build_mlp({"input_size": 3, "output_size": 2, "hidden": [4]}, seed=0)
    wrong_dtype = np.zeros((2, 3), np.float64)
    net.forward(wrong_dtype)  # the hot loop: no per-batch check
    monkeypatch.setattr(backend, "debug", False)
    backend.set_debug(True)
    with pytest.raises(DTypeError, match=r"layer 0 \(Linear\): expected input dtype float32"):
        net.forward(wrong_dtype)
    backend.set_debug(False)
    net.forward(wrong_dtype)
