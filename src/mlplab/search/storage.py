"""Where a study lives: Optuna's journal file (one machine) or a database URL (several).

The journal file is an append-only log of JSON lines guarded by a file lock, so processes on one
machine (``--jobs N``) share it safely; one cut by a crash is repaired when it is opened
(``journal_repair``). Several machines share a PostgreSQL (or MySQL) server
through its URL. SQLite is refused: its locking breaks under parallel writers.
"""

import time
from pathlib import Path

from mlplab.errors import ConfigError

DEFAULT_JOURNAL = "study.journal"


def storage_url(spec: str | None, out_dir) -> str:
    """The canonical storage string: a database URL or an absolute journal-file path."""
    if spec is None or spec == "":
        return str((Path(out_dir) / DEFAULT_JOURNAL).resolve())
    if spec.startswith("sqlite"):
        raise ConfigError(
            f"--storage {spec}: SQLite cannot serve parallel workers; use a journal file"
            " (the default) or postgresql://USER:PASSWORD@HOST/DB"
        )
    if "://" in spec:
        if not spec.startswith(("postgresql", "mysql")):
            raise ConfigError(
                f"--storage {spec}: expected a journal file path or a postgresql:// URL"
            )
        return spec
    return str(Path(spec).resolve())


def open_storage(url: str):
    """An Optuna storage object for a string from ``storage_url``."""
    import optuna

    if "://" not in url:
        from optuna.storages.journal import JournalFileBackend

        from mlplab.search.journal_repair import repair_journal

        try:
            Path(url).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigError(f"--storage {url}: cannot create ({error.strerror})") from None
        repair_journal(url)
        return optuna.storages.JournalStorage(JournalFileBackend(url))
    for attempt in range(5):
        try:
            return optuna.storages.RDBStorage(
                with_driver(url), engine_kwargs={"pool_pre_ping": True}
            )
        except ImportError as e:
            raise ConfigError(
                f"--storage {_redact(url)}: database driver missing ({e}); "
                "install it with pip install 'mlplab[search]'"
            ) from None
        except Exception as e:  # SQLAlchemy's errors: server down, wrong password, a race...
            error = e
            if "already exists" in str(e) or "duplicate key" in str(e):
                # workers starting together on a fresh database race to create the tables
                time.sleep(0.2 * (attempt + 1))
                continue
            break
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    raise ConfigError(f"--storage {_redact(url)}: cannot connect ({first})") from None


def with_driver(url: str) -> str:
    """``postgresql://`` through psycopg 3 (``postgresql+psycopg://``, the ``search`` extra); a
    URL that names its driver (``postgresql+psycopg2://``) is kept as it is."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _redact(url: str) -> str:
    """The URL with its password hidden, for messages."""
    head, sep, tail = url.partition("://")
    if "@" not in tail:
        return url
    credentials, _, host = tail.rpartition("@")
    if ":" not in credentials:
        return url
    return f"{head}{sep}{credentials.split(':')[0]}:***@{host}"
