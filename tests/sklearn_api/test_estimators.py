import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, make_regression
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import RandomizedSearchCV, cross_val_score
from sklearn.preprocessing import StandardScaler

from mlplab.errors import ConfigError, LabelError
from mlplab.layers import ACTIVATIONS
from mlplab.sklearn import MLPClassifier, MLPRegressor
from mlplab.training import Callback


@pytest.fixture(scope="module")
def iris():
    x, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(x), np.array(["setosa", "versicolor", "virginica"])[y]


def test_fit_predict_with_string_labels(iris):
    x, y = iris
    clf = MLPClassifier(hidden=(16,), lr=0.01, epochs=60).fit(x, y)
    assert list(clf.classes_) == ["setosa", "versicolor", "virginica"]
    assert clf.n_features_in_ == 4
    assert clf.score(x, y) > 0.95
    proba = clf.predict_proba(x)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(x))
    assert len(clf.loss_curve_) == clf.n_iter_ == 60
    assert clf.loss_curve_[-1] < clf.loss_curve_[0] / 3


def test_every_training_choice_reaches_the_network_and_trainer(iris):
    x, y = iris
    clf = MLPClassifier(
        hidden=(8, 6),
        activation="tanh",
        init="xavier",
        norm="batch",
        dropout=0.1,
        optimizer="nesterov",
        lr=0.05,
        momentum=0.8,
        schedule="cosine",
        l2=1e-3,
        l1=1e-4,
        max_norm=3.0,
        epochs=5,
        batch_size=16,
        dtype="float64",
    ).fit(x, y)
    names = [type(layer).__name__ for layer in clf.net_.layers]
    assert names.count("BatchNorm") == 2 and names.count("Dropout") == 2
    assert "Tanh" in names
    assert clf.net_.dtype == np.float64
    trainer = clf.trainer_
    assert trainer.optimizer.name == "nesterov" and trainer.optimizer.momentum == 0.8
    assert (trainer.l2, trainer.l1, trainer.max_norm, trainer.batch_size) == (1e-3, 1e-4, 3.0, 16)
    assert trainer.history["lr"][-1] < 0.05  # the cosine schedule decayed the rate
    for layer in clf.net_.layers:
        if "W" in layer.params and layer.params["W"].ndim == 2:
            assert np.linalg.norm(layer.params["W"], axis=0).max() <= 3.0 + 1e-9


def test_partial_fit_continues_and_needs_known_classes(iris):
    x, y = iris
    clf = MLPClassifier(hidden=(16,), lr=0.01)
    clf.partial_fit(x[:75], y[:75], classes=np.unique(y))
    first = clf.net_.layers[0].params["W"].copy()
    for _ in range(30):
        clf.partial_fit(x, y)
    assert clf.n_iter_ == 31
    assert not np.array_equal(first, clf.net_.layers[0].params["W"])
    assert clf.score(x, y) > 0.9
    with pytest.raises(LabelError, match="not among the classes"):
        clf.partial_fit(x[:3], ["setosa", "rose", "setosa"])
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(x[:, :3], y)


def test_warm_start_continues_from_current_weights(iris):
    x, y = iris
    cold = MLPClassifier(hidden=(16,), lr=0.01, epochs=10).fit(x, y)
    warm = MLPClassifier(hidden=(16,), lr=0.01, epochs=5, warm_start=True).fit(x, y)
    warm.fit(x, y)
    assert warm.n_iter_ == 10
    # Two warm fits of 5 epochs continue one run: the same weights as 10 epochs at once.
    for a, b in zip(cold.net_.layers, warm.net_.layers, strict=True):
        for key in a.params:
            np.testing.assert_array_equal(a.params[key], b.params[key])
    refit = clone(warm).set_params(warm_start=False).fit(x, y)
    assert refit.n_iter_ == 5


def test_early_stopping_uses_a_validation_split(iris):
    x, y = iris
    clf = MLPClassifier(hidden=(32,), lr=0.05, epochs=500, early_stopping=3).fit(x, y)
    assert clf.n_iter_ < 500
    assert len(clf.validation_loss_curve_) == clf.n_iter_


