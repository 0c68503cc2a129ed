import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from mlplab.classic.linear import LinearClassifier


@pytest.fixture(scope="module")
def iris():
    x, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(x), y


def test_it_is_the_network_without_hidden_layers(iris):
    x, y = iris
    clf = LinearClassifier(epochs=1).fit(x, y)
    assert [type(layer).__name__ for layer in clf.net_.layers] == ["Linear"]
    assert clf.coef_.shape == (3, 4) and clf.intercept_.shape == (3,)
    scores = x.astype(np.float32) @ clf.coef_.T + clf.intercept_
    np.testing.assert_allclose(clf.decision_function(x), scores, rtol=1e-5, atol=1e-6)


def test_softmax_reaches_logistic_regression_optimum(iris):
    """mean cross-entropy + ½ λ ‖W‖² has the minimizer of scikit-learn's multinomial logistic
    regression C Σ cross-entropy + ½ ‖W‖² when λ = 1 / (C N) (the bias is not penalized in
    either)."""
    x, y = iris
    c = 1.0
    reference = LogisticRegression(C=c, tol=1e-12, max_iter=10_000).fit(x, y)
    ours = LinearClassifier(
        loss="softmax",
        optimizer="nesterov",
        lr=0.5,
        momentum=0.9,
        l2=1 / (c * len(x)),
        epochs=3000,
        batch_size=len(x),
        dtype="float64",
    ).fit(x, y)
    np.testing.assert_allclose(ours.coef_, reference.coef_, atol=1e-6)
    np.testing.assert_allclose(ours.predict_proba(x), reference.predict_proba(x), atol=1e-7)


def test_svm_separates_separable_data_with_margin(rng):
    centers = np.array([[0.0, 5.0], [5.0, -3.0], [-5.0, -3.0]])
    x = np.repeat(centers, 40, axis=0) + rng.standard_normal((120, 2))
    y = np.repeat([0, 1, 2], 40)
    svm = LinearClassifier(loss="svm", lr=0.05, epochs=200, dtype="float64").fit(x, y)
    scores = svm.decision_function(x)
    correct = scores[np.arange(len(y)), y]
    others = np.where(np.eye(3, dtype=bool)[y], -np.inf, scores).max(axis=1)
    # The hinge is zero once every score beats the others by the margin of 1: training stops
    # moving the weights, so every training point ends at (nearly) that margin or beyond.
    assert np.min(correct - others) > 0.9
    assert svm.loss_curve_[-1] < 1e-3
    assert svm.score(x, y) == 1.0


def test_linear_models_fail_on_circles_like_data(rng):
    angle = rng.uniform(0, 2 * np.pi, 400)
    radius = np.where(np.arange(400) < 200, 1.0, 2.5) + 0.1 * rng.standard_normal(400)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    y = (np.arange(400) >= 200).astype(int)
    for loss in ("softmax", "svm"):
        clf = LinearClassifier(loss=loss, lr=0.05, epochs=50).fit(x, y)
        assert clf.score(x, y) < 0.75  # no line separates two rings
