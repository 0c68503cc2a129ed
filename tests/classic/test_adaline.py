import numpy as np
import pytest

from mlplab.classic.adaline import Adaline
from mlplab.errors import ConfigError, DivergenceError, NonFiniteError, ShapeError


def regression_problem(rng, n=200, dim=4, noise=0.3):
    x = rng.standard_normal((n, dim)) + np.array([1.0, -2.0, 0.5, 0.0])[:dim]
    t = x @ rng.standard_normal(dim) + 1.5 + noise * rng.standard_normal(n)
    return x, t


def least_squares(x, t):
    augmented = np.hstack([x, np.ones((len(x), 1))])
    solution = np.linalg.lstsq(augmented, t, rcond=None)[0]
    return solution[:-1], solution[-1]


def test_one_online_update_matches_hand_computed_step():
    a = Adaline(lr=0.1)
    a.W = np.array([[0.5], [-1.0]])
    a.b = np.array([0.2])
    # o = 0.5·1 − 1·2 + 0.2 = −1.3, δ = 1 − (−1.3) = 2.3, Δw = 0.1·2.3·x = (0.23, 0.46).
    delta = a.update(np.array([1.0, 2.0]), np.array([1.0]))
    np.testing.assert_allclose(delta, [2.3])
    np.testing.assert_allclose(a.W[:, 0], [0.73, -0.54])
    np.testing.assert_allclose(a.b, [0.43])


def test_batch_mode_reaches_least_squares_solution(rng):
    x, t = regression_problem(rng)
    a = Adaline(lr=0.1, epochs=3000, mode="batch").fit(x, t)
    w, b = least_squares(x, t)
    np.testing.assert_allclose(a.W[:, 0], w, atol=1e-8)
    np.testing.assert_allclose(a.b[0], b, atol=1e-8)
    assert all(np.diff(a.errors_) <= 1e-12)  # E never rises with a small enough step


def test_online_mode_reaches_exact_solution_when_targets_are_linear(rng):
    x, t = regression_problem(rng, noise=0.0)
    a = Adaline(lr=0.02, epochs=200, mode="online").fit(x, t)
    w, b = least_squares(x, t)
    np.testing.assert_allclose(a.W[:, 0], w, atol=1e-8)
    np.testing.assert_allclose(a.b[0], b, atol=1e-8)


def test_online_mode_hovers_near_least_squares_with_noise(rng):
    x, t = regression_problem(rng)
    a = Adaline(lr=0.002, epochs=300, mode="online").fit(x, t)
    w, b = least_squares(x, t)
    np.testing.assert_allclose(a.W[:, 0], w, atol=0.02)
    e_star = 0.5 * np.sum((t - x @ w - b) ** 2)
    assert e_star <= a.errors_[-1] <= 1.01 * e_star


def test_delta_rule_is_minus_the_gradient_of_squared_error(rng):
    x, t = regression_problem(rng, n=30)
    t = np.stack([t, -t + 0.5], axis=1)  # two output units
    a = Adaline()
    a.W = rng.standard_normal((4, 2))
    a.b = rng.standard_normal(2)
    dW, db = a.delta_rule(x, t)
    h = 1e-6
    for params, direction in ((a.W, dW), (a.b, db)):
        numeric = np.zeros_like(params)
        for index in np.ndindex(params.shape):
            saved = params[index]
            params[index] = saved + h
            plus = a.error(x, t)
            params[index] = saved - h
            minus = a.error(x, t)
            params[index] = saved
            numeric[index] = (plus - minus) / (2 * h)
        np.testing.assert_allclose(direction, -numeric, rtol=1e-6, atol=1e-6)


def test_batch_step_equals_gradient_descent_step(rng):
    x, t = regression_problem(rng, n=40)
    a = Adaline(lr=0.05, epochs=1, mode="batch").fit(x, t)
    # From zero weights, one batch step is −(α/N) ∂E/∂w at w = 0, i.e. (α/N) Xᵀ t.
    np.testing.assert_allclose(a.W[:, 0], 0.05 / 40 * x.T @ t)
    np.testing.assert_allclose(a.b[0], 0.05 / 40 * t.sum())


def test_too_high_learning_rate_raises_divergence(rng):
    x, t = regression_problem(rng)
    with pytest.raises(DivergenceError, match="learning rate 5 is too high"):
        Adaline(lr=5.0, epochs=500, mode="batch").fit(x, t)


def test_bad_input(rng):
    with pytest.raises(ConfigError, match="mode"):
        Adaline(mode="stochastic")
    with pytest.raises(ShapeError, match="targets of shape"):
        Adaline().fit(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(NonFiniteError, match="adaline targets"):
        Adaline().fit(np.zeros((2, 2)), [0.0, np.inf])


def test_predict_before_fit_is_a_clear_error():
    from mlplab.errors import MlplabError

    with pytest.raises(MlplabError, match="adaline: not fitted yet"):
        Adaline().predict(np.zeros((1, 2)))
