"""scikit-learn estimators on mlplab's engine and trainer: ``MLPClassifier`` and ``MLPRegressor``.

They follow scikit-learn's conventions, so pipelines, cross-validation and searches work without
glue: every training choice is a constructor parameter (``get_params``/``set_params``/``clone``),
``fit`` returns the estimator, input is validated with scikit-learn's own helpers (and messages),
learned state ends in ``_`` (``net_``, ``classes_``, ``loss_curve_``, ``n_features_in_``,
``feature_names_in_``...). They pickle in memory, as scikit-learn's tools require; mlplab itself
never writes or reads pickles — save the fitted network ``net_`` with mlplab's model files.

Example::

    from mlplab.sklearn import MLPClassifier
    clf = MLPClassifier(hidden=(64,), optimizer="adam", lr=1e-3, epochs=50).fit(X, y)
    clf.predict_proba(X[:3]), clf.score(X, y), clf.loss_curve_

Sample weights: ``fit(X, y, sample_weight=w)`` (and ``partial_fit``); the classifier also takes
``class_weight="balanced"`` or ``{label: weight}``. A weight of 2 trains as a duplicated row
(the loss is Σ wᵢ ℓᵢ / Σ wᵢ per minibatch — exactly a duplicated row in full-batch training,
in expectation with minibatches). Through metadata routing
(``sklearn.set_config(enable_metadata_routing=True)``, ``est.set_fit_request(sample_weight=True)``)
``cross_val_score(est, X, y, params={"sample_weight": w})`` passes each fold its weights.
"""

import inspect
import sys

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from mlplab.data.splits import stratified_split
from mlplab.data.validation import mark_checked
from mlplab.errors import ConfigError, LabelError
from mlplab.losses import LOSSES, SoftmaxCrossEntropy
from mlplab.runs.epoch_lines import EpochLines
from mlplab.training import EarlyStopping

__all__ = ["MLPClassifier", "MLPRegressor"]


