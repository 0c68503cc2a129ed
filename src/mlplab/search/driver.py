"""The search driver: stages of trials shared by any number of workers through one storage.

Every worker (a process of ``--jobs N``, or a ``mlplab search`` on another machine pointing at
the same PostgreSQL URL) runs the same loop. For each stage, the first worker to create the
stage's study becomes its planner: it fixes the stage's space (the coarse space, or for a fine
stage the space narrowed around the best coarse trials) and puts exactly ``trials`` waiting
trials in the study's queue. Workers claim waiting trials one at a time through the storage's
atomic state change (WAITING -> RUNNING), so no trial runs twice and none is lost; when the queue
is empty and no trial is running the stage is done.

A trial that crashes or diverges is recorded as failed with its reason and the search goes on.
A trial left running by a dead worker (a killed process on this machine, or on another machine a
worker silent for longer than ``stale_after`` seconds) is marked failed ("interrupted") and its
parameters are queued again: that is how an interrupted search resumes from its storage.
"""

import math
import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

from mlplab.errors import ConfigError, MlplabError
from mlplab.runs.directory import read_info, write_info
from mlplab.search.narrow import narrow
from mlplab.search.samplers import make_pruner, make_sampler
from mlplab.search.space import SearchSpace, parse_assignments
from mlplab.search.storage import open_storage, storage_url
from mlplab.search.tensorboard import log_trial, trial_log_dir
from mlplab.search.training import run_config, with_values

HEARTBEAT_S = 30.0
#: the reason of a trial the search's time budget stopped
BUDGET_STOP = "stopped by the budget"


@dataclass
class Stage:
    """``trials`` trials of ``epochs`` epochs each (``None``: the config's epochs). With a
    budget (``SearchSettings.budget_s``) ``trials`` is a maximum, and ``None`` means no limit."""

    trials: int | None
    epochs: int | None = None


@dataclass
class SearchSettings:
    stages: list = field(default_factory=lambda: [Stage(20)])
    sampler: str = "random"
    pruner: str = "median"
    jobs: int = 1
    storage: str | None = None
    study: str = "search"
    out: str = "search"
    seed: int = 0
    top_fraction: float = 0.25
    stale_after: float = 600.0
    poll: float = 0.5
    #: each trial trains from its own seed (the config's seed + 10000 × stage + trial number):
    #: the best trials then make a more diverse ensemble. False: every trial the same seed.
    vary_seed: bool = True
    #: wall-clock budget of the whole search in seconds (None: the stages' trial counts decide).
    #: Stage i of n ends at ``started + budget_s * (i + 1) / n``: no trial starts after that, and
    #: a running trial stops at its next epoch boundary (recorded as pruned, "stopped by the
    #: budget"). ``search()`` sets ``started`` (time.time()) when it is None.
    budget_s: float | None = None
    started: float | None = None
    #: coarse-to-fine moves a bound its best trial sits at this many old widths outward
    #: (``narrow(extend=...)``); 0 only ever shrinks inside the old range
    extend: float = 1.0


def stage_deadline(settings: SearchSettings, index: int) -> float | None:
    """The time.time() at which stage ``index`` ends, or None without a budget."""
    if settings.budget_s is None:
        return None
    start = settings.started if settings.started is not None else time.time()
    return start + settings.budget_s * (index + 1) / len(settings.stages)


def stage_study_name(settings: SearchSettings, index: int) -> str:
    return settings.study if len(settings.stages) == 1 else f"{settings.study}-stage{index + 1}"


