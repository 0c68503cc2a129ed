"""Write a matplotlib figure to PNG atomically: temporary file, fsync, rename."""

import os
import tempfile
from pathlib import Path

from mlplab.errors import FileFormatError


def save_png(figure, path) -> Path:
    """Save ``figure`` to ``path``; an existing file is replaced whole or left as it was."""
    path = Path(path)
    if not path.parent.is_dir():
        raise FileFormatError(f"{path}: directory {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            figure.savefig(f, format="png", dpi=100)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
