"""Bad output paths and seeds: exit 2 with one line, no traceback, nothing already written lost.

Covers the single atomic-write helper (unwritable folder, a directory in the way, file
permissions), figure paths of every command that draws one, search and ensemble output
directories, negative seeds, and ``train --force`` over a run when the new training fails.
"""

import os
import re
from pathlib import Path

import numpy as np
import pytest

import mlplab
from mlplab.errors import ConfigError, FileFormatError
from mlplab.files.atomic import atomic_write as atomic_write_bytes
from tests.conftest import run_cli

PACKAGE_ROOT = {"PYTHONPATH": str(Path(mlplab.__file__).parents[1])}
MISSING = "/nonexistent-mlplab-folder/sub"


def fails_with_one_line(*args, match, cwd=None, code=2):
    result = run_cli(*args, cwd=cwd, env=PACKAGE_ROOT)
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(match, lines[0]), lines[0]
    return lines[0]


# -- the atomic-write helper ------------------------------------------------------------------
def test_atomic_write_gives_the_usual_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        path = atomic_write_bytes(tmp_path / "a.txt", "text")
    finally:
        os.umask(mask)
    assert path.read_text() == "text"
    assert path.stat().st_mode & 0o777 == 0o644


def test_atomic_write_into_a_missing_or_readonly_folder_is_a_file_error(tmp_path):
    with pytest.raises(FileFormatError, match="cannot write"):
        atomic_write_bytes(Path("/proc/mlplab-cannot-write-here.png"), b"x")
    if os.geteuid() != 0:  # root writes anywhere
        folder = tmp_path / "readonly"
        folder.mkdir()
        folder.chmod(0o500)
        with pytest.raises(FileFormatError, match="cannot write"):
            atomic_write_bytes(folder / "a.bin", b"x")


def test_atomic_write_over_a_directory_leaves_it_alone(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "keep").write_text("kept")
    with pytest.raises(FileFormatError, match="is a directory"):
        atomic_write_bytes(tmp_path / "d", b"x")
    assert (tmp_path / "d" / "keep").read_text() == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["d"]  # no temporary file left behind


# -- figure paths -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def iris_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad-output")
    run = mlplab.train(
        {
            "data": {"source": "iris"},
            "network": {"hidden": [8]},
            "training": {"epochs": 2},
            "output": {"dir": str(folder / "run"), "plots": False},
        }
    )
    return run.directory


@pytest.mark.parametrize(
    "args",
    [
        ["data", "info", "iris", "--plot", "/proc/mlplab-x.png"],
        ["perceptron-demo", "--epochs", "1", "--per-letter", "2", "--weights-png",
         "/proc/mlplab-x.png"],
        ["compare", "--dataset", "xor", "--epochs", "1", "--hidden", "4",
         "--boundaries-png", "/proc/mlplab-x.png"],
    ],
)  # fmt: skip
def test_unwritable_figure_path(args):
    fails_with_one_line(*args, match=r"/proc/mlplab-x\.png: cannot write")


def test_evaluate_plot_into_unwritable_folder_or_onto_a_directory(iris_run, tmp_path):
    fails_with_one_line("evaluate", iris_run, "--plot", "/proc/mlplab-x.png", match="cannot write")
    (tmp_path / "d.png").mkdir()
    fails_with_one_line("evaluate", iris_run, "--plot", tmp_path / "d.png", match="is a directory")


def test_ensemble_out_in_unwritable_place_keeps_the_members(iris_run):
    before = (iris_run / "model.safetensors").read_bytes()
    fails_with_one_line(
        "ensemble", iris_run, iris_run, "--out", "/proc/mlplab-ens", match="cannot create"
    )
    assert (iris_run / "model.safetensors").read_bytes() == before


def test_search_out_in_unwritable_place():
    pytest.importorskip("optuna")
    fails_with_one_line(
        "search", "lr=log:1e-3..1e-1", "--trials", "1", "--out", "/proc/mlplab-s",
        match=r"--out /proc/mlplab-s: cannot create",
    )  # fmt: skip


def test_search_without_optuna_says_what_to_install(monkeypatch, tmp_path):
    from mlplab.search.run import SearchSettings, search
    from mlplab.search.space import parse_assignments

    monkeypatch.setitem(__import__("sys").modules, "optuna", None)
    with pytest.raises(ConfigError, match=r"pip install 'mlplab\[search\]'"):
        search(parse_assignments(["lr=log:1e-3..1e-1"]), {}, SearchSettings(out=str(tmp_path)))


# -- seeds ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ["gradcheck", "--seed", "-1"],
        ["sanity", "--seed", "-1"],
        ["activations", "--seed", "-1"],
        ["compare", "--seed", "-1"],
        ["perceptron-demo", "--seed", "-1"],
        ["train", "--seed", "-1"],
        ["train", "--data-seed", "-1"],
    ],
)
def test_negative_seed(args):
    fails_with_one_line(*args, match=r"seed.*>= 0, got -1")


def test_negative_seed_in_the_api():
    with pytest.raises(ConfigError, match="training.seed"):
        mlplab.train({"data": {"source": "xor"}, "training": {"seed": -3}})


