"""RecordsEncoder: json.dumps's text, byte for byte, with each ended epoch's record encoded once."""

import json
import math

from mlplab.files import records_json
from mlplab.files.records_json import RecordsEncoder


def document(history, records):
    return {
        "format": "mlplab-checkpoint",
        "position": {"epoch": len(history), "sums": [1.5, 2]},
        "history": history,
        "callbacks": {"0": {"type": "Monitor", "state": {"records": records, "count": 3}}},
        "rng": {"1": {"state": {"state": 2**100, "inc": 7}}},
        "odd keys": {1: "one", None: [math.nan, math.inf]},
        "plain list of dicts": [{"a": 1}, {"b": 2}],
        "sha256": "ab" * 32,
    }


def test_the_text_is_json_dumps_at_every_epoch_as_the_records_grow_and_the_last_changes():
    encoder, history, records = RecordsEncoder(), [], []
    for epoch in range(6):
        history.append({"epoch": epoch + 1, "loss": 1 / (epoch + 1), "val_loss": math.nan})
        records.append({"epoch": epoch + 1, "0.W": [0.1 * epoch, {"deep": epoch}]})
        doc = document(history, records)
        assert encoder.encode(doc) == json.dumps(doc)
        history[-1]["lr"] = 0.5  # the epoch now ending gains a value after a save
        records[-1]["0.W"].append(epoch)
        assert encoder.encode(doc) == json.dumps(doc)


def test_only_the_new_records_are_encoded(monkeypatch):
    encoder = RecordsEncoder()
    history = [{"epoch": e, "loss": 0.1} for e in range(50)]
    encoder.encode({"history": history})
    encoded = []
    dumps = json.dumps

    def counting(value):
        encoded.append(value)
        return dumps(value)

    monkeypatch.setattr(records_json.json, "dumps", counting)
    monkeypatch.setattr(encoder._records, "format", counting)  # the ended records' cache
    history.append({"epoch": 50, "loss": 0.2})
    encoder.encode({"history": history})
    records_encoded = [v for v in encoded if isinstance(v, dict)]
    assert records_encoded == [history[-2], history[-1]]  # the one just ended, and the last


def test_a_replaced_history_is_encoded_again_and_the_cache_forgets_the_old_records():
    encoder = RecordsEncoder()
    first = [{"epoch": e} for e in range(10)]
    encoder.encode({"history": first})
    restored = [{"epoch": e, "again": True} for e in range(3)]  # new objects, other contents
    doc = {"history": restored}
    assert encoder.encode(doc) == json.dumps(doc)
    assert {id(r) for r, _ in encoder._records._kept.values()} == {id(r) for r in restored[:-1]}


def test_lists_elsewhere_are_never_cached():
    encoder = RecordsEncoder()
    state = [{"step": 1}, {"step": 2}]  # a list of dicts that is not under a record key
    encoder.encode({"optimizer": state})
    state[0]["step"] = 5
    doc = {"optimizer": state}
    assert encoder.encode(doc) == json.dumps(doc)
