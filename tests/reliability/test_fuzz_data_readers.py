"""Every data file mlplab reads is untrusted: fuzzing the data readers.

Small real files of every data format (CSV, NPZ plain and compressed, a ``.npy`` pair, MNIST IDX
plain and gzipped, CIFAR-10 binary batches) are mutated by ``hypothesis`` — flipped bytes,
truncations, inserted bytes, spans overwritten with hostile values (huge, negative, all-ones
sizes) — and read through the loading paths a user reaches (``load_data``, ``load_features``).
Two promises are checked on every example:

- only documented errors leave a reader: an ``MlplabError`` whose message is one line naming
  the file (or its folder);
- no reader allocates more than the file can justify: peak traced memory stays within a small
  multiple of the bytes on disk (deflate's ~1032:1 ratio for compressed files).

Hand-written hostile headers (dims whose product overflows, sizes larger than the file, an
unterminated ``.npy`` header, zip flags zipfile refuses) are checked the same way. The example
counts are bounded so the whole module runs in a few seconds.
"""

import gzip
import io
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlplab.data import load_data
from mlplab.data.features import load_features
from mlplab.errors import MlplabError

HOSTILE = [
    b"\xff\xff\xff\xff",
    b"\x7f\xff\xff\xff",
    b"\x80\x00\x00\x00",
    b"\x00\x00\x00\x00",
    b"-1",
    b"99999999999999999999",
    b"(4294967295, 4294967295, 4294967295)",
    b"'<f8'",
    b"'|O'",
    b"\n",
    b"\x00",
    b"{",
]
#: bytes a reader may hold per byte on disk, plus a fixed allowance (interpreter noise, parsing)
PER_BYTE, FIXED = 64, 4 * 2**20
DEFLATE_RATIO = 1100


# ---------------------------------------------------------------- sample files, one per format
def _csv():
    rows = ["a,b,c,label"] + [f"{i}.5,{i % 3},{-i},{'xy'[i % 2]}" for i in range(8)]
    return {"data.csv": ("\n".join(rows) + "\n").encode()}


def _arrays():
    rng = np.random.default_rng(0)
    x = rng.random((8, 2, 2)).astype(np.float32)
    y = np.array([0, 1] * 4, dtype=np.int64)
    return x, y


def _npz(compressed: bool):
    x, y = _arrays()
    buffer = io.BytesIO()
    save = np.savez_compressed if compressed else np.savez
    save(buffer, x_train=x, y_train=y, x_test=x[:4], y_test=y[:4])
    return {"data.npz": buffer.getvalue()}


