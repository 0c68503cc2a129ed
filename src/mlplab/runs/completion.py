"""A run is ``complete`` only when everything it promises exists: the model, ``metrics.csv``,
the plots (unless ``--no-plots``) and ``report.html``.

``finish`` writes the model and the metrics, then ``write_outputs`` draws the plots and writes
the report, and only then marks the run ``complete``. If a figure or the report cannot be written
(a full disk), the run is marked ``incomplete`` with the reason and the error goes on to the
caller; a process killed meanwhile leaves it ``running``. ``mlplab report RUN`` calls
``write_outputs`` again on the run's files.
"""

import shutil
from pathlib import Path

from mlplab.errors import FileFormatError, MlplabError, OutputError
from mlplab.model_file import MODEL_FILENAME
from mlplab.runs import lock
from mlplab.runs.directory import (
    METRICS_FILE,
    REPORT_FILE,
    RUN_FILE,
    is_run_directory,
    now,
    replaced_path,
    write_info,
)
from mlplab.runs.plots import draw_plots
from mlplab.runs.record import Run
from mlplab.runs.report import write_report


def write_outputs(run) -> dict:
    """Draw ``run``'s plots (when its config asks for them) and write its report; then mark it
    ``complete`` and return the new ``run.json`` record (also set as ``run.info``)."""
    directory = run.directory
    try:
        plots = draw_plots(run) if run.config.output.plots else {}
        write_report(run, plots)
    except (MlplabError, OSError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        write_info(directory, {"status": "incomplete", "error": reason})
        if isinstance(error, MlplabError):
            raise
        raise OutputError(f"{directory}: cannot write the plots or report ({reason})") from None
    promised = [directory / name for name in (MODEL_FILENAME, METRICS_FILE, REPORT_FILE)]
    missing = [str(p) for p in [*promised, *map(Path, plots.values())] if not p.is_file()]
    if missing:
        write_info(directory, {"status": "incomplete", "error": f"missing {', '.join(missing)}"})
        raise OutputError(f"{directory}: the run is incomplete (missing {', '.join(missing)})")
    info = {"status": "complete", "finished": run.info.get("finished") or now()}
    run.info = write_info(directory, info, remove=("error",))
    return run.info


def _check_info(directory, info: dict) -> None:
    """The ``run.json`` values a report shows must have their types (the file is untrusted)."""

    def number(value):
        return isinstance(value, int | float) and not isinstance(value, bool)

    metrics = info.get("metrics")
    problems = [key for key in ("epochs", "seconds", "parameters")
                if key in info and not number(info[key])]  # fmt: skip
    if not isinstance(info.get("data", {}), dict):
        problems.append("data")
    if not isinstance(metrics, dict) or not all(
        isinstance(m, dict) and number(m.get("loss")) for m in metrics.values()
    ):
        problems.append("metrics")
    if problems:
        raise FileFormatError(f"{directory / RUN_FILE}: corrupt ({', '.join(problems)})")


def rebuild_outputs(path) -> Run:
    """(Re)build the plots and report of the run directory ``path`` from its files (model,
    ``metrics.csv``, ``run.json``, ``config.toml``) and mark it complete; return the ``Run``."""
    directory = Path(path)
    if not directory.is_dir() or not is_run_directory(directory):
        raise FileFormatError(f"{directory}: not an mlplab run directory (no run.json)")
    lock.acquire(directory)
    try:
        run = Run.open(directory)
        if run.model is None or "metrics" not in run.info:
            raise FileFormatError(
                f"{directory}: this run did not finish training (no model yet); "
                f"continue it with: mlplab train --resume {directory}"
            )
        _check_info(directory, run.info)
        try:
            write_outputs(run)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError) as error:
            if isinstance(error, MlplabError):
                raise
            raise FileFormatError(
                f"{directory / RUN_FILE}: corrupt ({type(error).__name__}: {error})"
            ) from None
    finally:
        lock.release(directory)
    replaced = replaced_path(directory)
    if replaced.is_dir():  # an interrupted --force: the run it replaced can go now
        shutil.rmtree(replaced)
    return run
