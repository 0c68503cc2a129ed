import numpy as np
import pytest

from mlplab.diagnostics.gradcheck import gradcheck_layer, relative_error
from mlplab.diagnostics.gradcheck_suite import run_suite
from mlplab.errors import DTypeError
from mlplab.layers import Linear


@pytest.mark.parametrize("seed", range(5))
def test_builtin_suite_passes(seed):
    failures = [r for r in run_suite(seed) if not r.passed]
    assert not failures, failures


def test_relative_error_formula():
    err = relative_error([1.0, 0.0, 2.0], [1.1, 0.0, -2.0])
    np.testing.assert_allclose(err, [0.1 / 1.1, 0.0, 2.0])


class _WrongBackward(Linear):
    def backward(self, dy):
        dx = super().backward(dy)
        self.grads["W"] *= 1.01
        return dx


def test_a_wrong_gradient_is_caught(rng):
    layer = _WrongBackward(4, 3, dtype=np.float64, rng=rng)
    results = {r.parameter: r for r in gradcheck_layer(layer, rng.standard_normal((5, 4)))}
    assert results["input"].passed and results["b"].passed
    assert not results["W"].passed
    assert results["W"].max_relative_error > 1e-3


def test_float32_is_refused(rng):
    with pytest.raises(DTypeError, match="float64"):
        gradcheck_layer(Linear(2, 2, rng=rng), rng.standard_normal((3, 2)).astype(np.float32))