def test_callbacks_are_called(iris):
    x, y = iris

    class CountEpochs(Callback):
        def __init__(self):
            self.epochs = 0

        def on_epoch_end(self, trainer):
            self.epochs += 1

    counter = CountEpochs()
    clf = MLPClassifier(hidden=(4,), epochs=3, callbacks=[counter]).fit(x, y)
    assert clf.n_iter_ == counter.epochs == 3


def test_pickle_round_trip_in_memory(iris):
    x, y = iris
    clf = MLPClassifier(hidden=(8,), epochs=3).fit(x, y)
    assert clf.trainer_.train_data is None  # the fitted estimator does not carry the data
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clf.predict_proba(x), again.predict_proba(x))
    again.partial_fit(x, y)  # the trainer and optimizer state came along
    assert again.n_iter_ == 4


def test_svm_loss_gives_scores_not_probabilities(iris):
    x, y = iris
    clf = MLPClassifier(hidden=(), loss="svm", lr=0.05, epochs=30).fit(x, y)
    assert not hasattr(clf, "predict_proba")
    assert clf.decision_function(x).shape == (150, 3)
    assert clf.score(x, y) > 0.85


def test_regressor_single_and_multi_output():
    x, y = make_regression(n_samples=200, n_features=5, n_targets=2, noise=1.0, random_state=0)
    y = y / y.std(axis=0)
    reg = MLPRegressor(hidden=(32,), lr=0.01, epochs=100).fit(x, y)
    assert reg.predict(x).shape == (200, 2) and reg.predict(x).dtype == np.float64
    assert reg.score(x, y) > 0.95
    single = MLPRegressor(hidden=(32,), lr=0.01, epochs=100).fit(x, y[:, 0])
    assert single.predict(x).shape == (200,)
    assert single.score(x, y[:, 0]) > 0.95


def test_errors_use_sklearn_and_mlplab_messages(iris):
    x, y = iris
    with pytest.raises(NotFittedError):
        MLPClassifier().predict(x)
    with pytest.raises(ValueError, match="NaN"):
        MLPClassifier().fit(np.where(x > 2, np.nan, x), y)
    with pytest.raises(ValueError, match="Unknown label type"):
        MLPClassifier().fit(x, np.linspace(0, 1, len(x)))
    with pytest.raises(LabelError, match="only one class"):
        MLPClassifier().fit(x, np.zeros(len(x)))
    with pytest.raises(ConfigError, match="unknown optimizer 'adamm'"):
        MLPClassifier(optimizer="adamm").fit(x, y)
    with pytest.raises(ConfigError, match="loss 'mse' is for regression"):
        MLPClassifier(loss="mse").fit(x, y)
    fitted = MLPClassifier(hidden=(4,), epochs=1).fit(x, y)
    with pytest.raises(ValueError, match="X has 3 features, but MLPClassifier is expecting 4"):
        fitted.predict(x[:, :3])


def test_feature_names(iris):
    pd = pytest.importorskip("pandas")
    x, y = iris
    frame = pd.DataFrame(x, columns=["sepal_length", "sepal_width", "petal_length", "petal_width"])
    clf = MLPClassifier(hidden=(4,), epochs=2).fit(frame, y)
    assert list(clf.feature_names_in_) == list(frame.columns)
    with pytest.warns(UserWarning, match="feature names"):
        clf.predict(x)
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(frame[frame.columns[::-1]])


def test_randomized_search_and_cross_validation(iris):
    x, y = iris
    search = RandomizedSearchCV(
        MLPClassifier(epochs=20, batch_size=32),
        {"hidden": [(4,), (16,), (16, 16)], "lr": [0.003, 0.01, 0.03], "l2": [0.0, 1e-3]},
        n_iter=4,
        cv=3,
        random_state=0,
    ).fit(x, y)
    assert search.best_score_ > 0.85
    assert set(search.best_params_) == {"hidden", "lr", "l2"}
    assert search.best_estimator_.score(x, y) > 0.85
    scores = cross_val_score(MLPClassifier(hidden=(16,), lr=0.01, epochs=20), x, y, cv=3)
    assert scores.min() > 0.7


