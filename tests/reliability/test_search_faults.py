"""Faults injected into hyperparameter searches: a worker killed with -9, a journal cut by a
crash, data or fixed values that would fail every trial.

Promises: a search whose requested trials all ran ends successfully (exit 0) however its workers
ended, with ``trials.csv`` written and the dead worker's trial marked failed (its run no longer
``running``); a journal whose last record was cut is repaired (backup beside it, a warning
naming it) instead of failing forever; what would fail every trial is refused before the first.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from mlplab.search.driver import SearchSettings, Stage
from mlplab.search.run import search
from mlplab.search.space import parse_assignments
from tests.search.helpers import fake_train

ROOT = Path(__file__).resolve().parents[2]
SPACE = ["lr=log:1e-4..1e-1"]


def test_a_worker_killed_mid_trial_does_not_fail_a_finished_search(tmp_path):
    out, hang = tmp_path / "search", tmp_path / "hang"
    script = (
        "from mlplab.search.driver import SearchSettings, Stage\n"
        "from mlplab.search.run import search\n"
        "from mlplab.search.space import parse_assignments\n"
        "from tests.reliability.search_helpers import hanging_train\n"
        f"search(parse_assignments({SPACE!r}), {{}}, SearchSettings(stages=[Stage(4, 2)],"
        f" out={str(out)!r}, pruner='none', poll=0.05, jobs=2), hanging_train, plot=False)\n"
    )
    env = dict(os.environ, PYTHONPATH=f"{ROOT / 'src'}:{ROOT}", FAKE_TRAIN_HANG=str(hang))
    process = subprocess.Popen(
        [sys.executable, "-c", script], env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while not (hang.exists() and hang.read_text()):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(int(hang.read_text()), signal.SIGKILL)
        _, stderr = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    assert "warning: worker(s)" in stderr and "exit code -9" in stderr
    rows = (out / "trials.csv").read_text().splitlines()
    assert len(rows) == 1 + 5  # the 4 planned trials and the interrupted one
    assert sum("interrupted: worker gone" in row for row in rows) == 1
    statuses = [
        json.loads((d / "run.json").read_text())["status"] for d in (out / "trials").iterdir()
    ]
    assert sorted(statuses) == ["complete"] * 4 + ["interrupted"]


def _settings(tmp_path, trials):
    return SearchSettings(
        stages=[Stage(trials, 2)], out=str(tmp_path / "search"), pruner="none", poll=0.05
    )


def test_a_journal_cut_by_a_crash_is_repaired_and_the_search_goes_on(tmp_path, capfd):
    script = (
        "from mlplab.search.driver import SearchSettings, Stage\n"
        "from mlplab.search.run import search\n"
        "from mlplab.search.space import parse_assignments\n"
        "from tests.search.helpers import fake_train\n"
        f"search(parse_assignments({SPACE!r}), {{}}, SearchSettings(stages=[Stage(3, 2)],"
        f" out={str(tmp_path / 'search')!r}, pruner='none', poll=0.05), fake_train, plot=False)\n"
    )
    env = dict(os.environ, PYTHONPATH=f"{ROOT / 'src'}:{ROOT}")
    subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True, timeout=120)
    journal = tmp_path / "search" / "study.journal"
    whole = journal.read_bytes()
    journal.write_bytes(whole[:-7])  # the last record (the last trial's end) cut mid-line
    with open(journal, "ab") as f:  # the next process appended a whole record after it
        f.write(whole[whole.rindex(b"\n", 0, -1) + 1 :])
    result = search(parse_assignments(SPACE), {}, _settings(tmp_path, 3), fake_train, plot=False)
    err = capfd.readouterr().err
    backups = list(journal.parent.glob("study.journal.bad-*"))
    assert len(backups) == 1 and str(journal) in err and "bytes" in err and str(backups[0]) in err
    assert len(err.strip().splitlines()) == 1
    assert len([r for r in result.rows if r["state"] == "complete"]) == 3
    search(parse_assignments(SPACE), {}, _settings(tmp_path, 3), fake_train, plot=False)
    assert capfd.readouterr().err == ""  # repaired once, intact since


def test_unreadable_data_is_refused_before_the_first_trial(tmp_path, cli):
    for args in (["--data", "/etc/passwd"], ["lr=-1"], ["hidden=0"]):
        out = tmp_path / "out"
        result = cli("search", "dropout=0..0.5", *args, "--trials", "2", "--epochs", "1",
                     "--out", out)  # fmt: skip
        assert result.returncode == 2, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert not out.exists()
