"""Atomic file writes: a reader sees the old file or the new one, never half of either.

Write to a temporary file in the same folder, flush and fsync it, rename it over the target
(``os.replace`` is atomic on POSIX and Windows), then fsync the folder so the rename survives a
power cut. The new file gets the usual permissions (0666 minus the umask), not the temporary
file's private 0600. This is mlplab's one atomic writer: models, checkpoints, configs,
metrics, reports, figures and search results all go through it.
"""

import io
import os
import re
import tempfile
from pathlib import Path

from mlplab.errors import ConfigError, FileFormatError, OutputError

#: the names of ``atomic_write``'s temporary files: ``.<target name>.<mkstemp's 8 characters>.tmp``
TEMPORARY_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path, data: bytes | str) -> Path:
    """Write ``data`` (bytes, or text as UTF-8) to ``path`` atomically; return the path.

    An output path that cannot be written (missing or read-only folder, full disk) is an
    ``OutputError`` naming it, a directory in the way a ``FileFormatError``; nothing already at
    ``path`` is touched.
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if path.is_dir():
        raise FileFormatError(f"{path}: is a directory, expected a file name to write")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise OutputError(f"{path}: cannot write here ({error.strerror or error})") from None
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as error:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(error, OSError):
            raise OutputError(f"{path}: cannot write ({error.strerror or error})") from None
        raise
    if hasattr(os, "O_DIRECTORY"):
        dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return path


def remove_temporaries(folder) -> list[Path]:
    """Delete the temporary files ``atomic_write`` left in ``folder`` (not below it) when its
    process was killed mid-write; return them. Only names of its own pattern are touched."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = []
    for path in folder.iterdir():
        if TEMPORARY_NAME.match(path.name) and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def atomic_write_figure(figure, path, dpi: int = 100, make_folder: bool = True) -> Path:
    """Render a matplotlib ``figure`` as PNG and write it to ``path`` atomically.

    A name that does not end in .png is a ``ConfigError``: a PNG under another name would
    mislead whatever opens it. With ``make_folder=False`` a missing folder is a
    ``FileFormatError`` instead of being created (a mistyped ``--plot`` path is refused).
    """
    if not os.fspath(path).lower().endswith(".png"):
        raise ConfigError(f"plot file {os.fspath(path)!r}: expected a name ending in .png")
    path = Path(path)
    if not make_folder and not path.parent.is_dir():
        raise FileFormatError(f"{path}: directory {path.parent} does not exist")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return atomic_write(path, buffer.getvalue())
