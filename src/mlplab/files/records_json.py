"""JSON of a document whose lists of records only grow: each finished record encoded once.

A checkpoint's document holds the run's history and the monitors' records, one dict per epoch.
Encoded whole at every epoch's end, it costs time in proportion to the epochs so far, and the
run in proportion to their square (34 ms an epoch by epoch 200 of the default recipe).
``RecordsEncoder.encode`` gives ``json.dumps``'s text, byte for byte, but in a list under a key
of ``RECORD_KEYS`` it encodes a dict other than the list's last only the first time it sees it:
such a record is an epoch that has ended, and nothing changes it again (the last, the epoch now
ending, is encoded every time). The cache holds the records it encoded, so an id is never
reused, and keeps only those found in the latest document.
"""

import json

#: the keys whose lists only grow, one dict per epoch: ``Trainer.history`` and the monitors'
RECORD_KEYS = frozenset({"history", "records"})


class RecordsEncoder:
    """``encode(document)`` = ``json.dumps(document)``, finished records taken from a cache."""

    def __init__(self):
        self._cache: dict[int, tuple[dict, str]] = {}  # id(record) -> (record, its JSON)

    def encode(self, document) -> str:
        seen: dict[int, tuple[dict, str]] = {}
        text = self._encode(document, seen)
        self._cache = seen
        return text

    def _encode(self, value, seen, records=False) -> str:
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            items = (
                f"{json.dumps(k)}: {self._encode(v, seen, k in RECORD_KEYS)}"
                for k, v in value.items()
            )
            return "{" + ", ".join(items) + "}"
        if records and isinstance(value, list) and len(value) > 1:
            parts = [self._record(r, seen) for r in value[:-1]]
            return "[" + ", ".join([*parts, json.dumps(value[-1])]) + "]"
        return json.dumps(value)

    def _record(self, record, seen) -> str:
        if not isinstance(record, dict):
            return json.dumps(record)
        cached = self._cache.get(id(record))
        if cached is None or cached[0] is not record:
            cached = (record, json.dumps(record))
        seen[id(record)] = cached
        return cached[1]
