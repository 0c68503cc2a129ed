"""The run directory: its file names, ``run.json`` (the one reader and writer), and creating a
directory for a new run — never over an existing one unless ``force`` replaces an mlplab run.

Every run directory mlplab creates gets its marker first: ``run.json`` with ``"format":
"mlplab-run"`` and a format version. ``--force`` replaces only a directory that proves it is a run
(``is_run_directory``); a directory that merely holds a ``config.toml`` (a user's project) is
refused, untouched. The directory is locked (``runs.lock``) while a process writes into it.

``--force`` keeps the run it replaces beside the new one (``replaced_path``) until the new run
completes: restored if training fails, deleted once it succeeds.
"""

import contextlib
import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

from mlplab.errors import ConfigError, FileFormatError
from mlplab.files.atomic import atomic_write
from mlplab.runs.lock import acquire, refuse_if_locked
from mlplab.version import __version__

RUN_FILE = "run.json"
CONFIG_FILE = "config.toml"
METRICS_FILE = "metrics.csv"
REPORT_FILE = "report.html"
PLOTS_DIR = "plots"
CHECKPOINTS_DIR = "checkpoints"
#: the marker in ``run.json`` that says mlplab wrote the directory.
RUN_FORMAT, RUN_FORMAT_VERSION = "mlplab-run", 1
#: every status a run can have in ``run.json``.
STATUSES = ("running", "interrupted", "failed", "incomplete", "complete")


def marker() -> dict:
    """The ``run.json`` keys that prove mlplab wrote a run directory."""
    return {
        "format": RUN_FORMAT,
        "format_version": RUN_FORMAT_VERSION,
        "mlplab_version": __version__,
    }


def is_run_directory(directory: Path) -> bool:
    """Whether ``directory`` proves it is an mlplab run: its ``run.json`` is a JSON object with
    the marker (``"format": "mlplab-run"``), or — runs written before the marker existed — with
    both a known ``status`` and an ``mlplab_version`` string, the two keys every release wrote
    together into its first record of a run. A ``config.toml`` alone proves nothing: users keep
    files of that name in their projects."""
    info = read_info(directory)
    if info.get("format") == RUN_FORMAT:
        return True
    return info.get("status") in STATUSES and isinstance(info.get("mlplab_version"), str)


def read_info(directory: Path, strict: bool = False) -> dict:
    """A run directory's ``run.json``; {} when it has none readable, or with ``strict`` a
    ``FileFormatError`` naming the file."""
    path = Path(directory) / RUN_FILE
    if not strict:
        with contextlib.suppress(OSError, ValueError):
            info = json.loads(path.read_text(encoding="utf-8"))
            return info if isinstance(info, dict) else {}
        return {}
    if not path.is_file():
        raise FileFormatError(f"{directory}: not a run directory (no {RUN_FILE})")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise FileFormatError(f"{path}: corrupt (invalid JSON)") from None
    if not isinstance(info, dict):
        raise FileFormatError(f"{path}: corrupt (not a JSON object)")
    return info


def write_info(directory: Path, info: dict, remove=()) -> dict:
    """Merge ``info`` into ``run.json`` (atomically), without the keys in ``remove``; return
    the merged record."""
    info = {k: v for k, v in {**read_info(directory), **info}.items() if k not in remove}
    atomic_write(Path(directory) / RUN_FILE, json.dumps(info, indent=2) + "\n")
    return info


def now() -> str:
    """The time for ``run.json``: UTC, ISO 8601, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def replaced_path(directory: Path) -> Path:
    """Where ``--force`` keeps the run it replaces until the new one completes."""
    return directory.with_name(f".{directory.name}.replaced")


def prepare_directory(config, force: bool) -> tuple[Path, Path | None]:
    """Create the run directory; refuse an existing one unless ``force`` (and it is a run).

    Returns the directory and, when ``force`` replaces a run, where the old run was moved
    (beside it, hidden): it is deleted once the new run completes, restored if training fails.
    If a replacement was stopped midway (killed), the old run is still there: a new ``force``
    keeps it and drops the unfinished run, and ``mlplab train --resume`` completing the
    unfinished run deletes it.
    """
    if not config.output.dir:
        return _new_directory(config.data.source), None
    directory = Path(config.output.dir)
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"output.dir: {directory} exists and is not a directory")
    replaced = None
    if directory.is_dir() and any(directory.iterdir()):
        replaced = _set_aside(directory, force)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ConfigError(f"output.dir: cannot create {directory} ({e.strerror})") from None
    _claim(directory)
    return directory, replaced


def _claim(directory: Path) -> None:
    """Lock a new run directory and write its marker, before anything else goes into it."""
    acquire(directory)
    write_info(directory, marker())


def _set_aside(directory: Path, force: bool) -> Path:
    """Move the run in ``directory`` to ``replaced_path`` (``--force``); return that path."""
    if not force:
        raise ConfigError(
            f"run directory {directory} already exists; "
            "pass --force to overwrite it or choose another --out"
        )
    replaced = replaced_path(directory)
    interrupted_replacement = (
        replaced.is_dir()
        and is_run_directory(replaced)
        and read_info(directory).get("status") in STATUSES
    )
    if not (is_run_directory(directory) or interrupted_replacement):
        raise ConfigError(
            f"{directory} is not an mlplab run directory (no run.json written by mlplab); "
            "refusing to overwrite it, even with --force"
        )
    refuse_if_locked(directory)
    if replaced.is_dir() and read_info(directory).get("status") != "complete":
        # an earlier --force was stopped: `replaced` holds the run it was replacing and
        # `directory` the unfinished new one; keep the finished run, drop the other
        shutil.rmtree(directory)
    else:
        if replaced.exists():
            shutil.rmtree(replaced)
        directory.rename(replaced)
    return replaced


def _new_directory(source: str) -> Path:
    """``runs/<data>-<date>-<time>`` (``-2``, ``-3``... when taken), created."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(source).stem).strip("-.") or "run"
    stem = Path("runs") / f"{name}-{datetime.now():%Y%m%d-%H%M%S}"
    directory, k = stem, 1
    while True:
        try:
            directory.mkdir(parents=True)
            _claim(directory)
            return directory
        except FileExistsError:
            k += 1
            directory = stem.with_name(f"{stem.name}-{k}")
        except OSError as e:
            raise ConfigError(
                f"cannot create the run directory {directory} ({e.strerror})"
            ) from None
