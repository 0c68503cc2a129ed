"""``metrics.csv``: one row per epoch, rewritten after every epoch (``MetricsFile``), so an
interrupted run keeps its curve."""

import csv
import io
from pathlib import Path

import numpy as np

from mlplab.files.atomic import atomic_write
from mlplab.files.ended_records import EndedRecords
from mlplab.training.callbacks import Callback


def metric_columns(history: list[dict], columns=()) -> list[str]:
    """``columns`` and then every other key of the history's rows, in order of first use."""
    columns, known = list(columns), set(columns)
    for row in history:
        for key in row:
            if key not in known:
                columns.append(key)
                known.add(key)
    return columns


def csv_lines(columns: list[str], rows: list[dict]) -> list[str]:
    """Each row as its CSV line (empty where it has no value)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    lines = []
    for row in rows:
        writer.writerow({k: _plain(v) for k, v in row.items()})
        lines.append(buffer.getvalue())
        buffer.seek(0)
        buffer.truncate()
    return lines


def write_metrics(path, history: list[dict]) -> None:
    """One row per epoch, columns from the history's keys (epoch first)."""
    columns = metric_columns(history)
    atomic_write(path, _header(columns) + "".join(csv_lines(columns, history)))


def read_metrics(path) -> list[dict]:
    """The rows of a ``metrics.csv`` as dicts of numbers ([] when there is no file)."""
    path = Path(path)
    if not path.is_file():
        return []
    with path.open(newline="") as f:
        return [{k: _number(v) for k, v in row.items()} for row in csv.DictReader(f)]


class MetricsFile(Callback):
    """Rewrite ``metrics.csv`` after every epoch.

    The file is written whole (atomically), but an ended epoch's line is formatted once: kept by
    its record while the columns stay the same (an epoch's record changes only while it is the
    last; a new column reformats every line)."""

    def __init__(self, path):
        self.path = Path(path)
        self._columns: list[str] = []  # the columns the kept lines were formatted with
        self._lines: EndedRecords | None = None  # the kept lines, made for ``_columns``

    def on_epoch_end(self, trainer):
        records = trainer.history.records
        columns = metric_columns(records)
        if columns != self._columns:
            self._columns = columns
            self._lines = EndedRecords(lambda record: csv_lines(columns, [record])[0])
        lines = [self._lines.text(record) for record in records[:-1]]
        self._lines.sweep()
        lines += csv_lines(columns, records[-1:])
        atomic_write(self.path, _header(columns) + "".join(lines))


def _header(columns: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(columns)
    return buffer.getvalue()


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _number(text: str):
    for convert in (int, float):
        try:
            return convert(text)
        except (TypeError, ValueError):
            pass
    return text
