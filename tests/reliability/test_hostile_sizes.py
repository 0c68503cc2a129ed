"""Hostile sizes in model files: a layer config edited to declare a huge layer is refused
before anything is allocated (before: 1.7 GB for 12000×12000, numpy's raw "Unable to allocate
298 GiB" for 200000×200000). Ensembles read their members through the same reader."""

import json
import shutil
import tracemalloc

import pytest

import mlplab
from mlplab.errors import FileFormatError
from tests.reliability.helpers import fails_with_one_line, rewrite_document, train_small

#: what reading a small model file may allocate at most
BOUND = 16 * 2**20


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile") / "run"
    train_small(out, plots=False)
    return out / "model.safetensors"


def _edited(model_file, tmp_path, change):
    path = tmp_path / "model.safetensors"
    shutil.copy(model_file, path)
    rewrite_document(path, change)
    return path


def _linear(document):
    return next(entry for entry in document["layers"] if entry["class"] == "Linear")


def _read_bounded(path):
    tracemalloc.start()
    try:
        with pytest.raises(FileFormatError) as caught:
            mlplab.load(path)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < BOUND, f"peak {peak} bytes"
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


@pytest.mark.parametrize("size", [12000, 200000])
def test_a_huge_declared_layer_is_refused_before_allocating(model_file, tmp_path, size):
    def change(document):
        _linear(document)["config"].update(in_features=size, out_features=size)

    path = _edited(model_file, tmp_path, change)
    assert "declares" in _read_bounded(path)
    fails_with_one_line("info", path, match="declares .* the file holds")


@pytest.mark.parametrize("key, value", [("num_features", 10**9), ("pieces", 10**6),
                                        ("in_features", -1), ("in_features", "4"),
                                        ("out_features", True)])  # fmt: skip
def test_every_size_key_is_checked(model_file, tmp_path, key, value):
    def change(document):
        entry = (
            next(e for e in document["layers"] if key in e["config"])
            if key != "pieces"
            else _linear(document)
        )
        entry["config"][key] = value

    _read_bounded(_edited(model_file, tmp_path, change))


def test_a_huge_preprocessing_width_is_refused(tmp_path):
    out = tmp_path / "run"
    mlplab.train({"data": {"source": "iris", "preprocess": ["standardize"]},
                  "network": {"hidden": [8]}, "training": {"epochs": 1},
                  "output": {"dir": str(out), "plots": False}})  # fmt: skip

    def change(document):
        document["preprocessing"]["steps"][0]["fitted"]["n_features_in_"] = 10**12

    assert "input features" in _read_bounded(_edited(out / "model.safetensors", tmp_path, change))


def test_an_ensemble_with_a_hostile_member_is_refused(model_file, tmp_path):
    from mlplab.ensembles import Ensemble

    model = mlplab.load(model_file)
    ensemble = tmp_path / "ens"
    Ensemble([model, model], sources=["a", "b"]).save(ensemble)

    def change(document):
        _linear(document)["config"].update(in_features=200000, out_features=200000)

    rewrite_document(ensemble / "members" / "01.safetensors", change)
    tracemalloc.start()
    try:
        with pytest.raises(FileFormatError, match="declares"):
            mlplab.load(ensemble)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < BOUND
    assert json.loads((ensemble / "ensemble.json").read_text())["format"] == "mlplab-ensemble"


def test_a_checkpoint_with_other_shapes_is_refused_before_copying(tmp_path):
    from mlplab.training.checkpoint import load_checkpoint

    out = tmp_path / "run"
    train_small(out, checkpoint_every=1)
    other = tmp_path / "other"
    config = {"data": {"source": "iris"}, "network": {"hidden": [16]}, "training": {"epochs": 1}}
    mlplab.train({**config, "output": {"dir": str(other), "plots": False}})
    checkpoint = load_checkpoint(out / "checkpoints" / "last.safetensors")
    with pytest.raises(FileFormatError, match="has shape .* the network expects"):
        checkpoint.restore_weights(mlplab.load(other).network)
