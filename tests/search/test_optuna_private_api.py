"""The two places search/driver.py uses Optuna below its public API, held by a test.

``study._storage.set_trial_state_values(trial._trial_id, RUNNING)`` claims a queued trial
atomically across workers, and ``set_trial_user_attr``/``set_trial_state_values(FAIL)`` on another
worker's trial recovers it (Optuna has no public call for either). pyproject pins Optuna below its
next major; when an upgrade moves these names, this test fails before a search does.
"""

import re
import tomllib
from pathlib import Path

import pytest

optuna = pytest.importorskip("optuna")

from mlplab.search.driver import _claim_waiting  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def test_installed_optuna_is_inside_the_pinned_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = [d for d in project["optional-dependencies"]["search"] if d.startswith("optuna")]
    assert pins, "the search extra declares optuna"
    upper = re.search(r"<\s*(\d+)", pins[0])
    assert upper, f"{pins[0]}: pin optuna below its next major (private API in use)"
    assert int(optuna.__version__.split(".")[0]) < int(upper.group(1))


def test_claiming_a_queued_trial_uses_storage_calls_that_exist():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study()
    study.enqueue_trial({"x": 1.0})
    trial_id = _claim_waiting(study)
    assert trial_id is not None
    (frozen,) = study.get_trials(deepcopy=False)
    assert frozen._trial_id == trial_id and frozen.state == optuna.trial.TrialState.RUNNING
    assert _claim_waiting(study) is None  # nothing left in the queue
    storage = study._storage
    storage.set_trial_user_attr(trial_id, "result", {"fail_reason": "interrupted: worker gone"})
    assert storage.set_trial_state_values(trial_id, state=optuna.trial.TrialState.FAIL)
    (frozen,) = study.get_trials(deepcopy=False)
    assert frozen.state == optuna.trial.TrialState.FAIL and "result" in frozen.user_attrs
    assert optuna.Trial(study, trial_id)._trial_id == trial_id
