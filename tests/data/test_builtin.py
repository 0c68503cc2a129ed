import numpy as np
import pytest

from mlplab.data import DATASETS, load_data
from mlplab.errors import ConfigError

NAMES = ["digits", "iris", "spiral", "circles", "xor"]


def _full_data(name, seed):
    from sklearn import datasets

    from mlplab.data import synthetic

    if name in ("digits", "iris"):
        return getattr(datasets, f"load_{name}")().data.astype(np.float32)
    return getattr(synthetic, f"make_{name}")(seed=seed)[0].astype(np.float32)


def _sorted_rows(x):
    return x[np.lexsort(x.T[::-1])]


@pytest.mark.parametrize("name", NAMES)
def test_builtin_splits_are_seeded_disjoint_and_stratified(name):
    a, b, c = load_data(name, seed=3), load_data(name, seed=3), load_data(name, seed=4)
    for which in ("train", "val", "test"):
        np.testing.assert_array_equal(a.split(which)[0], b.split(which)[0])
        np.testing.assert_array_equal(a.split(which)[1], b.split(which)[1])
    assert not np.array_equal(a.x_test, c.x_test)
    total = len(a.y_train) + len(a.y_val) + len(a.y_test)
    # the three splits partition the full data set: same rows, each exactly once
    every = np.concatenate([a.x_train, a.x_val, a.x_test])
    np.testing.assert_array_equal(_sorted_rows(every), _sorted_rows(_full_data(name, seed=3)))
    everything = np.concatenate([a.y_train, a.y_val, a.y_test])
    share = np.bincount(everything) / total
    for y in (a.y_train, a.y_val, a.y_test):
        assert np.abs(np.bincount(y, minlength=a.n_classes) / len(y) - share).max() < 0.05
    assert abs(len(a.y_test) / total - 0.15) < 0.02 and abs(len(a.y_val) / total - 0.15) < 0.02
    assert a.x_train.dtype == np.float32 and a.y_train.dtype == np.int64
    assert int(np.prod(a.feature_shape)) == a.n_features


def test_builtin_shapes_and_classes():
    digits = load_data("digits")
    assert digits.feature_shape == (8, 8, 1) and digits.n_classes == 10
    assert digits.x_train.max() == 16 and digits.x_train.min() == 0
    assert digits.images("test").shape == (len(digits.x_test), 8, 8, 1)
    iris = load_data("iris")
    assert iris.classes == ["setosa", "versicolor", "virginica"] and iris.n_features == 4
    for name in ("spiral", "circles", "xor"):
        assert load_data(name).feature_shape == (2,)
    assert load_data("spiral:classes=5,points_per_class=40").n_classes == 5
    assert set(DATASETS.names()) >= set(NAMES)


def test_circles_are_a_disc_inside_a_ring():
    data = load_data("circles")
    r = np.hypot(data.x_train[:, 0], data.x_train[:, 1])
    assert r[data.y_train == 0].max() < r[data.y_train == 1].min()


def test_builtin_bad_options_are_config_errors():
    with pytest.raises(ConfigError, match="no_such_option"):
        load_data("spiral:no_such_option=3")
    with pytest.raises(ConfigError, match="classes must be at least 2"):
        load_data("spiral:classes=1")
    with pytest.raises(ConfigError, match="key=value"):
        load_data("spiral:classes")
