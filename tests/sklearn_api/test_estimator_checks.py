"""scikit-learn's own estimator checks, run on small, fast configurations.

The estimators compute in float32 by default (DESIGN.md 3). scikit-learn's invariance checks
compare predictions on a subset of rows with the same rows predicted in one batch at
rtol = atol = 1e-7, which float32 matrix products cannot promise: BLAS blocks a product
differently for a different number of rows, and the last bit moves (about 1e-7 relative). So
every check runs in float64, and the default float32 configuration runs them again with those
two checks listed as expected failures (non-strict: they usually pass for classifiers, whose
argmax does not move), and the sample-weight equivalence check for the same reason.
``check_sample_weight_equivalence`` needs exact equality (rtol 1e-7): FAST's batch of 32 holds
the check's 15 weighted rows and their 27 repeats, so both fits are full-batch and the weighted
mean Σ wᵢ ℓᵢ / Σ wᵢ is the repeated rows' mean.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from mlplab.classic.linear import LinearClassifier
from mlplab.sklearn import MLPClassifier, MLPRegressor

FAST = {"hidden": (16,), "lr": 0.01, "epochs": 30, "batch_size": 32}

ESTIMATORS = [
    MLPClassifier(**FAST, dtype="float64"),
    MLPClassifier(**FAST, dtype="float64", loss="svm"),
    MLPRegressor(**FAST, dtype="float64"),
    MLPClassifier(**FAST, dtype="float64", early_stopping=3),
    MLPRegressor(**FAST, dtype="float64", early_stopping=3),
    LinearClassifier(lr=0.05, epochs=30, dtype="float64"),
    LinearClassifier(lr=0.05, epochs=30, dtype="float64", loss="svm"),
    MLPClassifier(**FAST),
    MLPRegressor(**FAST),
]

FLOAT32_ROUNDING = (
    "float32 products of a row subset may round differently in the last bit (BLAS blocking), "
    "about 1e-7 relative, at the check's tolerance (default MLPRegressor(): up to 1.6e-7 "
    "absolute, 1.8e-6 relative; bounded in tests/reliability/test_float32_subset_invariance.py)"
)


WEIGHTS_FLOAT32 = (
    "full-batch training on weighted rows and on repeated rows is the same sum in a different "
    "order; in float32 the predictions then differ in the last bit or two (up to 2.4e-7 "
    "absolute), above the check's rtol 1e-7. The float64 estimators pass it."
)


WEIGHTS_HELD_OUT = (
    "early stopping holds out a stratified share of the rows: the weighted rows and their "
    "repeats are split differently (a repeated row can land on both sides), so the two fits "
    "train on different rows; equivalence holds without the held-out split (checked above)"
)


def expected_failed_checks(estimator):
    if getattr(estimator, "early_stopping", 0):
        return {"check_sample_weight_equivalence_on_dense_data": WEIGHTS_HELD_OUT}
    if estimator.dtype == "float32":
        return {
            "check_methods_subset_invariance": FLOAT32_ROUNDING,
            "check_methods_sample_order_invariance": FLOAT32_ROUNDING,
            "check_sample_weight_equivalence_on_dense_data": WEIGHTS_FLOAT32,
        }
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
