"""The search with no ranges, a time budget, a final ensemble; edges; the pruner's first epoch."""

import json
import time
from pathlib import Path

import optuna
import pytest

import mlplab.ensembles.files
from mlplab.errors import ConfigError
from mlplab.search.budget import parse_duration
from mlplab.search.driver import SearchSettings, Stage
from mlplab.search.edges import edge_of, edges
from mlplab.search.final import final_model
from mlplab.search.narrow import narrow
from mlplab.search.run import search
from mlplab.search.space import Range, parse_assignments
from tests.search.helpers import fake_train


def settings(tmp_path, **kwargs):
    kwargs.setdefault("pruner", "none")
    return SearchSettings(out=str(tmp_path / "search"), poll=0.05, **kwargs)


def test_the_median_pruner_lets_every_trial_run_two_epochs(tmp_path):
    result = search(
        parse_assignments(["lr=log:1e-4..1e-1"]), {},
        settings(tmp_path, stages=[Stage(16, 5)], pruner="median"), fake_train, plot=False,
    )  # fmt: skip
    pruned = [r for r in result.rows if r["state"] == "pruned"]
    assert pruned  # it does prune, and never after the first epoch alone
    assert all(r["epochs"] >= 2 and r["reason"].startswith("pruned after epoch") for r in pruned)


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("10m", 600), ("1h", 3600), ("1.5h", 5400), ("90", 90)]
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "10x", "m", "-5s", "0s", "1e9999h", "ten minutes"])
def test_bad_durations_are_refused_naming_the_option(text):
    with pytest.raises(ConfigError, match="^--budget: "):
        parse_duration(text)


