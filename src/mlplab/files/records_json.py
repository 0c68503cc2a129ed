"""JSON of a document whose lists of records only grow: each finished record encoded once.

A checkpoint's document holds the run's history and the monitors' records, one dict per epoch.
Encoded whole at every epoch's end, it costs time in proportion to the epochs so far, and the
run in proportion to their square (34 ms an epoch by epoch 200 of the default recipe).
``RecordsEncoder.encode`` gives ``json.dumps``'s text, byte for byte, but in a list under a key
of ``RECORD_KEYS`` it encodes a dict other than the list's last only the first time it sees it:
such a record is an epoch that has ended, and nothing changes it again (the last, the epoch now
ending, is encoded every time). The cache is ``EndedRecords``: it keeps only the records found
in the latest document.
"""

import json

from mlplab.files.ended_records import EndedRecords

#: the keys whose lists only grow, one dict per epoch: ``Trainer.history`` and the monitors'
RECORD_KEYS = frozenset({"history", "records"})


class RecordsEncoder:
    """``encode(document)`` = ``json.dumps(document)``, finished records taken from a cache."""

    def __init__(self):
        self._records = EndedRecords(json.dumps)

    def encode(self, document) -> str:
        text = self._encode(document)
        self._records.sweep()
        return text

    def _encode(self, value, records=False) -> str:
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            items = (
                f"{json.dumps(k)}: {self._encode(v, k in RECORD_KEYS)}" for k, v in value.items()
            )
            return "{" + ", ".join(items) + "}"
        if records and isinstance(value, list) and len(value) > 1:
            parts = [self._record(r) for r in value[:-1]]
            return "[" + ", ".join([*parts, json.dumps(value[-1])]) + "]"
        return json.dumps(value)

    def _record(self, record) -> str:
        return self._records.text(record) if isinstance(record, dict) else json.dumps(record)