class _TrainedNetwork(BaseEstimator):
    """What the classifier and the regressor share: building, training and the fitted state.

    Subclasses define ``_targets(y, first)``, ``_default_loss`` and ``_task``
    (``"classification"`` or ``"regression"``); both take the parameters of this ``__init__``
    (scikit-learn reads them from its signature).
    """

    def __init__(
        self,
        hidden=(100,),
        activation="relu",
        init=None,
        norm="none",
        dropout=0.0,
        maxout_pieces=2,
        loss=None,
        optimizer="adam",
        lr=0.001,
        momentum=0.9,
        optimizer_options=None,
        schedule=None,
        l2=0.0,
        l1=0.0,
        max_norm=None,
        epochs=100,
        batch_size=64,
        shuffle=True,
        early_stopping=0,
        validation_fraction=0.1,
        seed=0,
        callbacks=None,
        warm_start=False,
        dtype="float32",
        verbose=False,
    ):
        self.hidden = hidden
        self.activation = activation
        self.init = init
        self.norm = norm
        self.dropout = dropout
        self.maxout_pieces = maxout_pieces
        self.loss = loss
        self.optimizer = optimizer
        self.lr = lr
        self.momentum = momentum
        self.optimizer_options = optimizer_options
        self.schedule = schedule
        self.l2 = l2
        self.l1 = l1
        self.max_norm = max_norm
        self.epochs = epochs
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.seed = seed
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.dtype = dtype
        self.verbose = verbose

    # -- building -------------------------------------------------------------------------------
    def _network_config(self, n_features: int, n_outputs: int) -> dict:
        return {
            "input_size": n_features,
            "output_size": n_outputs,
            "hidden": [int(h) for h in self.hidden],
            "activation": self.activation,
            "init": self.init,
            "norm": self.norm,
            "dropout": self.dropout,
            "maxout_pieces": self.maxout_pieces,
            "loss": self._loss_name(),
            "dtype": self.dtype,
        }

    def _loss_name(self) -> str:
        name = self._default_loss if self.loss is None else self.loss
        task = getattr(LOSSES.get(name), "task", None)
        expected = ("classification",) if self._task == "classification" else ("regression",)
        if task not in expected:
            raise ConfigError(
                f"{type(self).__name__}: loss {name!r} is for {task}, not {self._task}"
            )
        return name

    def _make_trainer(self):
        from mlplab.config.flat_keys import optimizer_table
        from mlplab.optim import Optimizer
        from mlplab.training import Trainer

        if isinstance(self.optimizer, Optimizer):  # an object: it keeps its hyperparameters
            optimizer, lr = self.optimizer, self.lr
        else:
            optimizer = optimizer_table(
                self.optimizer, self.lr, self.momentum, self.optimizer_options
            )
            lr = None
        callbacks = list(self.callbacks or ())
        if self.early_stopping:
            callbacks.append(EarlyStopping(monitor="val_loss", patience=self.early_stopping))
        if self.verbose and not sys.stderr.isatty():  # a notebook, a log file: no progress bar
            callbacks.append(EpochLines(sys.stderr))
        return Trainer(
            self.net_,
            optimizer=optimizer,
            lr=lr,
            schedule=self.schedule,
            l2=self.l2,
            l1=self.l1,
            max_norm=self.max_norm,
            batch_size=self.batch_size,
            epochs=int(self.epochs),
            seed=self.seed,
            shuffle=self.shuffle,
            callbacks=callbacks,
            quiet=not self.verbose,
        )

    # -- training -------------------------------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
        """Train for ``epochs`` epochs (from new weights, or from the current ones with
        ``warm_start``); return ``self``. ``sample_weight``: (N,) weights >= 0 of the rows."""
        return self._fit(X, y, incremental=False, sample_weight=sample_weight)

    def _fit(self, X, y, incremental: bool, classes=None, sample_weight=None):
        from mlplab.network import build_mlp

        continuing = (incremental or self.warm_start) and hasattr(self, "net_")
        X, y = validate_data(
            self,
            X,
            y,
            reset=not continuing,
            dtype=(np.float64, np.float32),
            multi_output=self._task == "regression",
            y_numeric=self._task == "regression",
        )
        targets, n_outputs = self._targets(y, first=not continuing, classes=classes)
        weight = self._row_weights(sample_weight, targets, len(X))
        if not continuing:
            if int(self.epochs) < 1:
                raise ConfigError(
                    f"{type(self).__name__}: epochs must be at least 1, got {self.epochs}"
                )
            if not 0 < self.validation_fraction < 1:
                raise ConfigError(
                    f"{type(self).__name__}: validation_fraction must be in (0, 1), "
                    f"got {self.validation_fraction}"
                )
            self.net_ = build_mlp(self._network_config(X.shape[1], n_outputs), seed=self.seed)
            self.trainer_ = self._make_trainer()
        trainer = self.trainer_
        trainer.batch_size = max(1, min(int(self.batch_size), len(X)))
        # scikit-learn's check_array scanned X for NaN/inf (with its messages): not again
        X = mark_checked(X.astype(self.net_.dtype, copy=False))
        held_out = bool(self.early_stopping) and not incremental
        callbacks = trainer.callbacks
        if incremental:  # partial_fit has no held-out data: early stopping sits it out
            trainer.callbacks = [cb for cb in callbacks if not isinstance(cb, EarlyStopping)]
        try:
            # A second fit of the same trainer continues: `epochs` more, optimizer state kept.
            trainer.fit(
                **self._split(X, targets, weight, held_out),
                epochs=1 if incremental else self.epochs,
            )
        finally:
            trainer.callbacks = callbacks
        trainer.release_data()  # the data and the last batch are scratch: keep the estimator small
        history = trainer.history
        self.history_ = history.to_dict()
        self.loss_curve_ = list(history["loss"])
        self.validation_loss_curve_ = list(history["val_loss"]) if "val_loss" in history else []
        self.n_iter_ = len(history)
        self.t_ = trainer.step
        return self

    def _row_weights(self, sample_weight, targets, n_rows):
        """The sample weights checked (``mlplab.data.sample_weights``), times the class weights
        for a classifier with ``class_weight``; None when neither is given."""
        from mlplab.data.sample_weights import check_sample_weight

        return check_sample_weight(sample_weight, n_rows)

    def _split(self, X, targets, weight, held_out: bool) -> dict:
        """``Trainer.fit``'s data: ``validation_fraction`` held out for early stopping,
        stratified by class for a classifier (as scikit-learn's MLP), a seeded random share of
        the rows for a regressor or where every class is too small to give a row; the sample
        weights follow their rows."""
        whole = {"X": X, "y": targets, "sample_weight": weight}
        if not held_out:
            return whole
        if self._task == "classification":
            train, val = stratified_split(targets, [self.validation_fraction], seed=self.seed)
        if self._task != "classification" or not len(val) or not len(train):
            return {**whole, "validation_split": self.validation_fraction}
        rows = {"X": mark_checked(X[train]), "y": targets[train]}
        if weight is None:
            return {**rows, "validation_data": (mark_checked(X[val]), targets[val])}
        validation = (mark_checked(X[val]), targets[val], weight[val])
        return {**rows, "sample_weight": weight[train], "validation_data": validation}

    def _scores(self, X):
        check_is_fitted(self, "net_")
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        return self.net_.scores(mark_checked(X.astype(self.net_.dtype, copy=False)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags


_ARCHITECTURE_DOC = """
    Architecture (``[Linear → (BatchNorm) → activation → (Dropout)] × hidden → Linear``):
        hidden: sizes of the hidden layers, ``()`` for a linear model. activation: a name of
        ``mlplab.layers.ACTIVATIONS`` (relu, leaky_relu, elu, tanh, sigmoid, maxout...).
        init: an initializer spec (``he``, ``xavier``, ``normal:0.01``; None = He for the ReLU
        family, else Xavier). norm: ``"none"`` or ``"batch"``. dropout: drop probability after
        each hidden activation. maxout_pieces: pieces per unit for maxout. dtype: float32/64.
    Training (``mlplab.training.Trainer``):
        optimizer: sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw. lr: base learning rate.
        momentum: μ for momentum and nesterov. optimizer_options: other hyperparameters as a dict
        (``{"beta2": 0.99}``). schedule: a learning-rate schedule spec (``"cosine"``,
        ``"step:step_size=10"``) or None for constant. l2, l1: penalties on weights only.
        max_norm: bound on each unit's incoming weight norm (None = off). epochs: passes over the
        data per ``fit``. batch_size: minibatch size (capped at the number of samples).
        shuffle: reshuffle every epoch. early_stopping: patience in epochs on the validation loss
        of a held-out ``validation_fraction`` (0 = off); the best weights are restored.
        seed: weights, dropout and shuffling. callbacks: extra ``mlplab.training.Callback``s.
        warm_start: ``fit`` continues from the current weights and optimizer state.
        verbose: show the progress bar on a terminal, else one line per epoch on stderr.
"""


class MLPClassifier(ClassifierMixin, _TrainedNetwork):
    """A fully-connected network classifier: scores f(x), softmax cross-entropy (or multiclass
    SVM hinge) loss, trained by mlplab's trainer.

    loss: ``"softmax"`` (default; gives ``predict_proba``) or ``"svm"`` (scores only).
    Labels may be any values scikit-learn accepts (strings, non-contiguous integers); ``classes_``
    holds them sorted and the network's output k is class ``classes_[k]``.
    """

    __doc__ += _ARCHITECTURE_DOC
    __doc__ += """    Weights:
        class_weight: None, ``"balanced"`` (n / (C · count(c)) over the labels of each ``fit``,
        scikit-learn's ``compute_class_weight``) or ``{label: weight}`` (labels not named: 1);
        multiplies ``fit``'s ``sample_weight``.
"""
    _default_loss = "softmax"
    _task = "classification"

    def __init__(self, *args, class_weight=None, **params):
        super().__init__(*args, **params)
        self.class_weight = class_weight

    # scikit-learn reads the parameters from the signature: the shared ones and class_weight
    __init__.__signature__ = inspect.signature(_TrainedNetwork.__init__).replace(
        parameters=[
            *inspect.signature(_TrainedNetwork.__init__).parameters.values(),
            inspect.Parameter("class_weight", inspect.Parameter.KEYWORD_ONLY, default=None),
        ]
    )

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over (X, y), continuing from the current weights.

        ``classes``: every label that will ever be seen, on the first call (default: the labels
        of this first y); later calls must use only those. ``class_weight="balanced"`` weighs
        the classes by their counts in this call's y.
        """
        return self._fit(X, y, incremental=True, classes=classes, sample_weight=sample_weight)

    def _row_weights(self, sample_weight, targets, n_rows):
        from mlplab.data.sample_weights import class_weight_per_class, row_weights

        weight = super()._row_weights(sample_weight, targets, n_rows)
        if self.class_weight is None:
            return weight
        per_class = class_weight_per_class(self.class_weight, self.classes_, targets)
        return row_weights(weight, per_class, targets)

    def _targets(self, y, first: bool, classes=None):
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if first:
            self.classes_ = unique_labels(y if classes is None else classes)
            if len(self.classes_) < 2:
                raise LabelError(
                    f"{type(self).__name__} needs samples of at least 2 classes in the data, "
                    f"but the data contains only one class: {self.classes_[0]!r}"
                )
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if unknown.size:
            raise LabelError(
                f"{type(self).__name__}: labels {unknown.tolist()} are not among the classes "
                f"{self.classes_.tolist()} of the first fit"
            )
        return np.searchsorted(self.classes_, y).astype(np.int64), len(self.classes_)

    def decision_function(self, X):
        """The network's class scores, (N, C); for two classes s₁ − s₀, (N,)."""
        scores = self._scores(X)
        return scores[:, 1] - scores[:, 0] if scores.shape[1] == 2 else scores

    def predict(self, X):
        """The label of the highest-scoring class for each row."""
        scores = self._scores(X)
        return self.classes_[scores.argmax(axis=1)]

    def _has_probabilities(self):
        return LOSSES.get(self._loss_name()) is SoftmaxCrossEntropy

    @available_if(_has_probabilities)
    def predict_proba(self, X):
        """softmax(scores), (N, C), columns in the order of ``classes_``."""
        scores = self._scores(X)
        return self.net_.loss.probabilities(scores)

    @available_if(_has_probabilities)
    def predict_log_proba(self, X):
        return np.log(self.predict_proba(X))


class MLPRegressor(RegressorMixin, _TrainedNetwork):
    """A fully-connected network regressor: linear outputs, mean squared error, trained by
    mlplab's trainer. y may be (N,) or (N, K) for K outputs.

    loss: ``"mse"`` (the default).
    """

    __doc__ += _ARCHITECTURE_DOC
    _default_loss = "mse"
    _task = "regression"

    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y), continuing from the current weights."""
        return self._fit(X, y, incremental=True, sample_weight=sample_weight)

    def _targets(self, y, first: bool, classes=None):
        y = np.asarray(y, dtype=np.float64)
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if first:
            self.n_outputs_ = n_outputs
        elif n_outputs != self.n_outputs_:
            raise ValueError(
                f"{type(self).__name__}: y has {n_outputs} outputs, but the model was fitted "
                f"with {self.n_outputs_}"
            )
        return y, n_outputs

    def predict(self, X):
        """The network's outputs in float64 (as scikit-learn's regressors): (N,) for one
        target, else (N, K)."""
        scores = self._scores(X).astype(np.float64, copy=False)
        return scores[:, 0] if self.n_outputs_ == 1 else scores

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
