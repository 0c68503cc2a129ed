"""``metrics.csv``: one row per epoch, rewritten after every epoch (``MetricsFile``), so an
interrupted run keeps its curve."""

import csv
import io
from pathlib import Path

import numpy as np

from mlplab.files.atomic import atomic_write
from mlplab.training.callbacks import Callback


def write_metrics(path, history: list[dict]) -> None:
    """One row per epoch, columns from the history's keys (epoch first)."""
    columns = []
    for row in history:
        columns += [k for k in row if k not in columns]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in history:
        writer.writerow({k: _plain(v) for k, v in row.items()})
    atomic_write(path, buffer.getvalue())


def read_metrics(path) -> list[dict]:
    """The rows of a ``metrics.csv`` as dicts of numbers ([] when there is no file)."""
    path = Path(path)
    if not path.is_file():
        return []
    with path.open(newline="") as f:
        return [{k: _number(v) for k, v in row.items()} for row in csv.DictReader(f)]


class MetricsFile(Callback):
    """Rewrite ``metrics.csv`` after every epoch."""

    def __init__(self, path):
        self.path = Path(path)

    def on_epoch_end(self, trainer):
        write_metrics(self.path, trainer.history.records)


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _number(text: str):
    for convert in (int, float):
        try:
            return convert(text)
        except (TypeError, ValueError):
            pass
    return text
