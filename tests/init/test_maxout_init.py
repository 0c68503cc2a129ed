"""The maxout initializer: m(k) against closed forms and sampling, and flat statistics in depth."""

import math

import numpy as np
import pytest

from mlplab.init import initialize
from mlplab.init.maxout import max_second_moment
from mlplab.layers import Maxout
from mlplab.network import MLPConfig, build_mlp, default_init


@pytest.mark.parametrize(
    "pieces, closed_form",
    [(1, 1.0), (2, 1.0), (3, 1 + math.sqrt(3) / (2 * math.pi)), (4, 1 + math.sqrt(3) / math.pi)],
)
def test_second_moment_of_the_max_matches_closed_forms(pieces, closed_form):
    assert max_second_moment(pieces) == pytest.approx(closed_form, abs=1e-9)


@pytest.mark.parametrize("pieces", [5, 8])
def test_second_moment_of_the_max_matches_sampling(pieces):
    draws = np.random.default_rng(0).standard_normal((400_000, pieces)).max(axis=1)
    assert max_second_moment(pieces) == pytest.approx(float((draws**2).mean()), rel=5e-3)


def test_weights_have_the_variance_that_keeps_the_second_moment():
    W = initialize("maxout", (400, 300, 3), dtype=np.float64, rng=np.random.default_rng(1))
    assert W.var() == pytest.approx(1 / (400 * max_second_moment(3)), rel=0.01)
    W2 = initialize("maxout", (400, 10), dtype=np.float64, rng=np.random.default_rng(1))
    assert W2.var() == pytest.approx(1 / 400, rel=0.03)


def test_maxout_defaults_to_it():
    assert default_init("maxout") == "maxout"
    assert Maxout(4, 3).init == "maxout"
    assert Maxout(4, 3, init="he").init == "he"  # an explicit choice is kept


@pytest.mark.parametrize("pieces", [2, 3, 4, 5])
def test_ten_maxout_layers_keep_their_root_mean_square(pieces):
    """He makes the rms grow by √(2 m(k)) a layer; the default keeps it near 1 (the input's)."""
    rms = {}
    for init in ("auto", "he"):
        config = MLPConfig(
            input_size=500,
            hidden=[500] * 10,
            output_size=10,
            activation="maxout",
            maxout_pieces=pieces,
            init=init,
        )
        x = np.random.default_rng(1).standard_normal((1000, 500)).astype(np.float32)
        for layer in build_mlp(config).layers[:-1]:
            x = layer.forward(x)
        rms[init] = float(np.sqrt((x**2).mean()))
    assert 0.8 < rms["auto"] < 1.1
    assert rms["he"] > 25
