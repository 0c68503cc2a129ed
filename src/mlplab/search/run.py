"""``search()``: run a (coarse-to-fine) search with N local worker processes, then report.

Writes into ``settings.out``: the journal storage (unless ``storage`` names another),
``trials.csv``, ``search.png`` (validation accuracy against each hyperparameter) and
``best.toml`` (the best trial's full config, for ``mlplab train --config``).
"""

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from mlplab.errors import ConfigError, MlplabError, OutputError
from mlplab.search.driver import SearchSettings, _stage_space, stage_study_name, work
from mlplab.search.results import best_row, trial_rows, write_trials_csv
from mlplab.search.space import SearchSpace
from mlplab.search.storage import open_storage, storage_url
from mlplab.search.training import dotted_name, run_config, train_config, with_values


@dataclass
class SearchResult:
    rows: list
    best: dict | None
    spaces: list
    out: Path

    def top(self, k: int = 5, stage: int | None = None) -> list:
        """The ``k`` complete trials of highest validation accuracy (last stage by default)."""
        stage = stage or max((r["stage"] for r in self.rows), default=1)
        done = [r for r in self.rows if r["stage"] == stage and r["state"] == "complete"]
        return sorted(done, key=lambda r: (-r["val_accuracy"], r["trial"]))[:k]


def search(
    space: SearchSpace, config: dict, settings: SearchSettings, train_fn=None, plot=True
) -> SearchResult:
    """Run every stage with ``settings.jobs`` worker processes (0/1: in this process)."""
    try:
        import optuna  # noqa: F401
    except ImportError:
        raise ConfigError(
            "search: needs Optuna, which is not installed; pip install 'mlplab[search]'"
        ) from None
    if not space:
        raise ConfigError("search: no range to search; give NAME=SPEC like lr=log:1e-5..1e-1")
    if any(s.trials is not None and s.trials < 1 for s in settings.stages):
        raise ConfigError(f"search: each stage needs at least one trial, got {settings.stages}")
    if settings.budget_s is None and any(s.trials is None for s in settings.stages):
        raise ConfigError("search: a stage without a trial count needs a time budget")
    if settings.budget_s is not None:
        if not settings.budget_s > 0:
            raise ConfigError(f"--budget: expected more than 0 seconds, got {settings.budget_s}")
        if settings.started is None:  # every worker process shares the same deadlines
            settings = replace(settings, started=time.time())
    if settings.jobs < 1:
        raise ConfigError(f"--jobs: expected at least 1, got {settings.jobs}")
    for name in [*space.ranges, *space.fixed]:
        dotted_name(name)  # an unknown option stops the search before any trial
    check_trial_configs(space, config, settings)
    train_fn = train_fn or train_config
    try:
        Path(settings.out).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"--out {settings.out}: cannot create ({error.strerror})") from None
    try:
        if settings.jobs == 1:
            work(space, config, settings, train_fn)
            failed = []
        else:
            failed = _run_processes(space, config, settings, train_fn)
        unfinished = _unfinished_stages(settings) if failed else []
    except Exception:
        _collect_quietly(settings)  # trials.csv says what was done before the error
        raise
    if failed:
        stopped = ", ".join(f"{i} (exit code {c})" for i, c in failed)
        if unfinished:
            _collect_quietly(settings)
            raise MlplabError(
                f"search: worker(s) {stopped} stopped with {', '.join(unfinished)} unfinished;"
                " run the same command again to resume"
            )
        print(
            f"mlplab search: warning: worker(s) {stopped} stopped; the other workers finished"
            " every trial (a trial the stopped worker was running is marked failed and ran"
            " again)",
            file=sys.stderr,
        )
    return collect(settings, plot=plot)


def _collect_quietly(settings: SearchSettings):
    with contextlib.suppress(MlplabError, KeyError):
        collect(settings, plot=False)


