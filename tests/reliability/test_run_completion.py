"""A run is ``complete`` only when everything it promises exists (model, metrics.csv, plots
when asked, report.html); ``mlplab report RUN`` rebuilds the plots and the report of any run
from its files and then marks it complete.

Faults: the disk fills while the plots or the report are written (a patched writer in process;
a tiny tmpfs when this machine can mount one), the process is killed with ``-9`` while it
writes the report.
"""

import errno
import json
import os
import signal
import subprocess
import sys

import pytest

from mlplab.errors import OutputError
from tests.reliability.helpers import ENV, fails_with_one_line, run_cli, train_small


def _disk_full(*args, **kwargs):
    raise OutputError(f"report.html: cannot write ({os.strerror(errno.ENOSPC)})")


@pytest.mark.parametrize("where", ["mlplab.runs.completion.write_report",
                                   "mlplab.runs.completion.draw_plots"])  # fmt: skip
def test_a_run_whose_report_or_plots_failed_is_not_complete(tmp_path, monkeypatch, where):
    out = tmp_path / "run"
    monkeypatch.setattr(where, _disk_full)
    with pytest.raises(OutputError, match="No space left"):
        train_small(out, plots=True)
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "incomplete" and "No space left" in info["error"]
    assert not (out / "report.html").exists()
    assert (out / "model.safetensors").is_file() and (out / "metrics.csv").is_file()
    monkeypatch.undo()
    result = run_cli("report", out)
    assert result.returncode == 0, result.stderr
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "complete" and "error" not in info
    assert (out / "report.html").is_file() and (out / "plots" / "learning_curves.png").is_file()


def test_resume_of_an_incomplete_run_points_to_mlplab_report(tmp_path, monkeypatch):
    out = tmp_path / "run"
    monkeypatch.setattr("mlplab.runs.completion.write_report", _disk_full)
    with pytest.raises(OutputError):
        train_small(out)
    fails_with_one_line("train", "--resume", out, match="mlplab report")


KILL_IN_REPORT = """
import os, signal, sys
import mlplab.runs.completion as completion
def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
completion.write_report = killed
import mlplab
mlplab.train({"data": {"source": "iris"}, "network": {"hidden": [8]},
              "training": {"epochs": 2}, "output": {"dir": sys.argv[1], "plots": True}})
"""


def test_kill_9_during_the_report_leaves_a_run_that_mlplab_report_completes(tmp_path):
    out = tmp_path / "run"
    env = dict(os.environ, **ENV)
    killed = subprocess.run([sys.executable, "-c", KILL_IN_REPORT, out], env=env)
    assert killed.returncode == -signal.SIGKILL
    assert json.loads((out / "run.json").read_text())["status"] == "running"
    assert not (out / "report.html").exists()
    result = run_cli("report", out)  # the dead process's lock is stale
    assert result.returncode == 0, result.stderr
    assert json.loads((out / "run.json").read_text())["status"] == "complete"
    assert (out / "report.html").is_file()


def test_report_rebuilds_the_same_metrics_and_epochs(tmp_path):
    out = tmp_path / "run"
    train_small(out)
    before = (out / "report.html").read_text()
    (out / "report.html").unlink()
    assert run_cli("report", out, "--quiet").returncode == 0
    after = (out / "report.html").read_text()

    def part(text, start, end):
        return text[text.index(start) : text.index(end)]

    for start, end in (("<h1>", "<tr><td>directory"), ("<h2>Network", "<h2>Config"),
                       ("<h2>Per epoch", "</body>")):  # fmt: skip
        assert part(after, start, end) == part(before, start, end)


def test_report_of_an_unfinished_run_says_to_resume(tmp_path):
    out = tmp_path / "run"
    train_small(out, checkpoint_every=1)
    (out / "model.safetensors").unlink()
    fails_with_one_line("report", out, match="did not finish.*--resume|no model")


def test_report_of_a_folder_that_is_not_a_run(tmp_path):
    (tmp_path / "config.toml").write_text("x = 1\n")
    fails_with_one_line("report", tmp_path, match="not an mlplab run directory")


def _tmpfs(path, size):
    path.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    )
    return done.returncode == 0


def test_disk_full_on_a_tiny_tmpfs_is_one_line_and_never_complete(tmp_path):
    disk = tmp_path / "disk"
    if os.geteuid() != 0 or not _tmpfs(disk, "200k"):
        pytest.skip("cannot mount a tmpfs here")
    try:
        result = run_cli("train", "--data", "iris", "--hidden", "8", "--epochs", "2", "-q",
                         "--out", disk / "run")  # fmt: skip
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "No space left" in lines[0], result.stderr
        info = json.loads((disk / "run" / "run.json").read_text())
        assert info["status"] != "complete"
        grown = ["mount", "-o", "remount,size=8m", str(disk)]  # room again: finish the report
        if (disk / "run" / "model.safetensors").is_file() and subprocess.run(grown).returncode == 0:
            assert run_cli("report", disk / "run").returncode == 0
            assert json.loads((disk / "run" / "run.json").read_text())["status"] == "complete"
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)
