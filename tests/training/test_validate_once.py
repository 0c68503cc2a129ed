"""Features are validated once, at the boundary: one NaN/inf scan of the features matrix on the
way from ``mlplab train`` or ``Trainer.fit`` to the first step; the hot loop trusts its batches,
and debug mode turns every check back on."""

import numpy as np
import pytest

from mlplab import backend
from mlplab.cli import main
from mlplab.data.validation import check_features, check_labels, is_checked, mark_checked
from mlplab.errors import DTypeError, LabelError, NonFiniteError, ShapeError
from mlplab.network import build_mlp
from mlplab.training import Trainer


@pytest.fixture
def scans(monkeypatch):
    """The row counts of the 2-D arrays ``np.isfinite`` sees before the first training step
    (``scans.restart()`` counts again until the next first step)."""
    seen, training = Scans(), []
    seen.restart = training.clear
    real = np.isfinite

    def counting(a, *args, **kwargs):
        if not training and getattr(a, "ndim", 0) == 2 and a.shape[0] >= 100:
            seen.append(a.shape[0])
        return real(a, *args, **kwargs)

    first_step = Trainer._train_step

    def step(self, xb, yb, *weights):
        training.append(True)
        return first_step(self, xb, yb, *weights)

    monkeypatch.setattr(np, "isfinite", counting)
    monkeypatch.setattr(Trainer, "_train_step", step)
    return seen


class Scans(list):
    restart = None


def _net():
    return build_mlp({"input_size": 64, "hidden": [16], "output_size": 10}, seed=0)


@pytest.mark.parametrize("preprocess", ["none", "standardize,pca:0.99"])
def test_mlplab_train_scans_the_features_once(scans, tmp_path, digits, preprocess):
    X, y, _, _ = digits
    np.savez(tmp_path / "d.npz", x_train=X[:500], y_train=y[:500], x_test=X[500:], y_test=y[500:])
    args = ["train", "--data", tmp_path / "d.npz", "--epochs", "1", "--quiet"]
    args += ["--out", tmp_path / "run", "--preprocess", preprocess]
    assert main([str(a) for a in args]) in (0, None)
    assert scans == [500, 500]  # x_train and x_test, in the loader (validation is cut after)


def test_trainer_fit_scans_each_matrix_once(scans, digits):
    X, y, Xv, yv = digits
    X, Xv = X.copy(), Xv.copy()  # fresh arrays: the session's may have been checked already
    trainer = Trainer(_net(), epochs=1, quiet=True)
    trainer.fit(X, y, validation_data=(Xv, yv))
    assert scans == [len(X), len(Xv)]
    scans.restart()
    trainer.fit(X, y, validation_data=(Xv, yv), epochs=1)  # the same arrays: checked already
    assert scans == [len(X), len(Xv)]


def test_debug_mode_scans_again_and_checks_every_step(scans, digits, monkeypatch):
    X, y, _, _ = digits
    X = mark_checked(X.copy())
    trainer = Trainer(_net(), epochs=1, quiet=True)
    assert not trainer.check_gradients
    trainer.fit(X, y)
    assert scans == []
    monkeypatch.setattr(backend, "debug", True)
    assert trainer.check_gradients and not is_checked(X)
    scans.restart()
    Trainer(_net(), epochs=1, quiet=True).fit(X, y)
    assert scans == [len(X)]


def test_one_validator_each():
    with pytest.raises(ShapeError, match=r"X has 3 features, but the model is expecting 4"):
        check_features(np.zeros((2, 3)), "x", 4)
    with pytest.raises(ShapeError, match=r"no rows \(shape \(0, 4\)\)"):
        check_features(np.zeros((0, 4)), "x")
    with pytest.raises(DTypeError, match="integers 0..C-1"):
        check_labels(np.zeros(3), "y", 3, n_classes=2)
    with pytest.raises(LabelError, match="label 5 at row 1 is out of range for 3 classes"):
        check_labels([0, 5, 1], "y", 3, n_classes=3)
    with pytest.raises(ShapeError, match="2 feature rows but 3 labels"):
        check_labels([0, 1, 1], "y", 2)
    with pytest.raises(NonFiniteError, match="row 1"):
        check_labels([0.0, np.nan], "t", 2, dtype=np.float32)
    assert check_labels(np.array([[1], [2]]), "y", 2).shape == (2,)
