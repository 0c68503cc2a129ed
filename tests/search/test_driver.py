import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest

from mlplab.errors import ConfigError
from mlplab.search.driver import SearchSettings, Stage
from mlplab.search.run import search
from mlplab.search.space import parse_assignments
from tests.search.helpers import DIVERGE_ABOVE, accuracy, fake_train

ROOT = Path(__file__).resolve().parents[2]
SPACE = ["lr=log:1e-4..1e0", "hidden=choice:[16]|[32]"]


def settings(tmp_path, **kwargs):
    kwargs.setdefault("stages", [Stage(8, 3)])
    kwargs.setdefault("pruner", "none")
    return SearchSettings(out=str(tmp_path / "search"), poll=0.05, **kwargs)


def by_state(result, state):
    return [r for r in result.rows if r["state"] == state]


def test_diverging_trials_are_recorded_with_reason_and_the_search_goes_on(tmp_path):
    result = search(parse_assignments(SPACE), {}, settings(tmp_path), train_fn=fake_train)
    assert len(result.rows) == 8
    failed = by_state(result, "fail")
    assert failed, "the range reaches lr=1, so some trials must diverge"
    for r in failed:
        assert r["params"]["lr"] > DIVERGE_ABOVE
        assert r["reason"].startswith("DivergenceError: training diverged")
    for r in by_state(result, "complete"):
        assert r["val_accuracy"] == pytest.approx(accuracy(r["params"]["lr"]))
    assert len(by_state(result, "complete")) == 8 - len(failed)
    best = max(by_state(result, "complete"), key=lambda r: r["val_accuracy"])
    assert result.best["trial"] == best["trial"]
    lines = (tmp_path / "search" / "trials.csv").read_text().splitlines()
    assert lines[0].split(",")[:4] == ["stage", "trial", "state", "val_accuracy"]
    assert len(lines) == 9 and sum("DivergenceError" in line for line in lines) == len(failed)
    assert (tmp_path / "search" / "search.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    best_toml = (tmp_path / "search" / "best.toml").read_text()
    assert f"lr = {result.best['params']['lr']!r}" in best_toml


def test_random_sampling_depends_on_trial_number_not_on_worker_count(tmp_path):
    one = search(parse_assignments(SPACE), {}, settings(tmp_path / "a"), fake_train, plot=False)
    two = search(
        parse_assignments(SPACE), {}, settings(tmp_path / "b", jobs=2), fake_train, plot=False
    )
    params = [{r["trial"]: r["params"] for r in result.rows} for result in (one, two)]
    assert params[0] == params[1]
    assert len({p["lr"] for p in params[0].values()}) == 8


def test_coarse_to_fine_narrows_around_the_best_coarse_trials(tmp_path):
    stages = [Stage(16, 2), Stage(6, 4)]
    result = search(
        parse_assignments(SPACE), {}, settings(tmp_path, stages=stages), fake_train, plot=False
    )
    coarse, fine = result.spaces
    assert coarse.ranges["lr"].to_spec() == "log:0.0001..1"
    lr = fine.ranges["lr"]
    best = sorted(
        (r for r in result.rows if r["stage"] == 1 and r["state"] == "complete"),
        key=lambda r: -r["val_accuracy"],
    )[:4]
    assert all(lr.low <= r["params"]["lr"] <= lr.high for r in best)
    assert math.log10(lr.high / lr.low) < 0.7 * math.log10(1e0 / 1e-4)
    stage2 = [r for r in result.rows if r["stage"] == 2]
    assert len(stage2) == 6 and all(r["epochs"] == 4 for r in stage2)
    assert all(lr.low <= r["params"]["lr"] <= lr.high for r in stage2)
    assert result.best["stage"] == 2


def test_pruning_stops_hopeless_trials_early(tmp_path):
    result = search(
        parse_assignments(["lr=log:1e-4..1e-1"]), {},
        settings(tmp_path, stages=[Stage(16, 5)], pruner="median"), fake_train, plot=False,
    )  # fmt: skip
    pruned = by_state(result, "pruned")
    assert pruned
    assert all(r["epochs"] < 5 and r["reason"].startswith("pruned after epoch") for r in pruned)
    best_pruned = max(r["val_accuracy"] * 5 / r["epochs"] for r in pruned)
    assert best_pruned < max(r["val_accuracy"] for r in by_state(result, "complete"))


def test_resume_after_the_search_is_killed_mid_trial(tmp_path):
    out = tmp_path / "search"
    hang, log = tmp_path / "hang", tmp_path / "log"
    script = (
        "from mlplab.search.driver import SearchSettings, Stage\n"
        "from mlplab.search.run import search\n"
        "from mlplab.search.space import parse_assignments\n"
        "from tests.search.helpers import fake_train\n"
        f"search(parse_assignments({SPACE!r}), {{}}, SearchSettings(stages=[Stage(6, 2)],"
        f" out={str(out)!r}, pruner='none', poll=0.05), fake_train)\n"
    )
    env = dict(os.environ, PYTHONPATH=f"{ROOT / 'src'}:{ROOT}", FAKE_TRAIN_HANG=str(hang))
    env["FAKE_TRAIN_LOG"] = str(log)
    process = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not hang.exists():
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    hung_lr = float(log.read_text().split()[1])
    os.environ["FAKE_TRAIN_LOG"] = str(log)
    try:
        result = search(
            parse_assignments(SPACE), {}, settings(tmp_path, stages=[Stage(6, 2)]), fake_train
        )
    finally:
        del os.environ["FAKE_TRAIN_LOG"]
    interrupted = [r for r in result.rows if r["reason"] == "interrupted: worker gone"]
    assert len(interrupted) == 1 and interrupted[0]["params"]["lr"] == hung_lr
    finished = [
        r for r in result.rows if r["state"] in ("complete", "fail") and r not in interrupted
    ]
    assert len(finished) == 6  # the planned trials, the killed one run again
    lrs = [float(line.split()[1]) for line in log.read_text().splitlines()]
    assert lrs.count(hung_lr) == 2 and len(lrs) == 7  # nothing else ran twice
    assert len({r["trial"] for r in result.rows}) == 7


def test_resume_refuses_a_different_space(tmp_path):
    search(parse_assignments(SPACE), {}, settings(tmp_path, stages=[Stage(2, 1)]), fake_train)
    with pytest.raises(ConfigError, match="resume with the same ranges"):
        search(parse_assignments(["lr=log:1e-3..1e0"]), {}, settings(tmp_path), fake_train)


def test_unknown_option_and_sqlite_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="unknown training option 'learning_rate'"):
        search(parse_assignments(["learning_rate=log:1e-3..1"]), {}, settings(tmp_path))
    with pytest.raises(ConfigError, match="SQLite"):
        search(parse_assignments(SPACE), {}, settings(tmp_path, storage="sqlite:///x.db"))


