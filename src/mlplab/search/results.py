"""A finished search as rows: one per trial of every stage; ``trials.csv`` and the best config."""

import csv
import io
import json
import math
from pathlib import Path

from mlplab.files.atomic import atomic_write
from mlplab.search.space import SearchSpace


def trial_rows(study, space: SearchSpace, stage: int) -> list[dict]:
    """Plain rows for a stage's trials: number, state, accuracy, parameters, reason."""
    rows = []
    for t in study.get_trials(deepcopy=False):
        if t.state.name == "WAITING":
            continue
        value = t.value
        if value is None and t.intermediate_values:
            value = t.intermediate_values[max(t.intermediate_values)]
        attrs = t.user_attrs.get("result", {})
        rows.append(
            {
                "stage": stage,
                "trial": t.number,
                "state": t.state.name.lower(),
                "val_accuracy": value,
                "epochs": attrs.get("epoch"),
                "duration_s": attrs.get("duration_s"),
                "params": space.decode(t.params),
                "config": t.user_attrs.get("config"),
                "reason": attrs.get("fail_reason", ""),
                "run": attrs.get("run"),
            }
        )
    return rows


def best_row(rows: list[dict]) -> dict | None:
    """The complete trial with the highest validation accuracy in the last stage that has one."""
    for stage in sorted({r["stage"] for r in rows}, reverse=True):
        done = [r for r in rows if r["stage"] == stage and r["state"] == "complete"]
        if done:
            return max(done, key=lambda r: (r["val_accuracy"], -r["trial"]))
    return None


def write_trials_csv(rows: list[dict], names: list[str], path) -> None:
    """One line per trial; hyperparameters as columns (lists as JSON)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    head = ["stage", "trial", "state", "val_accuracy", "epochs", "duration_s"]
    writer.writerow(head + names + ["reason", "run"])
    for r in rows:
        params = [_csv_value(r["params"].get(n)) for n in names]
        tail = [r["reason"], _csv_value(r.get("run"))]
        writer.writerow([_csv_value(r[k]) for k in head] + params + tail)
    atomic_write(path, buffer.getvalue())


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    return value


def top_runs(path, k: int) -> list[str]:
    """Run directories of the ``k`` best complete trials of a search's last stage (trials.csv)."""
    from mlplab.errors import FileFormatError

    path = Path(path)
    csv_path = path if path.suffix == ".csv" else path / "trials.csv"
    try:
        with csv_path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        raise FileFormatError(f"{csv_path}: no such file (not a search directory?)") from None
    try:
        done = [r for r in rows if r["state"] == "complete" and r.get("run")]
        last = max((int(r["stage"]) for r in done), default=None)
        done = [r for r in done if int(r["stage"]) == last]
        done.sort(key=lambda r: (-float(r["val_accuracy"]), int(r["trial"])))
    except (KeyError, ValueError) as e:
        raise FileFormatError(
            f"{csv_path}: not a trials.csv written by mlplab search ({e})"
        ) from None
    if not done:
        raise FileFormatError(f"{csv_path}: no complete trial with a saved run")
    return [r["run"] for r in done[:k]]