def _npy_bytes(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _npy_pair():
    x, y = _arrays()
    return {"x_train.npy": _npy_bytes(x.reshape(8, 4)), "y_train.npy": _npy_bytes(y)}


def _idx_bytes(array, type_byte) -> bytes:
    head = bytes([0, 0, type_byte, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return head + array.astype(array.dtype.newbyteorder(">")).tobytes()


def _mnist(gzipped: bool):
    x, y = _arrays()
    images = (x * 255).astype(np.uint8)
    files = {
        "train-images-idx3-ubyte": _idx_bytes(images, 0x08),
        "train-labels-idx1-ubyte": _idx_bytes(y.astype(np.uint8), 0x08),
        "t10k-images-idx3-ubyte": _idx_bytes(images[:4], 0x08),
        "t10k-labels-idx1-ubyte": _idx_bytes(y[:4].astype(np.uint8), 0x08),
    }
    if gzipped:
        files = {f"{k}.gz": gzip.compress(v, mtime=0) for k, v in files.items()}
    return files


def _cifar():
    rng = np.random.default_rng(1)
    records = rng.integers(0, 256, (6, 3073), dtype=np.uint8)
    records[:, 0] = np.arange(6) % 2
    return {"data_batch_1.bin": records.tobytes(), "test_batch.bin": records[:3].tobytes()}


SAMPLES = {
    "csv": (_csv, "data.csv"),
    "npz": (lambda: _npz(False), "data.npz"),
    "npz-compressed": (lambda: _npz(True), "data.npz"),
    "npy-pair": (_npy_pair, "."),
    "mnist-idx": (lambda: _mnist(False), "."),
    "mnist-idx-gz": (lambda: _mnist(True), "."),
    "cifar10-binary": (_cifar, "."),
}
FEATURE_SAMPLES = {
    "csv": (_csv, "data.csv"),
    "npy": (lambda: {"x.npy": _npy_pair()["x_train.npy"]}, "x.npy"),
    "npz": (lambda: {"x.npz": _npz(True)["data.npz"]}, "x.npz"),
}


# ---------------------------------------------------------------- mutations and the promise
mutation = st.tuples(
    st.sampled_from(["flip", "truncate", "insert", "overwrite"]),
    st.integers(0, 2**20),
    st.one_of(st.binary(min_size=1, max_size=6), st.sampled_from(HOSTILE)),
)


def mutate(data: bytes, steps) -> bytes:
    """``data`` after each (kind, position, bytes) step; positions wrap around the length."""
    for kind, position, chunk in steps:
        at = position % max(len(data), 1)
        if kind == "flip" and data:
            data = data[:at] + bytes([data[at] ^ (1 << (position % 8))]) + data[at + 1 :]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "insert":
            data = data[:at] + chunk + data[at:]
        else:
            data = data[:at] + chunk + data[at + len(chunk) :]
    return data


def write_files(directory, files: dict):
    for old in directory.iterdir():
        old.unlink()
    for name, data in files.items():
        (directory / name).write_bytes(data)


def assert_only_documented_errors(read, directory, compressed=False):
    """``read()`` succeeds or raises a one-line MlplabError naming the file; memory bounded."""
    on_disk = sum(p.stat().st_size for p in directory.iterdir())
    bound = (DEFLATE_RATIO if compressed else PER_BYTE) * on_disk + FIXED
    tracemalloc.start()
    try:
        read()
    except MlplabError as e:
        message = str(e)
        assert "\n" not in message, message
        assert str(directory) in message, message
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak <= bound, f"peak {peak} bytes for {on_disk} bytes on disk"


FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("kind", list(SAMPLES))
@FUZZ
@given(target=st.integers(0, 3), steps=st.lists(mutation, min_size=1, max_size=3))
def test_load_data_survives_mutated_files(tmp_path, kind, target, steps):
    make, entry = SAMPLES[kind]
    files = make()
    name = sorted(files)[target % len(files)]
    files[name] = mutate(files[name], steps)
    write_files(tmp_path, files)
    path = tmp_path / entry

    def read():
        load_data(path)

    assert_only_documented_errors(read, tmp_path, compressed="gz" in kind or "compr" in kind)


@pytest.mark.parametrize("kind", list(FEATURE_SAMPLES))
@FUZZ
@given(steps=st.lists(mutation, min_size=1, max_size=3))
def test_load_features_survives_mutated_files(tmp_path, kind, steps):
    make, entry = FEATURE_SAMPLES[kind]
    files = {name: mutate(data, steps) for name, data in make().items()}
    write_files(tmp_path, files)

    def read():
        load_features(tmp_path / entry, n_features=None)

    assert_only_documented_errors(read, tmp_path, compressed=kind == "npz")


# ---------------------------------------------------------------- hand-written hostile headers
def _npy_with_header(header: str, payload: bytes = b"\x00" * 16, terminate=True) -> bytes:
    text = header + (" " * ((64 - (len(header) + 11) % 64) % 64)) + ("\n" if terminate else " ")
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode() + payload


HUGE = "{'descr': '<f8', 'fortran_order': False, 'shape': (%s,), }"
NPY_HEADERS = {
    "overflowing-dims": HUGE % "4294967296, 4294967296, 4294967296",
    "wrapping-dims": HUGE % "4294967296, 4294967296",  # 2**64 × 8 bytes is 0 in int64
    "huge-dim": HUGE % "100000000",
    "negative-dim": HUGE % "-1",
    "unterminated": None,
    "object-dtype": "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }",
    "not-a-dict": "[1, 2, 3]",
    "unclosed-string": "{'descr': '<f8",
}


def _npy_case(name):
    if name == "unterminated":
        return _npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2", b"")
    payload = b"" if name == "wrapping-dims" else b"\x00" * 16
    return _npy_with_header(NPY_HEADERS[name], payload)


@pytest.mark.parametrize("case", list(NPY_HEADERS))
def test_npy_hostile_header_is_refused_before_allocating(tmp_path, case):
    bad = _npy_case(case)
    if case == "unterminated":
        bad = bad[: bad.index(b"(2") + 2]
    write_files(tmp_path, {"x_train.npy": bad, "y_train.npy": _npy_pair()["y_train.npy"]})
    assert_only_documented_errors(lambda: load_data(tmp_path), tmp_path)
    assert_only_documented_errors(lambda: load_features(tmp_path / "x_train.npy"), tmp_path)


@pytest.mark.parametrize("case", list(NPY_HEADERS))
@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_npz_member_with_hostile_header_is_refused_before_allocating(tmp_path, case, compression):
    x, y = _arrays()
    with zipfile.ZipFile(tmp_path / "data.npz", "w", compression) as archive:
        archive.writestr("x_train.npy", _npy_case(case))
        for key, value in (("y_train", y), ("x_test", x), ("y_test", y)):
            archive.writestr(f"{key}.npy", _npy_bytes(value))
    assert_only_documented_errors(lambda: load_data(tmp_path / "data.npz"), tmp_path)


def _patch_member(data: bytes, offset: int, fmt: str, value) -> bytes:
    """Overwrite a field at ``offset`` of every local and central header of an archive."""
    out = bytearray(data)
    for signature, field in ((b"PK\x03\x04", offset), (b"PK\x01\x02", offset + 2)):
        start = out.find(signature)
        while start >= 0:
            struct.pack_into(fmt, out, start + field, value)
            start = out.find(signature, start + 4)
    return bytes(out)


ZIP_CASES = {
    "encrypted-flag": (6, "<H", 0x1),  # RuntimeError: password required
    "unknown-compression": (8, "<H", 99),  # NotImplementedError: compression method
    "huge-declared-size": (22, "<I", 0xFFFFFFF0),  # uncompressed size far beyond the file
    "zero-declared-size": (22, "<I", 0),
}


@pytest.mark.parametrize("case", list(ZIP_CASES))
@pytest.mark.parametrize("compressed", [False, True])
def test_npz_with_hostile_zip_fields_is_refused(tmp_path, case, compressed):
    offset, fmt, value = ZIP_CASES[case]
    data = _patch_member(_npz(compressed)["data.npz"], offset, fmt, value)
    write_files(tmp_path, {"data.npz": data})
    assert_only_documented_errors(lambda: load_data(tmp_path / "data.npz"), tmp_path, compressed)
    assert_only_documented_errors(lambda: load_features(tmp_path / "data.npz"), tmp_path, True)


IDX_DIMS = {
    "overflowing-dims": (0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF),
    "product-wraps-to-zero": (2**16, 2**16, 2**16, 2**16),  # 2**64 is 0 in int64
    "huge-dim": (100_000_000, 1, 1),
    "zero-dim": (0, 28, 28),
}


@pytest.mark.parametrize("case", list(IDX_DIMS))
def test_idx_hostile_dims_are_refused_before_allocating(tmp_path, case):
    files = _mnist(False)
    dims = IDX_DIMS[case]
    header = bytes([0, 0, 0x08, len(dims)]) + struct.pack(f">{len(dims)}I", *dims)
    payload = b"" if "wraps" in case else b"\x00" * 16
    files["train-images-idx3-ubyte"] = header + payload
    write_files(tmp_path, files)
    assert_only_documented_errors(lambda: load_data(tmp_path), tmp_path)
