"""Accuracy never exceeds 1: several labels per row count as one row (exact match)."""

import numpy as np
from sklearn.metrics import accuracy_score

from mlplab.losses import BinaryCrossEntropyWithLogits
from mlplab.metrics import count_correct, evaluate_batches


def test_multi_label_accuracy_is_exact_match_as_scikit_learn():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, (50, 3))
    predicted = truth.copy()
    predicted[::3, 1] ^= 1
    assert count_correct(predicted, truth) / 50 == accuracy_score(truth, predicted)
    scores = np.where(predicted == 1, 2.0, -2.0)
    found = evaluate_batches(lambda x: x, BinaryCrossEntropyWithLogits(), scores, truth)
    assert found["accuracy"] == accuracy_score(truth, predicted) <= 1


def test_weighted_count_sums_the_weights_of_the_rows_right():
    assert count_correct(np.array([0, 1, 2]), np.array([0, 1, 1]), np.array([2.0, 0.5, 9])) == 2.5
