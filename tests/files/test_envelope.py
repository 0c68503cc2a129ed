"""The safetensors + JSON envelope: sizes checked before allocating, one-line errors."""

import json
import struct

import numpy as np
import pytest
from safetensors.numpy import load as load_tensors
from safetensors.numpy import save as save_safetensors

from mlplab.errors import FileFormatError
from mlplab.files.envelope import checksum, pack, read_envelope
from mlplab.network import build_mlp
from mlplab.training import Checkpoint, Trainer, load_checkpoint

FORMAT = "mlplab-test"


def envelope(tensors=None):
    tensors = {"a": np.arange(6, dtype=np.float32).reshape(2, 3)} if tensors is None else tensors
    return pack(tensors, {"format": FORMAT, "format_version": 1}, FORMAT)


def with_header(blob: bytes, change) -> bytes:
    """``blob`` with its JSON header rewritten by ``change`` (the data bytes unchanged)."""
    (size,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + size])
    change(header)
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + blob[8 + size :]


def read(blob, path="f.safetensors"):
    return read_envelope(path, blob, FORMAT, 1, "test")


def test_round_trip_adds_the_checksum():
    document, tensors = read(envelope())
    np.testing.assert_array_equal(tensors["a"], np.arange(6).reshape(2, 3))
    assert document["sha256"] == checksum(tensors)


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda h: h["a"].update(data_offsets=[0]), "bad data_offsets"),
        (lambda h: h["a"].update(data_offsets="0-24"), "bad data_offsets"),
        (lambda h: h["a"].update(data_offsets=[8, 4]), "bad data_offsets"),
        (lambda h: h["a"].update(data_offsets=[-4, 24]), "bad data_offsets"),
        (lambda h: h["a"].update(data_offsets=[0, 10**12]), "truncated"),
        (lambda h: h["a"].update(shape=[2, 4]), "needs 32 bytes, its span has 24"),
        (lambda h: h["a"].update(shape=[10**9, 10**9]), "needs"),
        (lambda h: h["a"].update(shape=[2, -3]), "bad shape"),
        (lambda h: h["a"].update(dtype="F128"), "unknown dtype"),
        (lambda h: h.update(a=[1, 2]), "no description"),
        (lambda h: h.update(__metadata__=[1]), "unreadable header"),
    ],
)
def test_declared_sizes_are_checked_against_the_file(change, message):
    with pytest.raises(FileFormatError, match=message) as error:
        read(with_header(envelope(), change))
    assert "\n" not in str(error.value) and "f.safetensors" in str(error.value)


def test_header_longer_than_the_file():
    blob = envelope()
    with pytest.raises(FileFormatError, match="truncated test file"):
        read(struct.pack("<Q", len(blob)) + blob[8:])


def test_overlapping_arrays_are_a_file_format_error():
    two = envelope({"a": np.zeros(2, np.float32), "b": np.ones(2, np.float32)})
    with pytest.raises(FileFormatError, match="corrupt"):
        read(with_header(two, lambda h: h["b"].update(data_offsets=h["a"]["data_offsets"])))


def checkpoint(folder):
    """The path of a checkpoint after one epoch of a small network."""
    x = np.random.default_rng(0).standard_normal((40, 4)).astype(np.float32)
    y = np.arange(40) % 3
    net = build_mlp({"input_size": 4, "output_size": 3, "hidden": [5]}, seed=0)
    Trainer(net, epochs=1, batch_size=20, callbacks=[Checkpoint(folder)], quiet=True).fit(x, y)
    return folder / "last.safetensors"


def test_flipped_byte_in_a_checkpoint_is_one_line(tmp_path):
    path = checkpoint(tmp_path)
    blob = bytearray(path.read_bytes())
    blob[-3] ^= 0xFF
    path.write_bytes(bytes(blob))
    with pytest.raises(FileFormatError, match="checksum mismatch") as error:
        load_checkpoint(path)
    assert "\n" not in str(error.value) and str(path) in str(error.value)


def test_checkpoints_of_format_1_still_load(tmp_path):
    """Format 1 had no checksum and named its version ``version``."""
    path = checkpoint(tmp_path)
    new = load_checkpoint(path)
    meta = {k: v for k, v in new.meta.items() if k not in ("format_version", "sha256")}
    meta = {"format": meta.pop("format"), "version": 1, **meta}
    tensors = load_tensors(path.read_bytes())
    path.write_bytes(save_safetensors(tensors, metadata={"mlplab": json.dumps(meta)}))
    old = load_checkpoint(path)
    assert old.step == new.step and set(old.tensors) == set(new.tensors)
