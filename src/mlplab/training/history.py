"""The per-epoch record of a training run."""

import math


class History:
    """One dict per epoch: ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``, ``lr``,
    ``time`` ... (whatever the trainer and callbacks logged).

    ``history["val_loss"]`` is the list of that metric over epochs (``nan`` where missing), as
    in Keras's ``History.history``; ``to_dict()`` gives ``{metric: [values]}``, JSON-ready.
    """

    def __init__(self, records=None):
        self.records: list[dict] = [dict(r) for r in records or []]

    def append(self, record: dict) -> None:
        self.records.append(dict(record))

    def keys(self) -> list[str]:
        keys: list[str] = []
        for record in self.records:
            keys.extend(k for k in record if k not in keys)
        return keys

    def __getitem__(self, key: str) -> list:
        if key not in self.keys():
            raise KeyError(f"history has no metric {key!r}; it has: {', '.join(self.keys())}")
        return [record.get(key, math.nan) for record in self.records]

    def __contains__(self, key) -> bool:
        return key in self.keys()

    def __len__(self) -> int:
        return len(self.records)

    def best(self, key: str, mode: str = "min") -> tuple[int, float]:
        """(epoch index, value) of the best finite value of ``key``."""
        values = [(i, v) for i, v in enumerate(self[key]) if math.isfinite(v)]
        if not values:
            raise KeyError(f"history has no finite value of {key!r}")
        pick = min if mode == "min" else max
        return pick(values, key=lambda iv: iv[1])

    def to_dict(self) -> dict:
        return {key: self[key] for key in self.keys()}

    def to_csv(self, path) -> None:
        """One row per epoch, one column per metric (empty where missing); written atomically."""
        import csv
        import io

        from mlplab.files.atomic import atomic_write

        keys = self.keys()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(keys)
        for record in self.records:
            writer.writerow([_csv_value(record.get(k)) for k in keys])
        atomic_write(path, out.getvalue().encode())

    def __repr__(self):
        return f"History({len(self)} epochs: {', '.join(self.keys())})"


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return value