def test_a_budget_stops_the_search_by_time_and_leaves_no_trial_open(tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_TRAIN_SLEEP", "0.05")  # 3 epochs: 0.15 s a trial
    start = time.perf_counter()
    result = search(
        parse_assignments(["lr=log:1e-4..1e-1"]), {},
        settings(tmp_path, stages=[Stage(None, 3)], budget_s=1.0), fake_train, plot=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0 + 0.05 + 6.0  # the budget, one epoch, the bookkeeping (a loaded CI)
    states = [r["state"] for r in result.rows]
    assert states.count("complete") >= 2
    assert set(states) <= {"complete", "pruned"}
    for r in result.rows:  # a trial the budget caught stopped at an epoch boundary
        if r["state"] == "pruned":
            assert r["reason"].startswith("stopped by the budget after epoch")
    study = optuna.load_study(
        study_name="search",
        storage=optuna.storages.JournalStorage(
            optuna.storages.journal.JournalFileBackend(str(tmp_path / "search/study.journal"))
        ),
    )
    open_states = (optuna.trial.TrialState.RUNNING, optuna.trial.TrialState.WAITING)
    assert not study.get_trials(states=open_states)


def test_a_budget_with_a_trial_count_stops_at_the_count(tmp_path):
    result = search(
        parse_assignments(["lr=log:1e-4..1e-1"]), {},
        settings(tmp_path, stages=[Stage(3, 2), Stage(2, 2)], budget_s=60.0), fake_train,
        plot=False,
    )  # fmt: skip
    assert [r["stage"] for r in result.rows] == [1, 1, 1, 2, 2]


def test_a_best_value_at_an_edge_is_named_and_coarse_to_fine_extends_past_it():
    space = parse_assignments(["lr=log:1e-6..1e-5", "dropout=0..0.5", "width=int:16..64"])
    results = [
        ({"lr": 9e-6, "dropout": 0.48, "width": 16}, 0.9),
        ({"lr": 5e-6, "dropout": 0.3, "width": 40}, 0.5),
        ({"lr": 2e-6, "dropout": 0.1, "width": 60}, 0.2),
    ]
    found = {e.name: e for e in edges(space, results[0][0])}
    assert {n: e.side for n, e in found.items()} == {
        "lr": "high",
        "dropout": "high",
        "width": "low",
    }
    assert "upper edge of log:1e-06..1e-05" in found["lr"].message()
    fine = narrow(space, results)
    assert fine.ranges["lr"].high == pytest.approx(1e-4)  # one decade (the old width) above
    assert 1e-6 <= fine.ranges["lr"].low < 2e-6
    assert 0.5 < fine.ranges["dropout"].high <= 0.95  # dropout stays a probability
    assert fine.ranges["width"] == Range(1, 64, integer=True)  # one unit at least
    shrink = narrow(space, results, extend=0)
    assert shrink.ranges["lr"].high == pytest.approx(1e-5)


def test_a_value_inside_its_range_or_at_the_end_of_its_domain():
    assert edge_of("lr", Range(1e-4, 1e-1, log=True), 3e-3) is None
    zero = edge_of("dropout", Range(0.0, 0.5), 0.0)
    assert zero.side == "low" and not zero.can_extend
    assert "valid values" in zero.message()


def test_one_command_from_data_to_an_ensemble_tested_once(tmp_path, cli):
    out = tmp_path / "s"
    result = cli(
        "search", "--data", "spiral", "--trials", "3", "--epochs", "1", "--ensemble", "2",
        "--out", out, "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data["ranges"][0]) == {"lr", "weight_decay", "dropout", "width"}
    assert all("test_accuracy" not in r for r in data["top"])  # trials: validation only
    assert "test_accuracy" not in (out / "trials.csv").read_text().splitlines()[0]
    run = json.loads((Path(data["top"][0]["run"]) / "run.json").read_text())
    assert "test" not in run["metrics"] and "val" in run["metrics"]
    final = data["final"]
    assert final["path"] == str(out / "ensemble") and len(final["members"]) == 2
    assert 0 <= final["test_accuracy"] <= 1 and "test split" in final["evaluated_on"]
    assert json.loads((out / "ensemble/ensemble.json").read_text())["format"] == "mlplab-ensemble"
    widths = {len(r["config"]["network"]["hidden"]) for r in data["top"]}
    assert widths == {2}  # width keeps the default network's depth
    text = cli("search", "--data", "spiral", "--trials", "3", "--epochs", "1", "--out", out)
    assert text.returncode == 0 and "final model (best trial)" in text.stdout
    assert "test accuracy" in text.stdout and "test acc " not in text.stdout


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--ensemble", "0"], "--ensemble: expected at least 1"),
        (["--ensemble", "5", "--trials", "2"], "--ensemble 5: more than the 2 trials"),
        (["--budget", "soon"], "--budget: expected a duration like 30s, 10m or 1h"),
        (["--budget", "0.001s", "--epochs", "2"], "--budget 0.001s: not one trial finished"),
    ],
)
def test_cli_refuses_in_one_line(args, match, cli, tmp_path):
    result = cli("search", "--data", "spiral", "--out", tmp_path / "s", *args)
    assert result.returncode == 2, result.stderr
    assert match in result.stderr and result.stderr.strip().count("\n") == 0


def test_an_ensemble_without_one_completed_trial_is_an_error(tmp_path):
    result = search(
        parse_assignments(["lr=log:1e-4..1e-1"]), {},
        settings(tmp_path, stages=[Stage(2, 1)]), fake_train, plot=False,
    )  # fmt: skip
    with pytest.raises(ConfigError, match="--ensemble 3: no trial of the last stage completed"):
        final_model(result, 3)  # the fake trainer saves no run: none to combine


def test_fewer_completed_trials_than_asked_make_a_smaller_ensemble_with_a_warning(tmp_path):
    result = search(
        parse_assignments(["lr=log:1e-3..1e-1"]), {"data": {"source": "spiral"}},
        settings(tmp_path, stages=[Stage(2, 1)]), plot=False,
    )  # fmt: skip
    final = final_model(result, 3)
    assert len(final["members"]) == 2 and final["kind"] == "ensemble of the best 2"
    assert "--ensemble 3: only 2 trial(s)" in final["short"] and "has 2" in final["short"]
    written = json.loads((tmp_path / "search/ensemble/ensemble.json").read_text())
    assert len(written["members"]) == 2
    assert 0 <= final["test_accuracy"] <= 1
    assert "short" not in final_model(result, 2)


def test_an_interrupted_ensemble_leaves_nothing_half_written(tmp_path, monkeypatch):
    result = search(
        parse_assignments(["lr=log:1e-3..1e-1"]), {"data": {"source": "spiral"}},
        settings(tmp_path, stages=[Stage(2, 1)]), plot=False,
    )  # fmt: skip
    saved = []
    real = mlplab.ensembles.files.save_model

    def interrupted(model, path):
        if saved:
            raise KeyboardInterrupt
        saved.append(path)
        return real(model, path)

    monkeypatch.setattr(mlplab.ensembles.files, "save_model", interrupted)
    with pytest.raises(KeyboardInterrupt):
        final_model(result, 2)
    assert saved
    assert not (tmp_path / "search/ensemble").exists()
    assert not [p for p in (tmp_path / "search").iterdir() if p.name.startswith(".ensemble")]
