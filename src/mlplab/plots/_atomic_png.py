"""Write a matplotlib figure as PNG atomically (temporary file, fsync, rename)."""

import io
from pathlib import Path


def save_figure(figure, path, dpi: int = 100) -> Path:
    from mlplab.io import atomic_write

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return atomic_write(Path(path), buffer.getvalue())
