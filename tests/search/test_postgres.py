"""Two workers on one PostgreSQL study finish the trials together: none twice, none lost."""

import os
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest

from mlplab.search.storage import open_storage

ROOT = Path(__file__).resolve().parents[2]
TRIALS = 10
RANGES = ["lr=log:1e-4..1e-1", "hidden=choice:[16]|[32]"]

WORKER = """
import sys, time
from pathlib import Path
from mlplab.search.driver import SearchSettings, Stage, work
from mlplab.search.space import parse_assignments
from tests.search.helpers import fake_train
go = Path(sys.argv[3])
while not go.exists():
    time.sleep(0.02)
settings = SearchSettings(stages=[Stage({trials}, 3)], storage=sys.argv[1], study="shared",
                          out=sys.argv[2], pruner="none", poll=0.05)
work(parse_assignments({ranges!r}), {{}}, settings, fake_train, worker=int(sys.argv[4]))
"""


@pytest.mark.slow
def test_two_workers_share_one_postgres_study(postgres_url, tmp_path, cli):
    log, go = tmp_path / "trials.log", tmp_path / "go"
    env = dict(os.environ, PYTHONPATH=f"{ROOT / 'src'}:{ROOT}", FAKE_TRAIN_LOG=str(log))
    env["FAKE_TRAIN_SLEEP"] = "0.05"
    script = WORKER.format(trials=TRIALS, ranges=RANGES)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, postgres_url, str(tmp_path / f"w{i}"), str(go), str(i)],
            env=env,
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for i in range(2)
    ]
    time.sleep(1.0)  # both workers imported and waiting: they start together
    go.touch()
    for w in workers:
        _, err = w.communicate(timeout=240)
        assert w.returncode == 0, err

    study = optuna.load_study(study_name="shared", storage=open_storage(postgres_url))
    trials = study.get_trials()
    assert [t.number for t in trials] == list(range(TRIALS))
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    runs = [line.split() for line in log.read_text().splitlines()]
    assert len(runs) == TRIALS  # every trial trained exactly once
    assert sorted(float(lr) for _, lr in runs) == sorted(t.params["lr"] for t in trials)
    assert len({pid for pid, _ in runs}) == 2  # both workers did some of them

    # the CLI reads the shared study back (and has nothing left to run)
    result = cli(
        "search",
        *RANGES,
        "--storage",
        postgres_url,
        "--study",
        "shared",
        "--trials",
        TRIALS,
        "--out",
        tmp_path / "report",
        "--pruner",
        "none",
        "--epochs",
        "3",
    )
    assert result.returncode == 0, result.stderr
    assert f"{TRIALS} complete" in result.stdout
    assert len(optuna.load_study(study_name="shared", storage=study._storage).trials) == TRIALS
