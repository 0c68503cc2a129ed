"""Regression, multi-label and binary runs through the CLI: train -> evaluate -> predict, with
metrics from sklearn.metrics, and the one-line errors of labels that do not fit the loss."""

import csv
import json

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_multilabel_classification, make_regression

from mlplab.data import load_data
from mlplab.errors import LabelError

TRAIN = ("--epochs", "40", "--lr", "0.01", "--hidden", "16", "--no-plots", "--quiet")


def _write_csv(path, x, y, label_names):
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow([*(f"x{i}" for i in range(x.shape[1])), *label_names])
        for row, target in zip(x, y.reshape(len(y), -1), strict=True):
            out.writerow([*row, *target])
    return path


def _train_evaluate(cli, tmp_path, data, *flags):
    run = tmp_path / "run"
    result = cli("train", "--data", data, *flags, *TRAIN, "--out", run)
    assert result.returncode == 0, result.stderr
    evaluated = cli("evaluate", run, "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    return run, json.loads(evaluated.stdout)


def test_regression_train_evaluate_predict(cli, tmp_path):
    x, y = make_regression(n_samples=300, n_features=4, noise=1.0, random_state=0)
    data = _write_csv(tmp_path / "reg.csv", x, y / 50, ["target"])
    run, result = _train_evaluate(cli, tmp_path, data, "--loss", "mse")
    assert result["task"] == "regression" and "accuracy" not in result
    assert result["r2"] > 0.5 and result["mae"] >= 0 and result["mse"] >= 0
    info = json.loads((run / "run.json").read_text())
    assert info["metrics"]["test"]["r2"] == pytest.approx(result["r2"])
    assert "Test R²" in (run / "report.html").read_text()
    np.save(tmp_path / "x.npy", x[:5])
    predicted = cli("predict", run, tmp_path / "x.npy")
    values = [float(v) for v in predicted.stdout.split()]
    assert predicted.returncode == 0 and len(values) == 5


def test_multilabel_from_csv_columns(cli, tmp_path):
    x, y = make_multilabel_classification(n_samples=300, n_features=5, n_classes=3, random_state=0)
    data = _write_csv(tmp_path / "ml.csv", x, y, ["p", "q", "r"])
    run, result = _train_evaluate(cli, tmp_path, data, "--loss", "bce", "--label", "p,q,r")
    assert result["task"] == "multilabel" and result["classes"] == ["p", "q", "r"]
    assert 0 <= result["accuracy"] <= 1
    assert len(result["f1"]) == 3 and {"micro avg", "macro avg", "weighted avg"} <= set(result)
    info = json.loads((run / "run.json").read_text())
    assert 0 <= info["metrics"]["train"]["accuracy"] <= 1
    predicted = cli("predict", run, data, "--json", "--proba")
    rows = json.loads(predicted.stdout)
    assert len(rows) == 300 and len(rows[0]["prediction"]) == 3
    assert set(rows[0]["proba"]) == {"p", "q", "r"}


def test_multilabel_from_npz_and_exact_match_accuracy(cli, tmp_path):
    x, y = make_multilabel_classification(n_samples=200, n_features=5, n_classes=4, random_state=1)
    path = tmp_path / "ml.npz"
    np.savez(path, x_train=x[:150], y_train=y[:150], x_test=x[150:], y_test=y[150:])
    run, result = _train_evaluate(cli, tmp_path, path, "--loss", "bce")
    from sklearn.metrics import accuracy_score, f1_score

    from mlplab import load

    model = load(run)
    predicted = model.predict(x[150:])
    assert predicted.shape == (50, 4)
    assert result["accuracy"] == pytest.approx(accuracy_score(y[150:], predicted))
    assert result["macro avg"]["f1"] == pytest.approx(
        f1_score(y[150:], predicted, average="macro", zero_division=0)
    )


def test_binary_with_string_classes(cli, tmp_path):
    x, y = make_classification(n_samples=300, n_features=5, random_state=0)
    data = _write_csv(tmp_path / "bin.csv", x, np.where(y == 1, "yes", "no"), ["label"])
    run, result = _train_evaluate(cli, tmp_path, data, "--loss", "bce")
    assert result["task"] == "binary" and result["classes"] == ["no", "yes"]
    assert result["accuracy"] > 0.8 and len(result["confusion"]) == 2
    assert {"f1", "macro avg", "weighted avg", "precision", "recall"} <= set(result)
    predicted = cli("predict", run, data, "--proba")
    lines = predicted.stdout.splitlines()
    assert lines[0] == "prediction,no,yes" and lines[1].split(",")[0] in ("no", "yes")


@pytest.mark.parametrize(
    ("loss", "labels", "flags", "message"),
    [
        ("mse", ["1.5", "abc"], (), "column 2 'target': non-numeric value 'abc'"),
        ("mse", ["yes", "no"], (), "column 2 'target': non-numeric value"),
        ("bce", ["0", "2"], ("--label", "target,other"), "label column 'target' has 2.0"),
    ],
)
def test_labels_that_do_not_fit_the_loss(cli, tmp_path, loss, labels, flags, message):
    path = tmp_path / "bad.csv"
    rows = ["a,b,target,other"] + [f"{i},{i % 3},{labels[i % 2]},{i % 2}" for i in range(40)]
    path.write_text("\n".join(rows) + "\n")
    result = cli("train", "--data", path, "--loss", loss, *flags, *TRAIN, "--out", tmp_path / "r")
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()


def test_bce_with_three_classes_says_what_to_do(tmp_path):
    from mlplab.data.targets import output_size

    dataset = load_data("iris", targets="binary")
    with pytest.raises(LabelError, match="needs 2 classes, got 3"):
        output_size(dataset.labels, "binary")


def test_default_classification_still_reports_precision_recall_confusion(cli, tmp_path):
    run, result = _train_evaluate(cli, tmp_path, "iris", "--loss", "softmax")
    assert {"precision", "recall", "confusion", "f1", "macro avg", "weighted avg"} <= set(result)
    assert result["task"] == "classification" and result["accuracy"] <= 1


def test_config_accepts_every_task_and_refuses_class_weight_for_regression():
    from mlplab.config import RunConfig
    from mlplab.errors import ConfigError

    for loss in ("softmax", "svm", "bce", "mse", "huber"):
        RunConfig.from_dict({"network": {"loss": loss}}).validate()
    config = {"network": {"loss": "mse"}, "training": {"class_weight": "balanced"}}
    with pytest.raises(ConfigError, match="training.class_weight"):
        RunConfig.from_dict(config).validate()


def test_targets_travel_with_the_model_file(tmp_path):
    from mlplab.data.targets import Targets, labels_from_state

    targets = Targets("multilabel", ["p", "q"]).fit(np.array([[0, 1], [1, 0]]))
    again = labels_from_state(json.loads(json.dumps(targets.to_state())))
    assert again.kind == "multilabel" and again.classes_.tolist() == ["p", "q"]
    assert labels_from_state({"kind": "str", "classes": ["a", "b"]}).n_classes == 2


def test_several_label_columns_need_bce(tmp_path):
    path = tmp_path / "ml.npz"
    x, y = make_multilabel_classification(n_samples=40, n_features=3, n_classes=3, random_state=0)
    np.savez(path, x_train=x[:30], y_train=y[:30], x_test=x[30:], y_test=y[30:])
    with pytest.raises(LabelError, match="ml.npz y_train: 3 label columns .* use --loss bce"):
        load_data(path)
