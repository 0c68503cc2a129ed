"""scikit-learn's MLPClassifier, counted in whole epochs.

``fit`` with ``warm_start=True``, ``shuffle=False`` and ``max_iter=E`` runs E epochs of
``n_batches`` minibatch steps each; the time includes what scikit-learn does per epoch (loss
curve, convergence bookkeeping) and per ``fit`` call (input validation), as a user would pay it.
No batch norm or dropout in scikit-learn: ``mnist-bn`` is not run.
"""

import math
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier


class SklearnTrainer:
    def __init__(self, cfg, optimizer, opt_args, x, y, seed):
        if cfg.batchnorm or cfg.dropout:
            raise NotImplementedError("scikit-learn's MLP has no batch norm or dropout")
        common = dict(
            hidden_layer_sizes=cfg.hidden,
            activation=cfg.activation,
            alpha=0.0,
            batch_size=cfg.batch,
            learning_rate_init=opt_args["lr"],
            max_iter=1,
            shuffle=False,
            tol=0.0,
            n_iter_no_change=10**9,
            random_state=seed,
            warm_start=True,
        )
        if optimizer == "sgdm":
            self.clf = MLPClassifier(
                solver="sgd",
                momentum=opt_args["momentum"],
                nesterovs_momentum=False,
                learning_rate="constant",
                **common,
            )
        else:
            self.clf = MLPClassifier(
                solver="adam",
                beta_1=opt_args["beta1"],
                beta_2=opt_args["beta2"],
                epsilon=opt_args["eps"],
                **common,
            )
        self.x, self.y, self.n_batches = x, y, cfg.n_batches
        warnings.simplefilter("ignore", ConvergenceWarning)

    def train(self, n_steps):
        epochs = max(1, math.ceil(n_steps / self.n_batches))
        self.clf.set_params(max_iter=epochs)
        self.clf.fit(self.x, self.y)
        return epochs * self.n_batches


def prepare(cfg, optimizer, opt_args, x, y, seed=0):
    return SklearnTrainer(cfg, optimizer, opt_args, x, y, seed)
