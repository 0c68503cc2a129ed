import json

import numpy as np
import pytest

import mlplab.io
from mlplab.ensembles import Ensemble, load_ensemble
from mlplab.ensembles.evaluate import evaluate_models
from mlplab.errors import ConfigError, FileFormatError, ShapeError
from mlplab.runs import train


def _run(directory, seed, source="spiral", hidden=16):
    config = {
        "data": {"source": source},
        "network": {"hidden": [hidden]},
        "training": {"epochs": 3, "seed": seed, "lr": 0.01, "checkpoint_every": 0},
        "output": {"dir": str(directory), "plots": False},
    }
    return train(config).directory


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    return [_run(root / f"seed{s}", s, hidden=8 * (s + 1)) for s in range(3)]


@pytest.fixture(scope="module")
def x(runs):
    from mlplab.ensembles.evaluate import labelled_split

    features, _, _ = labelled_split(mlplab.io.load(runs[0]).config)
    return features


def test_probabilities_are_the_weighted_average_of_the_members(runs, x):
    models = [mlplab.io.load(r) for r in runs]
    member_p = [m.predict_proba(x).astype(np.float64) for m in models]
    equal = Ensemble(models)
    np.testing.assert_allclose(equal.predict_proba(x), sum(member_p) / 3, rtol=0, atol=1e-15)
    weighted = Ensemble(models, weights=[1, 2, 5])
    expected = (member_p[0] + 2 * member_p[1] + 5 * member_p[2]) / 8
    np.testing.assert_allclose(weighted.predict_proba(x), expected, rtol=0, atol=1e-15)
    p = weighted.predict_proba(x)
    np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-12)
    assert np.array_equal(weighted.predict(x), models[0].classes[p.argmax(1)])
    # the scores are log p: softmax of them gives p back, the loss is the NLL of p
    scores = weighted.scores(x)
    np.testing.assert_allclose(np.exp(scores), p, rtol=1e-12)
    y = np.arange(len(x)) % 3
    loss, _ = weighted.network.loss(scores, y)
    # members' float32 probabilities sum to 1 within ~1e-7: the loss normalizes them
    nll = -np.mean(np.log(p[np.arange(len(y)), y] / p.sum(1)))
    assert loss == pytest.approx(nll, rel=1e-12)
    assert weighted.network.parameter_count() == sum(m.network.parameter_count() for m in models)


def test_save_and_load_like_a_model(runs, x, tmp_path):
    ensemble = Ensemble([mlplab.io.load(r) for r in runs], weights=[1, 1, 2], sources=runs)
    path = ensemble.save(tmp_path / "ens")
    again = mlplab.io.load(path)
    assert isinstance(again, Ensemble) and again.kind == "average"
    assert np.array_equal(again.predict_proba(x), ensemble.predict_proba(x))
    assert np.allclose(again.weights, [0.25, 0.25, 0.5])
    assert again.sources == [str(r) for r in runs]
    with pytest.raises(ConfigError, match="already exists"):
        ensemble.save(path)
    ensemble.save(path, force=True)
    assert np.array_equal(load_ensemble(path).predict_proba(x), ensemble.predict_proba(x))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ens"]  # no staging left behind


def test_bad_ensembles_are_refused_with_one_line(runs, tmp_path):
    models = [mlplab.io.load(r) for r in runs]
    with pytest.raises(ConfigError, match="3 non-negative weights"):
        Ensemble(models, weights=[1, -1, 1])
    digits = mlplab.io.load(_run(tmp_path / "digits", 0, source="digits"))
    with pytest.raises(ShapeError, match="member 1 takes 64 features"):
        Ensemble([models[0], digits])
    path = Ensemble(models).save(tmp_path / "ens")
    index = path / "ensemble.json"
    document = json.loads(index.read_text())
    for change, message in [
        (lambda d: d.update(format_version=99), "format version 99 was written by.*upgrade"),
        (lambda d: d["members"][1].update(file="../../x.safetensors"), "outside the ensemble"),
        (lambda d: d["members"][2].update(file="members/nope.safetensors"), "is missing"),
        (lambda d: d.update(format="zip"), "not an mlplab ensemble"),
    ]:
        broken = json.loads(json.dumps(document))
        change(broken)
        index.write_text(json.dumps(broken))
        with pytest.raises(FileFormatError, match=message):
            mlplab.io.load(path)
    index.write_text("{not json")
    with pytest.raises(FileFormatError, match="invalid JSON"):
        mlplab.io.load(path)
    index.write_text(json.dumps(document))
    member = path / "members" / "01.safetensors"
    member.write_bytes(member.read_bytes()[:-7])
    with pytest.raises(FileFormatError, match="truncated"):
        mlplab.io.load(path)


def test_cli_ensemble_evaluate_and_predict(runs, x, tmp_path, cli):
    out = tmp_path / "ens"
    made = cli("ensemble", *runs, "--out", out, "--json")
    assert made.returncode == 0, made.stderr
    data = json.loads(made.stdout)
    assert len(data["members"]) == 3 and data["evaluated_on"] == "spiral (test split)"
    accuracy = data["ensemble"]["accuracy"]
    evaluated = cli("evaluate", out, "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["accuracy"] == pytest.approx(accuracy)
    info = cli("info", out, "--json")
    assert info.returncode == 0, info.stderr
    described = json.loads(info.stdout)
    assert described["kind"] == "average" and len(described["members"]) == 3
    assert "ensemble (average) of 3 models" in described["summary"]
    np.save(tmp_path / "x.npy", x[:5])
    predicted = cli("predict", out, tmp_path / "x.npy", "--proba")
    assert predicted.returncode == 0, predicted.stderr
    lines = predicted.stdout.strip().splitlines()
    expected = mlplab.io.load(out).predict_proba(x[:5])
    got = np.array([[float(v) for v in line.split(",")[1:]] for line in lines[1:]])
    np.testing.assert_allclose(got, expected, atol=1e-6)
    again = cli("ensemble", *runs, "--out", out)
    assert again.returncode == 2 and "--force" in again.stderr
    assert again.stderr.strip().count("\n") == 0
    one = cli("ensemble", runs[0], "--out", tmp_path / "one")
    assert one.returncode == 2 and "at least two runs" in one.stderr


def test_cli_ensemble_of_the_top_trials_of_a_search(tmp_path, cli):
    search_dir = tmp_path / "search"
    searched = cli(
        "search", "lr=log:3e-3..3e-2", "hidden=choice:[8]|[16]", "epochs=2", "--data", "spiral",
        "--trials", "3", "--pruner", "none", "--out", search_dir, "--json",
    )  # fmt: skip
    assert searched.returncode == 0, searched.stderr
    top = json.loads(searched.stdout)["top"]
    made = cli(
        "ensemble", "--search", search_dir, "--top", "2", "--out", tmp_path / "ens", "--json"
    )
    assert made.returncode == 0, made.stderr
    data = json.loads(made.stdout)
    assert [m["source"] for m in data["members"]] == [r["run"] for r in top[:2]]
    assert all("test_accuracy" not in r for r in top)  # trials are compared on validation only
    tested, _ = evaluate_models([mlplab.io.load(r["run"]) for r in top[:2]])
    assert [m["accuracy"] for m in data["members"]] == pytest.approx(
        [t["accuracy"] for t in tested], abs=1e-6
    )
    missing = cli("ensemble", "--search", tmp_path / "nowhere", "--out", tmp_path / "e2")
    assert missing.returncode == 2 and "trials.csv" in missing.stderr
