"""Nothing a user owns is lost: ``--force`` replaces only what mlplab wrote and can prove it
wrote; one process per run directory; read-only targets are refused in one line.

Cases (docs/reliability.md, "Files and directories"): a user's project holding a config.toml,
a folder holding a stranger's ensemble.json, the marker in every run and ensemble directory,
runs written before the marker, two trainings and two resumes of one directory, a stale lock,
``--out`` on a read-only folder.
"""

import json
import os
import subprocess
import sys
import time

import pytest

import mlplab
from mlplab.errors import ConfigError
from mlplab.runs.directory import RUN_FORMAT, is_run_directory
from mlplab.runs.lock import LOCK_FILE
from tests.reliability.helpers import (
    ENV,
    fails_with_one_line,
    files,
    read_only_folder,
    train_small,
)

QUICK = ["--data", "iris", "--hidden", "8", "--epochs", "1", "--no-plots", "-q"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "run"
    train_small(out)
    return out


def _project(path):
    """A user's project folder: a config.toml of their own, code, data."""
    path.mkdir()
    (path / "config.toml").write_text('[tool.mine]\nname = "thesis"\n')
    (path / "analysis.py").write_text("print('mine')\n")
    (path / "data.csv").write_text("a,b\n1,2\n")
    return path


# -- --force ------------------------------------------------------------------------------------
def test_force_refuses_a_users_project_holding_a_config_toml(tmp_path):
    project = _project(tmp_path / "project")
    before = files(project)
    fails_with_one_line(
        "train", *QUICK, "--out", project, "--force", match="not an mlplab run directory"
    )
    assert files(project) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]


def test_force_refuses_a_run_json_that_mlplab_did_not_write(tmp_path):
    project = _project(tmp_path / "project")
    (project / "run.json").write_text(json.dumps({"status": "mine"}))
    before = files(project)
    fails_with_one_line("train", *QUICK, "--out", project, "--force", match="not an mlplab run")
    assert files(project) == before


def test_every_run_directory_carries_the_marker(run_dir):
    info = json.loads((run_dir / "run.json").read_text())
    assert info["format"] == RUN_FORMAT and info["format_version"] == 1
    assert info["mlplab_version"] == mlplab.__version__
    assert not (run_dir / LOCK_FILE).exists()  # released when the run ends


def test_runs_written_before_the_marker_are_still_proven(run_dir, tmp_path):
    import shutil

    old = tmp_path / "old"
    shutil.copytree(run_dir, old)
    info = json.loads((old / "run.json").read_text())
    for key in ("format", "format_version"):
        del info[key]
    (old / "run.json").write_text(json.dumps(info))
    assert is_run_directory(old)
    del info["mlplab_version"]
    (old / "run.json").write_text(json.dumps(info))
    assert not is_run_directory(old)


def test_force_replaces_a_proven_run(run_dir, tmp_path):
    import shutil

    out = tmp_path / "run"
    shutil.copytree(run_dir, out)
    result = subprocess.run(
        [sys.executable, "-m", "mlplab", "train", *QUICK, "--out", out, "--force"],
        capture_output=True, text=True, env=dict(os.environ, **ENV),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads((out / "run.json").read_text())["epochs"] == 1


def test_ensemble_force_refuses_a_stranger_ensemble_json(run_dir, tmp_path):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "ensemble.json").write_text('{"my": "notes"}')
    (target / "notes.txt").write_text("mine")
    before = files(target)
    fails_with_one_line(
        "ensemble", run_dir, run_dir, "--out", target, "--force", match="not an mlplab ensemble"
    )
    assert files(target) == before


