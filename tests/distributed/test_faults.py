"""Faults: a rank that raises or dies ends the whole job (no hang); bad input is reported once
with exit 2; a job killed with SIGKILL resumes on another number of ranks and ends where one
uninterrupted process ends."""

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file

from tests.distributed.conftest import HERE, environment, mpirun, python

SCRIPT = str(HERE / "ranks_train.py")
TRAIN = ["python", "-m", "mlplab", "train", "--distributed"]
RUN = ["--data", "digits", "--hidden", "16", "--norm", "batch", "--dropout", "0.1"]
RUN += ["--dtype", "float64", "--batch-size", "64", "--epochs", "10", "--no-plots", "-q"]


@pytest.mark.parametrize("fault", ["raise", "kill"])
def test_one_failing_rank_ends_every_rank(tmp_path, fault):
    started = time.monotonic()
    done = mpirun(2, "python", SCRIPT, str(tmp_path / "out"), "--fault", fault, timeout=90)
    assert done.returncode != 0
    assert time.monotonic() - started < 90
    assert not (tmp_path / "out.npz").exists()  # rank 0 did not finish either
    if fault == "raise":
        assert "rank 1 fails on purpose" in done.stderr


def test_bad_input_is_reported_once_with_exit_2(tmp_path):
    done = mpirun(2, *TRAIN, "--data", "missing.csv", "--out", "run", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("mlplab train:")]
    assert len(errors) == 1 and "error:" in errors[0] and "missing.csv" in errors[0], done.stderr
    assert list(tmp_path.iterdir()) == []  # no rank made a directory


def _descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (from /proc), children first."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def _weights(directory):
    return load_file(str(directory / "checkpoints" / "last.safetensors"))


def test_a_killed_job_resumes_on_other_ranks_as_one_process_trains(tmp_path):
    alone = python("-m", "mlplab", "train", *RUN, "--out", str(tmp_path / "alone"))
    assert alone.returncode == 0, alone.stderr
    # two ranks, no --out: rank 0 alone makes runs/<name>; SIGKILL the job once a checkpoint is in
    command = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-n", "2", *TRAIN, *RUN]
    job = subprocess.Popen(
        command, cwd=tmp_path, env=environment(), start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 90
    runs = tmp_path / "runs"
    while time.monotonic() < deadline and not list(runs.glob("*/checkpoints/last.safetensors")):
        time.sleep(0.02)
    for pid in [job.pid, *_descendants(job.pid)]:  # mpirun and the ranks (own process groups)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    job.wait(timeout=30)
    time.sleep(0.5)
    (directory,) = runs.iterdir()  # exactly one run directory
    assert '"running"' in (directory / "run.json").read_text(), "finished before it was killed"
    resumed = mpirun(4, *TRAIN, "--resume", str(directory), cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    expected, found = _weights(tmp_path / "alone"), _weights(directory)
    assert expected.keys() == found.keys()
    for key in expected:
        np.testing.assert_allclose(found[key], expected[key], rtol=0, atol=1e-10, err_msg=key)
    lines = (directory / "metrics.csv").read_text().splitlines()
    assert len(lines) == 1 + 10  # every epoch once, in rank 0's file


def _rank_pid(job: subprocess.Popen, rank: int) -> int | None:
    """The pid of rank ``rank`` of the job that ``mpirun`` (``job``) started, once it runs."""
    for pid in _descendants(job.pid):
        with contextlib.suppress(OSError):
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            if f"OMPI_COMM_WORLD_RANK={rank}".encode() in environ:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                if b"mlplab" in cmdline:
                    return pid
    return None


def test_sigterm_on_one_rank_stops_the_job_with_a_checkpoint_that_resumes_exactly(tmp_path):
    """SIGTERM to rank 1 alone: every rank stops at the same step, rank 0 saves that step and
    reports once (exit 143, run.json interrupted); a resume on one process ends where one
    uninterrupted process ends, the interrupted epoch's logged loss included."""
    run = [*RUN[:-4], "--epochs", "40", "--no-plots", "-q"]
    alone = python("-m", "mlplab", "train", *run, "--out", str(tmp_path / "alone"))
    assert alone.returncode == 0, alone.stderr
    directory = tmp_path / "run"
    command = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-n", "2", *TRAIN, *run]
    job = subprocess.Popen(
        [*command, "--out", str(directory)], cwd=tmp_path, env=environment(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not (directory / "checkpoints/last.safetensors").exists():
        time.sleep(0.02)
    os.kill(_rank_pid(job, 1), signal.SIGTERM)
    _, stderr = job.communicate(timeout=90)
    assert job.returncode == 143, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("mlplab train:")]
    assert len(lines) == 1 and "interrupted by SIGTERM at epoch" in lines[0], stderr
    assert "checkpoint saved" in lines[0] and "--resume" in lines[0], stderr
    assert '"interrupted"' in (directory / "run.json").read_text()
    resumed = python("-m", "mlplab", "train", "--resume", str(directory))
    assert resumed.returncode == 0, resumed.stderr
    expected, found = _weights(tmp_path / "alone"), _weights(directory)
    for key in expected:
        np.testing.assert_allclose(found[key], expected[key], rtol=0, atol=1e-10, err_msg=key)
    metrics = [(tmp_path / "alone" / "metrics.csv"), (directory / "metrics.csv")]
    (head, *alone_rows), (head2, *rows) = (m.read_text().splitlines() for m in metrics)
    assert head == head2 and len(rows) == len(alone_rows) == 40
    losses = [
        [float(r.split(",")[head.split(",").index("loss")]) for r in t] for t in (alone_rows, rows)
    ]
    np.testing.assert_allclose(losses[1], losses[0], rtol=0, atol=1e-10)


def test_divergence_is_reported_once_with_exit_3(tmp_path):
    run = ["--data", "digits", "--hidden", "16", "--optimizer", "sgd", "--lr", "1e4"]
    done = mpirun(
        2, *TRAIN, *run, "--epochs", "3", "--no-plots", "-q", "--out", "run", cwd=tmp_path
    )
    assert done.returncode == 3, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("mlplab")]
    assert len(lines) == 1 and "training diverged" in lines[0], done.stderr
    info = (tmp_path / "run" / "run.json").read_text()
    assert '"failed"' in info and '"diverged"' in info


def test_a_run_directory_in_use_is_refused_once_with_exit_2(tmp_path):
    done = mpirun(2, *TRAIN, *RUN, "--epochs", "1", "--out", "run", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (tmp_path / "run" / "run.json").write_text('{"status": "interrupted"}')
    (tmp_path / "run" / ".lock").write_text(str(os.getpid()))  # this live process holds it
    done = mpirun(2, *TRAIN, "--resume", "run", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("mlplab")]
    assert len(lines) == 1 and "in use by another mlplab process" in lines[0], done.stderr
