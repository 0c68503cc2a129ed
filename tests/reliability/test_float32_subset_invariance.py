"""float32 predictions of a row subset versus the whole batch: how far they may move.

scikit-learn's ``check_methods_subset_invariance`` asks for rtol = atol = 1e-7. A float32 network
cannot promise that: BLAS blocks a matrix product differently for a different number of rows,
and the last bits of a float32 sum move. With the default ``MLPRegressor()`` the check fails
(measured: 4 of 20 outputs off by up to 1.6e-7 absolute, 1.8e-6 relative — one or two float32
ulps); it is listed as an expected failure for float32 estimators in
``tests/sklearn_api/test_estimator_checks.py``. The promise held here: subsets agree with the
batch to float32 rounding (rtol 1e-5), and exactly to float64 rounding in float64.
"""

import numpy as np
import pytest

from mlplab.sklearn import MLPRegressor


@pytest.mark.parametrize("dtype, rtol", [("float32", 1e-5), ("float64", 1e-12)])
def test_predictions_of_a_subset_match_the_batch_to_rounding(dtype, rtol):
    rng = np.random.RandomState(0)  # the data of scikit-learn's check
    x = 3 * rng.uniform(size=(20, 3))
    y = x[:, 0].astype(int)
    model = MLPRegressor(dtype=dtype).fit(x, y)
    whole = model.predict(x)
    for rows in np.array_split(np.arange(20), 2):
        np.testing.assert_allclose(model.predict(x[rows]), whole[rows], rtol=rtol, atol=rtol)
