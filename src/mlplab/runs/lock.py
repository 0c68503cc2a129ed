"""One process per run directory: a lock file created with ``O_EXCL`` that holds the owner's pid.

``mlplab train --out D`` and ``--resume D`` (and ``mlplab report D``) hold ``D/.lock`` while they
write; a second process on the same directory gets a one-line ``ConfigError`` naming the owner.
A lock whose process is gone (killed with ``-9``, the machine rebooted) is stale and is taken
over. Creating a file with ``O_CREAT | O_EXCL`` is atomic on POSIX filesystems: of two processes,
exactly one succeeds.
"""

import contextlib
import os
from pathlib import Path

from mlplab.errors import ConfigError, OutputError

LOCK_FILE = ".lock"


def owner(directory) -> int | None:
    """The pid holding ``directory``'s lock when that process is alive; None otherwise."""
    try:
        text = (Path(directory) / LOCK_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not text:  # created an instant ago, its pid not yet written: live
        return -1
    if not text.isdigit():
        return None
    pid = int(text)
    if pid == os.getpid():
        return pid
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # no such process (or no such pid at all)
        return None
    except PermissionError:  # alive, owned by another user
        return pid
    return pid


def refuse_if_locked(directory) -> None:
    """``ConfigError`` when another live process holds ``directory``'s lock."""
    pid = owner(directory)
    if pid is not None and pid != os.getpid():
        raise ConfigError(
            f"{directory} is in use by another mlplab process (pid {pid}); wait for it to "
            f"finish, or remove {Path(directory) / LOCK_FILE} if no mlplab is running"
        )


def acquire(directory) -> Path:
    """Take ``directory``'s lock (a stale one is replaced); ``ConfigError`` if it is held."""
    path = Path(directory) / LOCK_FILE
    refuse_if_locked(directory)
    if path.exists() and owner(directory) is None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # stale: its process is gone
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        refuse_if_locked(directory)  # taken by another process in the meantime
        raise ConfigError(f"{directory} is in use by another mlplab process") from None
    except OSError as e:
        raise OutputError(f"{directory}: cannot write here ({e.strerror})") from None
    try:
        os.write(fd, str(os.getpid()).encode("ascii"))
    finally:
        os.close(fd)
    return path


def release(directory) -> None:
    """Remove ``directory``'s lock if this process holds it."""
    path = Path(directory) / LOCK_FILE
    with contextlib.suppress(OSError, UnicodeDecodeError):
        if path.read_text(encoding="ascii").strip() == str(os.getpid()):
            path.unlink()
