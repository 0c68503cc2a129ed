"""Sample weights through the trainer: the loss, the training and validation metrics and early
stopping are weighted means; weight 2 trains as a duplicated row (full batch), 0 ignores it."""

import numpy as np
import pytest

from mlplab.errors import SampleWeightError, ShapeError
from mlplab.network import build_mlp
from mlplab.training import EarlyStopping, Trainer


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 5)), rng.integers(0, 3, n), rng.integers(0, 4, n)


def _fit(X, y, w, callbacks=(), **options):
    net = build_mlp({"input_size": 5, "output_size": 3, "hidden": [8], "dtype": "float64"})
    trainer = Trainer(net, batch_size=1000, epochs=15, quiet=True, callbacks=callbacks, **options)
    validation = (X, y) if w is None else (X, y, w)
    history = trainer.fit(X, y, sample_weight=w, validation_data=validation)
    return net, history.records[-1]


def test_integer_weights_train_as_repeated_rows():
    X, y, w = _data()
    net_w, last_w = _fit(X, y, w)
    rows = np.repeat(np.arange(len(X)), w)
    net_r, last_r = _fit(X[rows], y[rows], None)
    np.testing.assert_allclose(net_w.forward(X, False), net_r.forward(X, False), atol=1e-12)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert last_w[key] == pytest.approx(last_r[key], abs=1e-12)


def test_zero_weight_rows_are_ignored():
    X, y, _ = _data()
    w = np.ones(len(X))
    w[::4] = 0
    net_w, _ = _fit(X, y, w)
    net_d, _ = _fit(X[w > 0], y[w > 0], None)
    np.testing.assert_allclose(net_w.forward(X, False), net_d.forward(X, False), atol=1e-12)


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
def test_bad_weights_name_the_row(bad):
    X, y, w = _data()
    w = w.astype(float)
    w[7] = bad
    with pytest.raises(SampleWeightError, match=r"sample_weight: weight .* at row 7 must be"):
        _fit(X, y, w)


def test_weight_shape_and_all_zero_are_errors():
    X, y, _ = _data()
    with pytest.raises(ShapeError, match=r"expected shape \(40,\)"):
        _fit(X, y, np.ones(39))
    with pytest.raises(SampleWeightError, match="every sample weight is zero"):
        _fit(X, y, np.zeros(40))


def test_validation_split_keeps_its_rows_weights_and_early_stopping_reads_them():
    X, y, w = _data(80)
    net = build_mlp({"input_size": 5, "output_size": 3, "hidden": [8], "dtype": "float64"})
    stop = EarlyStopping(patience=2)
    trainer = Trainer(net, batch_size=16, epochs=5, quiet=True, callbacks=[stop])
    trainer.fit(X, y, sample_weight=w, validation_split=0.25)
    val_rows = trainer.validation_data[2]
    expected = trainer.evaluate(X, y, rows=val_rows, weight=w)
    assert trainer.validation_weight is trainer.sample_weight
    assert expected["loss"] == pytest.approx(trainer.evaluate(X, y, val_rows, weight=w)["loss"])
    assert stop.best == pytest.approx(min(r["val_loss"] for r in trainer.history.records))


def test_unweighted_and_unit_weights_agree():
    X, y, _ = _data()
    net_a, last_a = _fit(X, y, None)
    net_b, last_b = _fit(X, y, np.ones(len(X)))
    np.testing.assert_allclose(net_a.forward(X, False), net_b.forward(X, False), atol=1e-12)
    assert last_a["accuracy"] == pytest.approx(last_b["accuracy"])
