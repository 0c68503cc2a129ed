"""The linear score function f = Wx + b as a classifier: the lecture's "before"."""

from mlplab.sklearn import MLPClassifier


class LinearClassifier(MLPClassifier):
    """Class scores f = Wx + b (no hidden layer) with a softmax or a multiclass SVM loss, trained
    with mlplab's optimizers, schedules and regularization — the same trainer as every network.

    loss: ``"softmax"`` (cross-entropy, gives ``predict_proba``) or ``"svm"`` (the multiclass
    hinge of Weston & Watkins, 1999). init: the lecture's "small random numbers",
    ``normal:0.01``, by default (the loss is convex, so any start leads to the same minimum).
    The other parameters are ``MLPClassifier``'s training parameters.

    Shapes: x (N, D); W (D, C) in mlplab's (in, out) layout, the transpose of the lecture's
    W ∈ ℝ^{C×D}; scores (N, C).
    """

    def __init__(
        self,
        loss="softmax",
        init="normal:0.01",
        optimizer="adam",
        lr=0.01,
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
        class_weight=None,
    ):
        self.loss = loss
        self.init = init
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
        self.class_weight = class_weight

    def _network_config(self, n_features: int, n_outputs: int) -> dict:
        return {
            "input_size": n_features,
            "output_size": n_outputs,
            "hidden": [],
            "init": self.init,
            "loss": self._loss_name(),
            "dtype": self.dtype,
        }

    @property
    def coef_(self):
        """W as scikit-learn lays it out, (C, D)."""
        return self.net_.layers[0].params["W"].T

    @property
    def intercept_(self):
        """b, (C,)."""
        return self.net_.layers[0].params["b"]
