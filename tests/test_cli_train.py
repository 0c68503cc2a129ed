"""End to end in subprocesses, as a user runs it: train -> evaluate -> predict -> info.

The default run (no arguments: ReLU, He, batch norm, dropout, AdamW with cosine decay and early
stopping on the built-in digits) must reach a test accuracy of at least 0.97; every bad input
gives exit code 2 and one line.
"""

import json
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

import mlplab
from mlplab.io import FORMAT, read_model_document
from tests.conftest import run_cli

pytestmark = pytest.mark.slow  # subprocesses that train: about 45 s of CPU for the module

ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
# the subprocesses import this very mlplab, whatever their working directory
PACKAGE_ROOT = {"PYTHONPATH": str(Path(mlplab.__file__).parents[1])}


def ok(*args, cwd=None, env=None):
    result = run_cli(*args, cwd=cwd, env={**PACKAGE_ROOT, **(env or {})})
    assert result.returncode == 0, result.stderr
    return result


def fails_with_one_line(*args, match, cwd=None, code=2):
    result = run_cli(*args, cwd=cwd, env=PACKAGE_ROOT)
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(match, lines[0]), lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def default_run(workdir):
    """`mlplab train` with no arguments, in a fresh directory."""
    result = ok("train", cwd=workdir)
    runs = sorted((workdir / "runs").iterdir())
    assert len(runs) == 1
    return runs[0], result