def test_ensemble_force_replaces_an_ensemble_mlplab_wrote(run_dir, tmp_path):
    from mlplab.ensembles import Ensemble

    target = tmp_path / "ens"
    models = [mlplab.load(run_dir), mlplab.load(run_dir)]
    Ensemble(models, sources=["a", "b"]).save(target)
    index = json.loads((target / "ensemble.json").read_text())
    assert index["format"] == "mlplab-ensemble" and index["format_version"] == 1
    Ensemble(models, sources=["c", "d"]).save(target, force=True)
    assert json.loads((target / "ensemble.json").read_text())["members"][0]["source"] == "c"


# -- one process per run directory ---------------------------------------------------------------
@pytest.fixture
def live_pid():
    """The pid of a live process that is not this one."""
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield sleeper.pid
    sleeper.kill()
    sleeper.wait()


def test_a_second_training_into_a_locked_run_is_refused(run_dir, tmp_path, live_pid):
    import shutil

    out = tmp_path / "run"
    shutil.copytree(run_dir, out)
    (out / LOCK_FILE).write_text(str(live_pid))
    before = files(out)
    fails_with_one_line(
        "train",
        *QUICK,
        "--out",
        out,
        "--force",
        match=f"in use by another mlplab process \\(pid {live_pid}\\)",
    )
    assert files(out) == before


def test_a_second_resume_of_a_locked_run_is_refused(tmp_path, live_pid):
    out = tmp_path / "run"
    train_small(out, checkpoint_every=1)
    info = json.loads((out / "run.json").read_text())
    (out / "run.json").write_text(json.dumps(info | {"status": "interrupted"}))
    (out / LOCK_FILE).write_text(str(live_pid))
    before = files(out)
    fails_with_one_line("train", "--resume", out, match="in use by another mlplab process")
    assert files(out) == before


def test_a_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    out = tmp_path / "run"
    train_small(out, checkpoint_every=1)
    info = json.loads((out / "run.json").read_text())
    (out / "run.json").write_text(json.dumps(info | {"status": "interrupted"}))
    (out / LOCK_FILE).write_text(str(dead.pid))
    run = mlplab.resume(out)
    assert run.info["status"] == "complete" and not (out / LOCK_FILE).exists()


def test_two_trainings_started_together_one_wins_the_other_is_refused(tmp_path):
    out = tmp_path / "run"
    env = dict(os.environ, **ENV)
    command = [
        sys.executable,
        "-m",
        "mlplab",
        "train",
        "--epochs",
        "40",
        "--no-plots",
        "--out",
        out,
    ]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.time() + 120
    while not (out / LOCK_FILE).exists() and time.time() < deadline:
        time.sleep(0.05)
    second = subprocess.run(command + ["--force"], capture_output=True, text=True, env=env)
    assert first.poll() is None, "the first training ended before the second started"
    assert second.returncode == 2, second.stderr
    assert "in use by another mlplab process" in second.stderr
    assert len(second.stderr.strip().splitlines()) == 1
    assert first.wait(timeout=600) == 0, first.stderr.read()
    assert json.loads((out / "run.json").read_text())["status"] == "complete"
    assert (out / "report.html").is_file()


def test_lock_is_exclusive_within_one_directory(tmp_path, live_pid):
    from mlplab.runs import lock

    (tmp_path / LOCK_FILE).write_text(str(live_pid))
    with pytest.raises(ConfigError, match="in use"):
        lock.acquire(tmp_path)
    (tmp_path / LOCK_FILE).write_text("not a pid")  # garbage: stale
    lock.acquire(tmp_path)
    assert (tmp_path / LOCK_FILE).read_text() == str(os.getpid())
    lock.release(tmp_path)
    assert not (tmp_path / LOCK_FILE).exists()


# -- read-only targets ---------------------------------------------------------------------------
def test_out_in_a_read_only_folder_is_one_line_exit_2(tmp_path):
    folder = tmp_path / "ro"
    with read_only_folder(folder) as ok:
        if not ok:
            pytest.skip("cannot make a read-only folder here")
        fails_with_one_line("train", *QUICK, "--out", folder / "run", match="cannot")
        fails_with_one_line("train", *QUICK, "--out", folder, match="cannot")