# -- train --force over a run -----------------------------------------------------------------
def test_force_keeps_the_old_run_when_the_new_training_fails(iris_run, tmp_path):
    import shutil

    old = tmp_path / "old"
    shutil.copytree(iris_run, old)
    files = {p.relative_to(old): p.read_bytes() for p in old.rglob("*") if p.is_file()}
    fails_with_one_line(
        "train", "--data", "iris", "--out", old, "--force", "--norm", "none",
        "--optimizer", "sgd", "--lr", "1e6", "--epochs", "2", "--no-plots", "-q",
        match=r"diverged.*the previous run is kept\)$", code=3,
    )  # fmt: skip
    assert {p.relative_to(old): p.read_bytes() for p in old.rglob("*") if p.is_file()} == files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old"]
    model = mlplab.load(old)
    assert model.predict(np.zeros((1, 4))).shape == (1,)


def test_force_replaces_the_old_run_when_the_new_one_completes(iris_run, tmp_path):
    import shutil

    old = tmp_path / "old"
    shutil.copytree(iris_run, old)
    run = mlplab.train(
        {
            "data": {"source": "iris"},
            "network": {"hidden": [5]},
            "training": {"epochs": 1},
            "output": {"dir": str(old), "plots": False},
        },
        force=True,
    )
    assert run.model.network.layers[0].params["W"].shape[1] == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old"]


def test_unwritable_output_is_an_os_error_too(tmp_path, monkeypatch):
    """A full disk mid-write: the caller can catch OSError as well as MlplabError."""
    from mlplab.errors import OutputError
    from mlplab.files import atomic

    target = atomic_write_bytes(tmp_path / "a.bin", b"old")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    with pytest.raises(OutputError, match="No space left") as error:
        atomic_write_bytes(target, b"new")
    assert isinstance(error.value, OSError) and isinstance(error.value, FileFormatError)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]


# -- ill-typed options ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, match",
    [
        (["train", "--callback", "update_ratio:every=x"], r"callback 'update_ratio': .*'x'"),
        (["sanity", "--tolerance", "nan"], "tolerance must be a positive number, got nan"),
        (["sanity", "--l2-check", "-1"], "l2 must be a positive number, got -1"),
    ],
)
def test_ill_typed_option(args, match):
    fails_with_one_line(*args, match=match)


def test_resume_of_a_complete_run_changes_nothing(iris_run, tmp_path):
    import shutil

    run = tmp_path / "done"
    shutil.copytree(iris_run, run)
    before = {p.relative_to(run): p.read_bytes() for p in run.rglob("*") if p.is_file()}
    fails_with_one_line("train", "--resume", run, match=r"already complete \(2 epochs\)")
    assert {p.relative_to(run): p.read_bytes() for p in run.rglob("*") if p.is_file()} == before


def test_ensemble_names_a_missing_run(iris_run, tmp_path):
    missing = tmp_path / "nope"
    fails_with_one_line(
        "ensemble", missing, "--out", tmp_path / "e", match=rf"^.*{missing}: no such"
    )
    fails_with_one_line(
        "ensemble", iris_run, missing, "--out", tmp_path / "e", match=rf"{missing}: no such"
    )
    assert not (tmp_path / "e").exists()


def test_a_network_too_large_for_memory_is_one_line(tmp_path):
    """Address space capped at 2 GiB: 100000×100000 weights cannot be allocated."""
    import resource
    import subprocess
    import sys

    limit = 2 * 1024**3

    def cap_memory():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    result = subprocess.run(
        [sys.executable, "-m", "mlplab", "train", "--hidden", "100000,100000", "--epochs", "1",
         "-q", "--out", str(tmp_path / "big")],
        capture_output=True, text=True, env={**os.environ, **PACKAGE_ROOT},
        preexec_fn=cap_memory, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "allocate" in lines[0] and "try smaller sizes" in lines[0], lines


def test_a_plot_file_must_be_named_png(tmp_path):
    from matplotlib.figure import Figure

    from mlplab.errors import ConfigError
    from mlplab.files.atomic import atomic_write_figure

    with pytest.raises(ConfigError, match=r"plot\.txt'.*\.png"):
        atomic_write_figure(Figure(), tmp_path / "plot.txt")
    assert not (tmp_path / "plot.txt").exists()
    assert atomic_write_figure(Figure(), tmp_path / "plot.PNG").exists()


def _files(directory):
    return {p.relative_to(directory): p.read_bytes() for p in directory.rglob("*") if p.is_file()}


def test_force_after_an_interrupted_force_keeps_the_finished_run(iris_run, tmp_path):
    """A --force that was killed midway left the finished run in .NAME.replaced and an
    unfinished one in NAME: the next --force must keep the finished run, not the unfinished."""
    import json
    import shutil

    old, kept = tmp_path / "old", tmp_path / ".old.replaced"
    shutil.copytree(iris_run, kept)
    shutil.copytree(iris_run, old)
    (old / "run.json").write_text(json.dumps({"status": "running"}))
    files = _files(kept)
    fails_with_one_line(
        "train", "--data", "iris", "--out", old, "--force", "--norm", "none",
        "--optimizer", "sgd", "--lr", "1e6", "--epochs", "2", "--no-plots", "-q",
        match=r"diverged.*the previous run is kept\)$", code=3,
    )  # fmt: skip
    assert _files(old) == files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old"]


def test_resuming_an_interrupted_force_run_removes_the_run_it_replaced(tmp_path):
    import json
    import shutil

    out = tmp_path / "new"
    config = {
        "data": {"source": "iris"},
        "training": {"epochs": 2, "checkpoint_every": 1},
        "output": {"dir": str(out), "plots": False},
    }
    mlplab.train(config)
    info = json.loads((out / "run.json").read_text())
    (out / "run.json").write_text(json.dumps(info | {"status": "interrupted"}))
    shutil.copytree(out, tmp_path / ".new.replaced")
    run = mlplab.resume(out)
    assert run.info["status"] == "complete"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new"]