@pytest.fixture(scope="module")
def iris_csv(workdir):
    """Iris as a CSV file with a header and the species names as labels."""
    from sklearn.datasets import load_iris

    bunch = load_iris()
    path = workdir / "iris.csv"
    lines = ["sepal_length,sepal_width,species,petal_length,petal_width"]
    for row, target in zip(bunch.data, bunch.target, strict=True):
        a, b, c, d = (f"{v:g}" for v in row)
        lines.append(f"{a},{b},{bunch.target_names[target]},{c},{d}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def iris_run(workdir, iris_csv):
    """A small run from a CSV file with string labels (the species names)."""
    out = workdir / "iris-run"
    ok(
        "train",
        "--data",
        iris_csv,
        "--label",
        "species",
        "--hidden",
        "16",
        "--epochs",
        "60",
        "--lr",
        "0.01",
        "--early-stopping",
        "10",
        "--out",
        out,
        "--quiet",
        "--no-plots",
    )
    return out


def test_default_train_reaches_097_and_writes_the_run(default_run):
    run, result = default_run
    info = json.loads((run / "run.json").read_text())
    assert info["status"] == "complete"
    assert info["metrics"]["test"]["accuracy"] >= 0.97
    assert info["seconds"] > 0  # its speed is benchmarks/cold_start.py's to measure
    for name in (
        "model.safetensors",
        "config.toml",
        "metrics.csv",
        "report.html",
        "plots/learning_curves.png",
        "plots/layer_statistics.png",
        "plots/confusion_matrix.png",
        "checkpoints/last.safetensors",
    ):
        assert (run / name).is_file(), name
    # the final table names every split, the epochs, the time, the parameters and the directory
    for word in ("training", "validation", "test", "epochs", "parameters", str(run.name)):
        assert word in result.stdout
    assert f"{info['metrics']['test']['accuracy']:.4f}" in result.stdout
    assert "network 64 → 256 → 256 → 10 · " in result.stdout
    # progress: one line per epoch on stderr (not a terminal)
    assert result.stderr.count("epoch ") == info["epochs"]
    config = tomllib.loads((run / "config.toml").read_text())
    assert config["network"]["activation"] == "relu" and config["network"]["norm"] == "batch"
    assert config["training"]["optimizer"] == {"name": "adamw", "lr": 0.001, "weight_decay": 0.01}
    assert config["training"]["schedule"] == {"name": "cosine"}
    rows = (run / "metrics.csv").read_text().strip().splitlines()
    assert len(rows) == 1 + info["epochs"] and rows[0].startswith("epoch,loss")


def test_report_is_self_contained_and_names_test_accuracy(default_run):
    run, _ = default_run
    page = (run / "report.html").read_text()
    info = json.loads((run / "run.json").read_text())
    assert f"{info['metrics']['test']['accuracy']:.4f}" in page
    sources = re.findall(r'src="([^"]*)"', page)
    assert sources and all(
        re.fullmatch(r"data:image/png;base64,[A-Za-z0-9+/=]+", s) for s in sources
    )
    text = re.sub(r'src="data:image/png;base64,[A-Za-z0-9+/=]+"', 'src=""', page)
    assert "<script" not in text and "<link" not in text and "url(" not in text
    assert not re.search(r"(?i)(https?:|//|file:|@import)", text)
    assert "Linear" in page and "[training]" in page  # the network summary and the config
    # learning curves, confusion matrix, per-layer statistics, babysitting, batch-norm gap
    assert len(sources) == 5 and "Test set per class" in page


def test_evaluate_matches_the_run(default_run, workdir):
    run, _ = default_run
    info = json.loads((run / "run.json").read_text())
    plot = workdir / "confusion.png"
    result = ok("evaluate", run, "--json", "--plot", plot)
    data = json.loads(result.stdout)
    assert data["accuracy"] == pytest.approx(info["metrics"]["test"]["accuracy"])
    assert data["examples"] == info["metrics"]["test"]["examples"]
    confusion = np.array(data["confusion"])
    assert confusion.shape == (10, 10) and confusion.sum() == data["examples"]
    assert np.trace(confusion) / confusion.sum() == pytest.approx(data["accuracy"])
    assert len(data["precision"]) == len(data["recall"]) == 10
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = ok("evaluate", run, "--data", "digits").stdout
    assert "precision" in text and "confusion matrix" in text


def test_predict_npy_and_csv_with_proba(default_run, workdir):
    from sklearn.datasets import load_digits

    import mlplab.io

    run, _ = default_run
    x = load_digits().data[:25]
    expected = mlplab.io.load(run).predict(x).tolist()
    assert sum(a == b for a, b in zip(expected, load_digits().target[:25], strict=True)) >= 23
    np.save(workdir / "x.npy", x)
    lines = ok("predict", run, workdir / "x.npy").stdout.split()
    assert [int(v) for v in lines] == expected
    header = ",".join(f"p{i}" for i in range(64))
    np.savetxt(workdir / "x.csv", x, delimiter=",", header=header, comments="")
    proba = ok("predict", run, workdir / "x.csv", "--proba").stdout.strip().splitlines()
    assert proba[0].split(",") == ["prediction", *map(str, range(10))]
    assert [int(line.split(",")[0]) for line in proba[1:]] == expected
    values = np.array([[float(v) for v in line.split(",")[1:]] for line in proba[1:]])
    assert values.shape == (25, 10)
    np.testing.assert_allclose(values.sum(axis=1), 1.0, atol=1e-4)


def test_csv_data_with_string_labels(iris_run, iris_csv):
    from sklearn.datasets import load_iris

    names = load_iris().target_names
    truth = [line.split(",")[2] for line in iris_csv.read_text().split()[1:]]
    lines = ok("predict", iris_run, iris_csv).stdout.split()  # the label column is dropped
    assert set(lines) <= set(names) and len(lines) == 150
    assert np.mean(np.array(lines) == np.array(truth)) > 0.8
    data = json.loads(ok("predict", iris_run, iris_csv, "--proba", "--json").stdout)
    assert set(data[0]["proba"]) == set(names) and data[0]["prediction"] == lines[0]
    result = json.loads(
        ok("evaluate", iris_run, "--data", iris_csv, "--split", "all", "--json").stdout
    )
    assert result["examples"] == 150 and result["classes"] == sorted(names)
    assert result["accuracy"] == pytest.approx(np.mean(np.array(lines) == np.array(truth)))
    assert json.loads((iris_run / "run.json").read_text())["epochs"] <= 60


def test_no_hidden_layer_says_it_trains_a_linear_model(workdir):
    result = ok("train", "--hidden", "", "--epochs", "1", "--no-plots", "--out", workdir / "lin")
    assert "network 64 → 10 (linear: no hidden layer) · " in result.stdout


def test_info(default_run):
    run, _ = default_run
    text = ok("info", run).stdout
    assert "BatchNorm" in text and "adam" in text and "classes (10)" in text
    data = json.loads(ok("info", run / "model.safetensors", "--json").stdout)
    assert data["parameters"] > 0 and data["preprocessing"] == ["standardize"]


def test_config_round_trip_reproduces_the_weights(workdir):
    """Re-running a run's own config.toml gives bit-identical weights (one BLAS thread)."""
    import mlplab.io

    first = workdir / "first"
    flags = [
        "--hidden",
        "32,32",
        "--epochs",
        "3",
        "--dropout",
        "0.1",
        "--optimizer",
        "momentum",
        "--lr",
        "0.05",
        "--schedule",
        "cosine",
        "--weight-decay",
        "1e-4",
        "--seed",
        "7",
    ]
    ok("train", *flags, "--out", first, "--quiet", "--no-plots", env=ONE_THREAD)
    second = workdir / "second"
    ok("train", "--config", first / "config.toml", "--out", second, "--quiet", env=ONE_THREAD)
    assert (second / "plots").is_dir() is False  # the saved config keeps plots = false
    a, b = mlplab.io.load(first), mlplab.io.load(second)
    pairs = zip(a.network.parameters(), b.network.parameters(), strict=True)
    for (name, la, ka), (_, lb, kb) in pairs:
        np.testing.assert_array_equal(la.params[ka], lb.params[kb], err_msg=name)
    config = tomllib.loads((second / "config.toml").read_text())
    assert config["training"]["optimizer"]["name"] == "momentum" and config["network"][
        "hidden"
    ] == [32, 32]
    assert config["output"]["dir"] == ""  # a replay writes a new run directory


def test_flags_override_the_config_file(workdir):
    config = workdir / "base.toml"
    config.write_text("[network]\nhidden = [8]\n[training]\nepochs = 1\nlr = 0.5\n")
    out = workdir / "override"
    ok("train", "--config", config, "--lr", "0.002", "--out", out, "--quiet", "--no-plots")
    saved = tomllib.loads((out / "config.toml").read_text())
    assert saved["training"]["optimizer"]["lr"] == 0.002 and saved["network"]["hidden"] == [8]


def test_quiet_then_force_with_json(workdir):
    out = workdir / "forced"
    small = ["--epochs", "1", "--no-plots", "--out", out]
    result = ok("train", "--hidden", "8", *small, "--quiet")
    assert result.stdout == "" and result.stderr == ""
    result = ok("train", "--hidden", "9", "--epochs", "2", *small[2:], "--force", "--json")
    data = json.loads(result.stdout)
    assert data["status"] == "complete" and set(data["metrics"]) == {"train", "val", "test"}
    assert tomllib.loads((out / "config.toml").read_text())["network"]["hidden"] == [9]
    assert json.loads((out / "run.json").read_text())["epochs"] == 2 == data["epochs"]


def test_existing_run_directory_needs_force(iris_run, workdir):
    before = {p.name: p.read_bytes() for p in iris_run.iterdir() if p.is_file()}
    fails_with_one_line(
        "train",
        "--data",
        "iris",
        "--epochs",
        "1",
        "--out",
        iris_run,
        match="already exists.*--force",
    )
    after = {p.name: p.read_bytes() for p in iris_run.iterdir() if p.is_file()}
    assert after == before
    stranger = workdir / "not-a-run"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("mine")
    fails_with_one_line(
        "train", "--epochs", "1", "--out", stranger, "--force", match="not an mlplab run directory"
    )
    assert (stranger / "notes.txt").read_text() == "mine"
    fails_with_one_line(
        "train", "--epochs", "1", "--out", stranger / "notes.txt" / "run", match="cannot create"
    )


@pytest.mark.parametrize(
    "flags, match",
    [
        (["--lr", "abc"], "--lr.*must be a number"),
        (["--lr", "-1"], "training.optimizer: adamw: learning rate must be positive"),
        (["--epochs", "-1"], "training.epochs must be 0 .from the step budget. or more"),
        (["--steps", "0"], "training.steps must be at least 1"),
        (["--batch-size", "1.5"], "--batch-size.*must be an integer"),
        (["--activation", "swish"], "unknown activation 'swish'"),
        (["--optimizer", "adamax"], "unknown optimizer 'adamax'"),
        (["--init", "bogus"], "unknown initializer 'bogus'"),
        (["--hidden", "a,b"], "--hidden.*must be an integer"),
        (["--norm", "layer"], "network.norm must be none or batch"),
        (["--dropout", "1.5"], "network.dropout"),
        (["--schedule", "sawtooth"], "unknown schedule 'sawtooth'"),
        (["--callback", "nope"], "training.callbacks: unknown callback 'nope'"),
        (["--data", "no-such-file.csv"], "no-such-file.csv: no such file"),
        (["--config", "missing.toml"], "missing.toml: no such config file"),
        (["--no-such-flag"], "unrecognized arguments"),
    ],
)
def test_bad_train_input_is_exit_2_and_one_line(flags, match, workdir):
    fails_with_one_line("train", *flags, "--out", workdir / "never", match=match, cwd=workdir)
    assert not (workdir / "never").exists()


def test_bad_config_file(workdir):
    bad = workdir / "bad.toml"
    bad.write_text("[training]\nlrr = 0.1\n")
    fails_with_one_line("train", "--config", bad, match="unknown key 'training.lrr'")
    bad.write_text("[training\n")
    fails_with_one_line("train", "--config", bad, match="invalid TOML")


@pytest.fixture
def model_copy(iris_run, tmp_path):
    path = tmp_path / "model.safetensors"
    path.write_bytes((iris_run / "model.safetensors").read_bytes())
    return path


def test_bad_model_files_are_exit_2_and_one_line(model_copy, workdir):
    from safetensors.numpy import load, save

    x = workdir / "ones.npy"
    np.save(x, np.ones((3, 4)))
    blob = model_copy.read_bytes()
    model_copy.write_bytes(blob[: len(blob) - 10])
    fails_with_one_line("predict", model_copy, x, match="truncated")
    corrupt = bytearray(blob)
    corrupt[-3] ^= 0x55
    model_copy.write_bytes(bytes(corrupt))
    fails_with_one_line("evaluate", model_copy, match="corrupt")
    document, _ = read_model_document_from(blob)
    document["format_version"] += 1
    model_copy.write_bytes(
        save(load(blob), metadata={"format": FORMAT, "mlplab": json.dumps(document)})
    )
    fails_with_one_line("info", model_copy, match="format version 2.*upgrade")
    model_copy.write_text("just some text, not a model\n")
    fails_with_one_line("predict", model_copy, x, match="not a model")
    fails_with_one_line("info", workdir / "nowhere", match="no such")


def read_model_document_from(blob):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.safetensors"
        path.write_bytes(blob)
        return read_model_document(path)


def test_bad_prediction_input(iris_run, workdir):
    fails_with_one_line("predict", iris_run, workdir / "missing.csv", match="missing.csv: no such")
    wide = workdir / "wide.npy"
    np.save(wide, np.ones((2, 7)))
    fails_with_one_line(
        "predict", iris_run, wide, match=r"wide.npy: X has 7 features, but the model"
    )


def test_divergence_is_one_line_and_recorded(workdir):
    out = workdir / "diverged"
    flags = ["--optimizer", "sgd", "--lr", "1e4", "--norm", "none", "--no-plots", "--out", out]
    fails_with_one_line(
        "train", *flags, match="diverged.*learning rate is the usual suspect", code=3
    )
    assert json.loads((out / "run.json").read_text())["status"] == "failed"


def test_resume_without_checkpoint(workdir):
    empty = workdir / "empty-run"
    empty.mkdir()
    fails_with_one_line("train", "--resume", empty, match="not a run directory")


def test_killed_run_resumes_to_the_same_weights(workdir):
    """SIGKILL mid-run, `mlplab train --resume RUN`, and the weights equal an uninterrupted run."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import mlplab.io

    flags = ["--hidden", "64", "--epochs", "25", "--no-plots", "--quiet"]
    env = {**os.environ, **PACKAGE_ROOT, **ONE_THREAD}
    killed = workdir / "killed"
    process = subprocess.Popen(
        [sys.executable, "-m", "mlplab", "train", *flags, "--out", str(killed)], env=env
    )
    metrics = killed / "metrics.csv"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if metrics.is_file() and len(metrics.read_text().splitlines()) >= 4:  # 3 epochs done
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    if process.returncode != -signal.SIGKILL:
        pytest.skip("the run finished before it could be killed")
    assert json.loads((killed / "run.json").read_text())["status"] == "running"
    fails_with_one_line("info", killed, match="no model yet.*--resume")
    ok("train", "--resume", killed, "--quiet", env=ONE_THREAD)
    reference = workdir / "uninterrupted"
    ok("train", *flags, "--out", reference, env=ONE_THREAD)
    a, b = mlplab.io.load(killed), mlplab.io.load(reference)
    for (name, la, ka), (_, lb, kb) in zip(
        a.network.parameters(), b.network.parameters(), strict=True
    ):
        np.testing.assert_array_equal(la.params[ka], lb.params[kb], err_msg=name)
    assert len((killed / "metrics.csv").read_text().splitlines()) == 26


def test_prediction_columns_are_matched_by_name(iris_run, iris_csv, workdir):
    """A CSV whose columns come in another order than in training is matched by header name;
    a missing or unknown column is refused instead of predicting from the wrong features."""
    rows = [line.split(",") for line in iris_csv.read_text().split()]
    order = [4, 3, 1, 0]  # petal_width, petal_length, sepal_width, sepal_length
    swapped = workdir / "iris-swapped.csv"
    swapped.write_text("\n".join(",".join(r[c] for c in order) for r in rows) + "\n")
    features = workdir / "iris-features.csv"
    features.write_text("\n".join(",".join(r[c] for c in (0, 1, 3, 4)) for r in rows) + "\n")
    expected = ok("predict", iris_run, features).stdout.split()
    assert ok("predict", iris_run, swapped).stdout.split() == expected

    renamed = workdir / "iris-renamed.csv"
    renamed.write_text(swapped.read_text().replace("sepal_width", "sepal_w", 1))
    fails_with_one_line(
        "predict", iris_run, renamed, match=r"missing training column\(s\) 'sepal_width'.*'sepal_w'"
    )

    reordered = workdir / "iris-reordered.csv"
    order = [2, 4, 3, 1, 0]
    reordered.write_text("\n".join(",".join(r[c] for c in order) for r in rows) + "\n")
    original = json.loads(ok("evaluate", iris_run, "--data", iris_csv, "--json").stdout)
    moved = json.loads(ok("evaluate", iris_run, "--data", reordered, "--json").stdout)
    assert moved["accuracy"] == original["accuracy"]