def test_search_json_lists_trials(tmp_path, cli):
    out = tmp_path / "s"
    result = cli(
        "search", "lr=log:1e-3..1e-1", "hidden=choice:[8]|[16]", "epochs=1", "--data", "spiral",
        "--trials", "4", "--jobs", "2", "--out", out, "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert sum(data["trials"].values()) == 4
    assert data["best"]["config"]["training"]["epochs"] == 1
    assert data["best"]["config"]["data"]["source"] == "spiral"
    assert set(data["files"]) == {"trials", "plot", "best config"}
    study = optuna.load_study(
        study_name="search",
        storage=optuna.storages.JournalStorage(
            optuna.storages.journal.JournalFileBackend(str(out / "study.journal"))
        ),
    )
    assert all(t.user_attrs["worker"]["pid"] != os.getpid() for t in study.trials)
    again = cli("search", "lr=log:1e-3..1e-1", "hidden=choice:[8]|[16]", "epochs=1", "--data",
                "spiral", "--trials", "4", "--out", out)  # fmt: skip
    assert again.returncode == 0 and "resumed from" in again.stdout
    assert len(optuna.load_study(study_name="search", storage=study._storage).trials) == 4


def test_cli_bad_range_is_one_line(cli, tmp_path):
    result = cli("search", "lr=log:0..1", "--out", tmp_path / "s")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "LOW > 0" in result.stderr


def test_a_stage_where_every_trial_failed_stops_before_the_fine_stage(tmp_path):
    stages = [Stage(3, 1), Stage(2, 2)]
    space = parse_assignments(["lr=log:0.6..1"])  # every trial diverges
    with pytest.raises(ConfigError, match="no finished trial"):
        search(space, {}, settings(tmp_path, stages=stages), fake_train)
    names = [s.study_name for s in optuna.get_all_study_summaries(
        optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(
            str(tmp_path / "search" / "study.journal"))))]  # fmt: skip
    assert names == ["search-stage1"]  # no half-planned fine stage left behind


def test_hyperband_and_tpe_run(tmp_path):
    result = search(
        parse_assignments(SPACE), {},
        settings(tmp_path, stages=[Stage(10, 4)], pruner="hyperband", sampler="tpe"), fake_train,
        plot=False,
    )  # fmt: skip
    assert len(result.rows) == 10
    assert {r["state"] for r in result.rows} <= {"complete", "pruned", "fail"}