def test_pipeline_with_mlplab_preprocessing(iris):
    from sklearn.pipeline import make_pipeline

    from mlplab.data.preprocessing import PCA, Standardize

    x, y = load_iris(return_X_y=True)
    pipe = make_pipeline(Standardize(), MLPClassifier(hidden=(16,), lr=0.01, epochs=60)).fit(x, y)
    assert pipe.score(x, y) > 0.95
    np.testing.assert_allclose(pipe[0].mean_, x.mean(axis=0))
    # The search tunes a step of ours and the network through the pipeline's parameter names.
    search = RandomizedSearchCV(
        make_pipeline(Standardize(), PCA(), MLPClassifier(epochs=20, lr=0.01)),
        {"pca__n_components": [2, 3, 4], "mlpclassifier__hidden": [(8,), (16,)]},
        n_iter=3,
        cv=3,
        random_state=0,
    ).fit(x, y)
    assert search.best_score_ > 0.85
    assert search.best_estimator_[-1].n_features_in_ == search.best_params_["pca__n_components"]


def test_polar_transform_lets_a_linear_model_separate_circles():
    from sklearn.pipeline import make_pipeline

    from mlplab.data.builtin import DATASETS
    from mlplab.data.preprocessing import PolarTransform

    data = DATASETS.get("circles")(seed=0)
    raw = MLPClassifier(hidden=(), lr=0.05, epochs=40).fit(data.x_train, data.y_train)
    polar = make_pipeline(PolarTransform(), MLPClassifier(hidden=(), lr=0.05, epochs=40))
    polar.fit(data.x_train, data.y_train)
    assert raw.score(data.x_test, data.y_test) < 0.75
    assert polar.score(data.x_test, data.y_test) > 0.95


@pytest.mark.parametrize("activation", ACTIVATIONS.names())
def test_every_registered_activation_trains(iris, activation):
    x, y = iris
    clf = MLPClassifier(hidden=(8,), activation=activation, lr=0.01, epochs=50).fit(x, y)
    assert clf.score(x, y) > 0.9


def test_early_stopping_holds_out_a_stratified_validation_split():
    y = np.array([0] * 90 + [1] * 10)
    x = np.random.default_rng(0).normal(size=(100, 3)) + y[:, None]
    seen = {}

    class Split(Callback):
        def on_train_begin(self, trainer):
            seen["train"], seen["val"] = trainer.train_data[1], trainer.validation_data[1]

    clf = MLPClassifier(hidden=(4,), epochs=3, early_stopping=2, validation_fraction=0.2,
                        callbacks=[Split()]).fit(x, y)  # fmt: skip
    y_train, y_val = seen["train"], seen["val"]
    assert np.bincount(y_val).tolist() == [18, 2]  # each class keeps its share
    assert np.bincount(y_train).tolist() == [72, 8]
    assert len(clf.validation_loss_curve_) == clf.n_iter_


def test_partial_fit_with_early_stopping_trains_one_epoch(iris):
    x, y = iris
    clf = MLPClassifier(hidden=(8,), early_stopping=3).partial_fit(x, y)
    clf.partial_fit(x, y)
    assert clf.n_iter_ == 2 and clf.validation_loss_curve_ == []
    clf.set_params(warm_start=True, epochs=2).fit(x, y)  # a later fit stops early again
    assert any(type(cb).__name__ == "EarlyStopping" for cb in clf.trainer_.callbacks)


def test_verbose_prints_one_line_per_epoch_off_a_terminal(iris, capsys):
    x, y = iris
    MLPClassifier(hidden=(8,), epochs=3, verbose=True).fit(x, y)
    lines = capsys.readouterr().err.strip().splitlines()
    assert [line.split()[1] for line in lines] == ["1/3", "2/3", "3/3"]
    assert all(line.startswith("epoch ") and " loss " in line for line in lines)
    MLPClassifier(hidden=(8,), epochs=3).fit(x, y)
    assert capsys.readouterr().err == ""
