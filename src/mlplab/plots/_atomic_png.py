"""Write a matplotlib figure as PNG atomically (temporary file, fsync, rename)."""

from pathlib import Path

from mlplab.errors import FileFormatError


def save_figure(figure, path, dpi: int = 100) -> Path:
    """Save ``figure`` to ``path``; an existing file is replaced whole or left as it was."""
    from mlplab.training.atomic import atomic_write_figure

    path = Path(path)
    if not path.parent.is_dir():
        raise FileFormatError(f"{path}: directory {path.parent} does not exist")
    return atomic_write_figure(figure, path, dpi=dpi)