def work(space: SearchSpace, config: dict, settings: SearchSettings, train_fn, worker: int = 0):
    """Run trials of every stage until all stages are done (one worker's share)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = open_storage(storage_url(settings.storage, settings.out))
    previous = None
    for index, stage in enumerate(settings.stages):
        name = stage_study_name(settings, index)
        study = _plan_stage(storage, name, index, stage, space, previous, settings, worker)
        stage_space = _stage_space(study)
        deadline = stage_deadline(settings, index)
        while True:
            _recover_interrupted(study, settings)
            over = deadline is not None and time.time() >= deadline
            trial_id = None if over else _claim_waiting(study)
            if trial_id is None and deadline is not None and not over and _room(study, stage):
                study.enqueue_trial({}, skip_if_exists=False)  # a budget adds trials one by one
                continue
            if trial_id is not None:
                run_trial(
                    study, trial_id, stage_space, config, stage, settings, train_fn, index,
                    deadline=deadline,
                )  # fmt: skip
                continue
            states = {t.state for t in study.get_trials(deepcopy=False)}
            busy = {optuna.trial.TrialState.RUNNING} | (
                set() if over else {optuna.trial.TrialState.WAITING}
            )
            if not states & busy:
                break
            time.sleep(settings.poll)
        previous = (study, stage_space)


def _room(study, stage: Stage) -> bool:
    """Whether a budgeted stage may start another trial: fewer than ``stage.trials`` so far (a
    trial failed as interrupted does not count: its parameters were queued again)."""
    if stage.trials is None:
        return True
    started = [
        t
        for t in study.get_trials(deepcopy=False)
        if not str(t.user_attrs.get("result", {}).get("fail_reason", "")).startswith("interrupt")
    ]
    return len(started) < stage.trials


def _plan_stage(storage, name, index, stage, space, previous, settings, worker):
    import optuna

    if index == 0:
        stage_space = space
    else:  # every worker can compute it; the one that creates the study stores it
        prev_study, prev_space = previous
        results = [
            (prev_space.decode(t.params), t.value)
            for t in prev_study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))
        ]
        stage_space = narrow(
            prev_space, results, top_fraction=settings.top_fraction, extend=settings.extend
        )
    sampler = make_sampler(settings.sampler, settings.seed + 1000 * index, worker)
    pruner = make_pruner(settings.pruner, stage.epochs)
    try:
        study = optuna.create_study(
            storage=storage, study_name=name, direction="maximize", sampler=sampler, pruner=pruner
        )
    except optuna.exceptions.DuplicatedStudyError:
        study = optuna.load_study(storage=storage, study_name=name, sampler=sampler, pruner=pruner)
        _wait_for_plan(study, settings)
        if index == 0:
            _check_same_space(study, space, settings)
        return study
    study.set_user_attr("space", stage_space.to_specs())
    study.set_user_attr("fixed", stage_space.fixed)
    study.set_user_attr("epochs", stage.epochs)
    if settings.budget_s is None:  # a budgeted stage adds its trials as time allows
        for _ in range(stage.trials):
            study.enqueue_trial({}, skip_if_exists=False)
    study.set_user_attr("planned", stage.trials)
    return study


def _wait_for_plan(study, settings, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while "planned" not in study.user_attrs:
        if time.monotonic() > deadline:
            raise ConfigError(
                f"study {study.study_name!r}: it exists but was never planned (its planner died"
                " while creating it); start again with a new --study name"
            )
        time.sleep(settings.poll)


def _check_same_space(study, space, settings):
    stored = study.user_attrs.get("space")
    if stored != space.to_specs():
        raise ConfigError(
            f"study {study.study_name!r} in {settings.storage or settings.out} searches"
            f" {stored}, not {space.to_specs()}; resume with the same ranges or use a new --study"
        )


def _stage_space(study) -> SearchSpace:
    attrs = study.user_attrs
    space = parse_assignments([f"{k}={v}" for k, v in attrs["space"].items()])
    space.fixed = dict(attrs.get("fixed", {}))
    return space


def _claim_waiting(study):
    """Atomically move one WAITING trial to RUNNING; return its id, or None if none is left."""
    import optuna

    storage = study._storage
    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.WAITING,)):
        try:
            if storage.set_trial_state_values(
                trial._trial_id, state=optuna.trial.TrialState.RUNNING
            ):
                return trial._trial_id
        except optuna.exceptions.UpdateFinishedTrialError:
            continue
    return None


def trial_directory(settings: SearchSettings, study_name: str, number: int) -> Path:
    """The run directory of trial ``number`` of a stage's study."""
    return Path(settings.out).resolve() / "trials" / f"{study_name}-{number:04d}"


