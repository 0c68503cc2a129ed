"""Sample and class weights in the estimators, and scikit-learn's metadata routing."""

import numpy as np
import pytest
import sklearn
from sklearn.model_selection import cross_val_score
from sklearn.utils.class_weight import compute_sample_weight

from mlplab.errors import LabelError, SampleWeightError
from mlplab.sklearn import MLPClassifier, MLPRegressor

FAST = {"hidden": (8,), "lr": 0.01, "epochs": 5, "batch_size": 16, "dtype": "float64"}


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 4))
    y = np.where(X[:, 0] > 0.5, "rare", "common")
    return X, y, rng.uniform(0.5, 2, 60)


def test_balanced_class_weight_equals_scikit_learns_sample_weights(data):
    X, y, _ = data
    balanced = MLPClassifier(**FAST, class_weight="balanced").fit(X, y)
    weighted = MLPClassifier(**FAST).fit(X, y, sample_weight=compute_sample_weight("balanced", y))
    np.testing.assert_allclose(balanced.predict_proba(X), weighted.predict_proba(X), atol=1e-12)


def test_class_weight_mapping_multiplies_sample_weight(data):
    X, y, w = data
    mapped = MLPClassifier(**FAST, class_weight={"rare": 3}).fit(X, y, sample_weight=w)
    by_hand = MLPClassifier(**FAST).fit(X, y, sample_weight=w * np.where(y == "rare", 3, 1))
    np.testing.assert_allclose(mapped.predict_proba(X), by_hand.predict_proba(X), atol=1e-12)
    with pytest.raises(LabelError, match="class_weight: label 'other' is not one of"):
        MLPClassifier(**FAST, class_weight={"other": 2}).fit(X, y)


def test_negative_weight_names_the_row(data):
    X, y, w = data
    w[3] = -1
    with pytest.raises(SampleWeightError, match="at row 3"):
        MLPRegressor(**FAST).fit(X, X[:, 0], sample_weight=w)


def test_cross_val_score_routes_sample_weight(data):
    X, y, w = data
    with sklearn.config_context(enable_metadata_routing=True):
        clf = (
            MLPClassifier(**FAST)
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=True)
        )
        scores = cross_val_score(clf, X, y, cv=3, params={"sample_weight": w})
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))
