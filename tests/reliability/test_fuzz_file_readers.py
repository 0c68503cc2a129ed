"""Every file mlplab reads is untrusted: fuzzing the readers of mlplab's own files.

``run.json`` (``Run.open``, ``mlplab report``/``info``'s reader), the ensemble index
(``mlplab.load`` of an ensemble), the config TOML (``load_config``), model files and checkpoints
(the safetensors envelope: flipped, truncated, inserted bytes) are mutated by ``hypothesis``
(the mutations of ``test_fuzz_data_readers``) and read. Only documented errors may leave a
reader: an ``MlplabError`` whose message is one line. Example counts are bounded.
"""

import json
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

import mlplab
from mlplab.config import load_config
from mlplab.errors import MlplabError
from mlplab.runs.record import Run
from mlplab.training.checkpoint import load_checkpoint
from tests.reliability.helpers import train_small
from tests.reliability.test_fuzz_data_readers import FUZZ, mutate, mutation

#: JSON values a hostile writer might put anywhere
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("fuzz") / "run"
    train_small(out, checkpoint_every=1)
    return out


@pytest.fixture(scope="module")
def ensemble_dir(run_dir, tmp_path_factory):
    from mlplab.ensembles import Ensemble

    model = mlplab.load(run_dir)
    out = tmp_path_factory.mktemp("fuzz-ens") / "ens"
    Ensemble([model, model], sources=["a", "b"]).save(out)
    return out


def _only_documented(read):
    try:
        read()
    except MlplabError as e:
        assert "\n" not in str(e), str(e)


def _copy(source, tmp_path, name):
    target = tmp_path / name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    return target


# -- run.json -----------------------------------------------------------------------------------
@FUZZ
@given(steps=st.lists(mutation, min_size=1, max_size=3))
def test_run_json_bytes_mutated(run_dir, tmp_path, steps):
    out = _copy(run_dir, tmp_path, "run")
    path = out / "run.json"
    path.write_bytes(mutate(path.read_bytes(), steps))
    _only_documented(lambda: Run.open(out))


@FUZZ
@given(key=st.sampled_from(["status", "metrics", "data", "epochs", "format", "seconds"]),
       value=JSON_VALUES)  # fmt: skip
def test_run_json_values_replaced(run_dir, tmp_path, key, value):
    from mlplab.runs.completion import rebuild_outputs

    out = _copy(run_dir, tmp_path, "run")
    info = json.loads((out / "run.json").read_text())
    (out / "run.json").write_text(json.dumps(info | {key: value}))
    _only_documented(lambda: rebuild_outputs(out))


# -- the ensemble index -------------------------------------------------------------------------
@FUZZ
@given(steps=st.lists(mutation, min_size=1, max_size=3))
def test_ensemble_index_bytes_mutated(ensemble_dir, tmp_path, steps):
    out = _copy(ensemble_dir, tmp_path, "ens")
    path = out / "ensemble.json"
    path.write_bytes(mutate(path.read_bytes(), steps))
    _only_documented(lambda: mlplab.load(out))


@FUZZ
@given(key=st.sampled_from(["format", "format_version", "kind", "members"]), value=JSON_VALUES)
def test_ensemble_index_values_replaced(ensemble_dir, tmp_path, key, value):
    out = _copy(ensemble_dir, tmp_path, "ens")
    document = json.loads((out / "ensemble.json").read_text())
    (out / "ensemble.json").write_text(json.dumps(document | {key: value}))
    _only_documented(lambda: mlplab.load(out))


# -- the config TOML ----------------------------------------------------------------------------
@FUZZ
@given(steps=st.lists(mutation, min_size=1, max_size=3))
def test_config_toml_mutated(run_dir, tmp_path, steps):
    path = tmp_path / "config.toml"
    path.write_bytes(mutate((run_dir / "config.toml").read_bytes(), steps))
    _only_documented(lambda: load_config(path).validate())


# -- model files and checkpoints through the envelope ---------------------------------------------
@FUZZ
@given(steps=st.lists(mutation, min_size=1, max_size=3))
def test_model_file_mutated(run_dir, tmp_path, steps):
    path = tmp_path / "model.safetensors"
    path.write_bytes(mutate((run_dir / "model.safetensors").read_bytes(), steps))
    _only_documented(lambda: mlplab.load(path))


@FUZZ
@given(steps=st.lists(mutation, min_size=1, max_size=3))
def test_checkpoint_mutated(run_dir, tmp_path, steps):
    path = tmp_path / "last.safetensors"
    original = run_dir / "checkpoints" / "last.safetensors"
    path.write_bytes(mutate(original.read_bytes(), steps))
    _only_documented(lambda: load_checkpoint(path).restore_weights(mlplab.load(run_dir).network))


@FUZZ
@given(key=st.sampled_from(["status", "metrics", "epochs", "seconds", "finished"]),
       value=JSON_VALUES)  # fmt: skip
def test_run_json_values_shown_by_info(run_dir, tmp_path, key, value, capsys):
    from mlplab.cli import main

    out = _copy(run_dir, tmp_path, "run")
    info = json.loads((out / "run.json").read_text())
    (out / "run.json").write_text(json.dumps(info | {key: value}))
    assert main(["info", str(out)]) in (0, 2)