def _unfinished_stages(settings: SearchSettings) -> list[str]:
    """Names of the stages whose study is missing or still has waiting or running trials."""
    import optuna

    storage = open_storage(storage_url(settings.storage, settings.out))
    unfinished = []
    for index in range(len(settings.stages)):
        name = stage_study_name(settings, index)
        try:
            study = optuna.load_study(storage=storage, study_name=name)
        except KeyError:
            unfinished.append(name)
            continue
        open_states = (optuna.trial.TrialState.WAITING, optuna.trial.TrialState.RUNNING)
        if "planned" not in study.user_attrs or study.get_trials(states=open_states):
            unfinished.append(name)
    return unfinished


def check_trial_configs(space: SearchSpace, config: dict, settings: SearchSettings) -> None:
    """Stop before any trial on what would fail every one: a bad base config or data source,
    fixed values, stage epochs, a choice option or a range's low end that no trial can use."""
    from mlplab.data import DATASETS
    from mlplab.search.space import Choice

    candidates = [{}]
    for name, r in space.ranges.items():
        options = r.options if isinstance(r, Choice) else [int(r.low) if r.integer else r.low]
        candidates += [{name: option} for option in options]
    data_sections = {}
    for stage in settings.stages:  # a stage's epochs replace any other (as in the driver)
        epochs = {} if stage.epochs is None else {"training.epochs": stage.epochs}
        for candidate in candidates:
            probe = {**space.fixed, **candidate, **epochs}
            try:
                checked = run_config(with_values(config, probe)).validate()
            except ConfigError as e:
                where = ", ".join(f"{k}={v!r}" for k, v in probe.items()) or "the base config"
                raise ConfigError(f"search: {where}: {e}") from None
            data_sections.setdefault(repr(checked.data), checked.data)
    for data in data_sections.values():  # loaded once each: unreadable data fails every trial
        if data.source not in DATASETS.names() and not Path(data.source).exists():
            raise ConfigError(
                f"search: data {data.source!r}: no such file, directory or built-in dataset"
                f" (built-ins: {', '.join(sorted(DATASETS.names()))})"
            )
        try:
            data.load()
        except MlplabError as e:
            raise type(e)(f"search: data {data.source!r}: {e}") from None


def collect(settings: SearchSettings, plot: bool = True) -> SearchResult:
    """Read every stage's trials from the storage; write trials.csv, best.toml, search.png."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = open_storage(storage_url(settings.storage, settings.out))
    rows, spaces = [], []
    for index in range(len(settings.stages)):
        try:
            study = optuna.load_study(storage=storage, study_name=stage_study_name(settings, index))
        except KeyError:
            break
        space = _stage_space(study)
        spaces.append(space)
        rows += trial_rows(study, space, stage=index + 1)
    out = Path(settings.out)
    names = sorted({n for s in spaces for n in s.ranges})
    write_trials_csv(rows, names, out / "trials.csv")
    best = best_row(rows)
    if best is not None and best["config"]:
        from mlplab.config import save_config

        save_config(run_config(best["config"]), out / "best.toml")
    if plot and rows:
        from mlplab.plots.search import plot_search

        plot_search(rows, spaces, out / "search.png")
    return SearchResult(rows, best, spaces, out)


def _run_processes(space, config, settings, train_fn):
    # fork where there is one: it also works from a notebook or a script read from stdin
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    threads = max(1, (os.cpu_count() or 1) // settings.jobs)
    workers = [
        context.Process(target=_worker_main, args=(space, config, settings, train_fn, i, threads))
        for i in range(settings.jobs)
    ]
    for w in workers:
        w.start()
    try:
        waiting = list(workers)
        while waiting:  # reap each worker as it ends: a killed one is then seen as dead
            ended = multiprocessing.connection.wait([w.sentinel for w in waiting])
            for w in [w for w in waiting if w.sentinel in ended]:
                w.join()
                waiting.remove(w)
    except KeyboardInterrupt:
        for w in workers:
            w.join(timeout=30)
        raise
    return [(i, w.exitcode) for i, w in enumerate(workers) if w.exitcode != 0]


def _worker_main(space, config, settings, train_fn, worker, threads):
    from threadpoolctl import threadpool_limits

    threadpool_limits(threads)  # N workers share the cores instead of oversubscribing them
    try:
        work(space, config, settings, train_fn, worker=worker)
    except MlplabError as e:
        print(f"mlplab search: worker {worker}: error: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