def _recover_interrupted(study, settings: SearchSettings):
    """Fail RUNNING trials whose worker is gone, mark their runs interrupted, and queue their
    parameters again."""
    import optuna

    host = socket.gethostname()
    now = time.time()
    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        worker = trial.user_attrs.get("worker")
        started = trial.datetime_start.timestamp() if trial.datetime_start else now
        silent = now - float(trial.user_attrs.get("heartbeat", started)) > settings.stale_after
        if worker is not None and worker["host"] == host:
            gone = not _alive(int(worker["pid"]))
        else:
            gone = silent
        if not gone:
            continue
        storage = study._storage
        try:
            storage.set_trial_user_attr(
                trial._trial_id, "result", {"fail_reason": "interrupted: worker gone"}
            )
            if not storage.set_trial_state_values(
                trial._trial_id, state=optuna.trial.TrialState.FAIL
            ):
                continue
        except optuna.exceptions.UpdateFinishedTrialError:
            continue  # another worker recovered it first
        _mark_run_interrupted(trial_directory(settings, study.study_name, trial.number))
        study.enqueue_trial(dict(trial.params), skip_if_exists=False)


def _mark_run_interrupted(directory: Path):
    """A dead worker's run directory says ``interrupted`` (resumable), no longer ``running``."""
    if directory.is_dir() and read_info(directory).get("status") == "running":
        write_info(directory, {"status": "interrupted"})


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, killed but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # Linux: the state is the field after the command name, "Z" for a zombie
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2 :][:1] != "Z"


def run_trial(
    study, trial_id, space, config, stage, settings, train_fn, stage_index=0, deadline=None
):
    """Train one claimed trial and record its outcome (complete, pruned or failed with reason).

    Past ``deadline`` (time.time()) the trial stops at its next epoch boundary, as pruned."""
    import optuna

    trial = optuna.Trial(study, trial_id)
    trial.set_user_attr("worker", {"host": socket.gethostname(), "pid": os.getpid()})
    start = time.perf_counter()
    last = {}
    beat = [time.time()]
    trial_config, params = None, {}
    planned = [math.inf]  # the trial's epochs, once its config is known

    def on_epoch(epoch: int, metrics: dict):
        accuracy = float(metrics["val_accuracy"])
        last.update(metrics, epoch=epoch)
        trial.report(accuracy, epoch)
        if time.time() - beat[0] > HEARTBEAT_S:  # each write is an fsync: not every epoch
            beat[0] = time.time()
            trial.set_user_attr("heartbeat", beat[0])
        if deadline is not None and time.time() >= deadline and epoch < planned[0]:
            raise optuna.TrialPruned(f"{BUDGET_STOP} after epoch {epoch}")  # not a finished one
        if trial.should_prune():
            raise optuna.TrialPruned(f"pruned after epoch {epoch}: val accuracy {accuracy:.4f}")

    try:
        params = space.suggest(trial)
        if stage.epochs is not None:
            params["training.epochs"] = stage.epochs
        if settings.vary_seed and not {"seed", "training.seed"} & set(params):
            base = int(config.get("training", {}).get("seed", 0))
            params["training.seed"] = base + 10000 * stage_index + trial.number
        out_dir = trial_directory(settings, study.study_name, trial.number)
        trial_config = with_values(config, {**params, **trial_log_dir(config, out_dir)})
        trial.set_user_attr("config", trial_config)
        if deadline is not None:
            planned[0] = run_config(trial_config).training.epochs
        metrics = train_fn(trial_config, on_epoch, out_dir)
        value = float(metrics["val_accuracy"])
        if not math.isfinite(value):
            raise MlplabError(f"validation accuracy is {value}")
    except optuna.TrialPruned as e:
        _record(trial, last, start, reason=str(e))
        study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        log_trial(trial_config, params, last)
        return
    except KeyboardInterrupt:
        trial.set_user_attr("result", {"fail_reason": "interrupted"})
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        study.enqueue_trial(dict(trial.params), skip_if_exists=False)
        raise
    except Exception as e:  # a crashing trial is recorded, the search goes on
        text = str(e).strip().splitlines()[0] if str(e).strip() else ""
        _record(trial, last, start, reason=f"{type(e).__name__}: {text}")
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        return
    _record(trial, {**last, **metrics}, start)
    study.tell(trial, value)
    log_trial(trial_config, params, {**last, **metrics})


def _record(trial, metrics: dict, start: float, reason: str | None = None):
    """One storage write for the outcome: duration, last epoch, metrics, failure reason."""
    result = {"duration_s": round(time.perf_counter() - start, 3)}
    for key in ("epoch", "val_loss", "train_loss", "run"):  # validation only: no test metric
        if key in metrics:
            value = metrics[key]
            result[key] = str(value) if isinstance(value, Path) else value
    if reason is not None:
        result["fail_reason"] = reason
    trial.set_user_attr("result", result)
