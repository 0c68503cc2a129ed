import numpy as np
import pytest

from mlplab.classic.perceptron import Perceptron
from mlplab.errors import LabelError, NonFiniteError, ShapeError


def separable_data(rng, n=200, dim=5, margin=0.3):
    """Points on both sides of a random hyperplane, none closer to it than ``margin``."""
    w_star = rng.standard_normal(dim)
    b_star = 0.5
    norm = np.linalg.norm(np.append(w_star, b_star))
    x = rng.uniform(-2, 2, size=(5 * n, dim))
    distance = (x @ w_star + b_star) / norm
    keep = np.abs(distance) > margin
    x, distance = x[keep][:n], distance[keep][:n]
    return x, (distance > 0).astype(int), w_star / norm, b_star / norm


def test_one_update_matches_hand_computed_step():
    p = Perceptron(lr=0.1)
    p.W = np.array([[0.5], [-1.0]])
    p.b = np.array([0.2])
    # w · x + b = 0.5·1 − 1·2 + 0.2 = −1.3 ≤ 0 → y = 0, but d = 1: w += 0.1·(1 − 0)·x.
    changed = p.update(np.array([1.0, 2.0]), np.array([1.0]))
    assert changed
    np.testing.assert_allclose(p.W[:, 0], [0.6, -0.8])
    np.testing.assert_allclose(p.b, [0.3])
    # Now w · x + b = 0.6 − 1.6 + 0.3 = −0.7: still wrong, another step of the same size.
    p.update(np.array([1.0, 2.0]), np.array([1.0]))
    np.testing.assert_allclose(p.W[:, 0], [0.7, -0.6])
    np.testing.assert_allclose(p.b, [0.4])
    # A correct answer leaves the weights alone: −0.7 − 0.6 + 0.4 = −0.9 → y = 0 = d.
    before = p.W.copy()
    assert not p.update(np.array([-1.0, 1.0]), np.array([0.0]))
    np.testing.assert_array_equal(p.W, before)


@pytest.mark.parametrize("lr", [1.0, 0.01])
def test_converges_within_novikoff_bound(rng, lr):
    x, y, w_star, b_star = separable_data(rng)
    augmented = np.hstack([x, np.ones((len(x), 1))])
    radius = np.linalg.norm(augmented, axis=1).max()
    gamma = np.min(np.where(y == 1, 1, -1) * (augmented @ np.append(w_star, b_star)))
    bound = (radius / gamma) ** 2
    p = Perceptron(lr=lr, epochs=int(bound) + 1, seed=0).fit(x, y)
    assert p.converged_
    assert sum(p.mistakes_) <= bound
    assert len(p.mistakes_) <= int(bound) + 1
    assert p.mistakes_[-1] == 0
    assert p.score(x, y) == 1.0


def test_never_stops_making_mistakes_on_xor():
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0])
    p = Perceptron(epochs=500).fit(x, y)
    assert not p.converged_
    assert len(p.mistakes_) == 500
    assert min(p.mistakes_) >= 1
    assert p.score(x, y) <= 0.75  # no line gets more than 3 of the 4 XOR points right


def test_one_vs_rest_multiclass_on_separable_blobs(rng):
    centers = np.array([[0.0, 6.0], [6.0, -3.0], [-6.0, -3.0]])
    labels = np.repeat(["a", "b", "c"], 30)
    x = np.repeat(centers, 30, axis=0) + rng.standard_normal((90, 2))
    p = Perceptron(epochs=200).fit(x, labels)
    assert p.W.shape == (2, 3)
    assert p.converged_
    assert p.score(x, labels) == 1.0
    assert list(p.classes_) == ["a", "b", "c"]


def test_string_labels_binary(rng):
    x, y, _, _ = separable_data(rng, n=50)
    names = np.array(["blue", "red"])[y]
    p = Perceptron().fit(x, names)
    assert set(p.predict(x)) <= {"blue", "red"}
    assert p.score(x, names) == 1.0


def test_bad_input():
    with pytest.raises(LabelError, match="at least 2 classes"):
        Perceptron().fit(np.zeros((3, 2)), [1, 1, 1])
    with pytest.raises(ShapeError, match="labels of shape"):
        Perceptron().fit(np.zeros((3, 2)), [0, 1])
    with pytest.raises(NonFiniteError, match="row 1, column 0"):
        Perceptron().fit(np.array([[0.0, 1.0], [np.nan, 0.0]]), [0, 1])
    p = Perceptron().fit(np.array([[0.0, 1.0], [1.0, 0.0]]), [0, 1])
    with pytest.raises(ShapeError, match="expected 2 input features, got 3"):
        p.predict(np.zeros((1, 3)))


def test_predict_before_fit_is_a_clear_error():
    from mlplab.errors import MlplabError

    with pytest.raises(MlplabError, match="perceptron: not fitted yet"):
        Perceptron().predict(np.zeros((1, 2)))
