"""Training from a memory-mapped file, its batches read as they are needed and the kernel asked
for the next ones while rows come from the disk (``mlplab.training.prefetch``): the same batches
in the same order and bit-identical results as from memory, the file closed however training
ends, hints at most ``depth`` batches ahead and none over a cached file, a file truncated
mid-training a one-line error, resident memory bounded on a file of 200 MB."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from mlplab.data.file_rows import FileRows
from mlplab.errors import FileFormatError
from mlplab.kernels import fused
from mlplab.network import build_mlp
from mlplab.training import Callback, Checkpoint, Trainer, prefetch
from mlplab.training.interrupts import Interrupted

SRC = Path(__file__).resolve().parents[2] / "src"
ROWS, FEATURES, BATCH = 1003, 12, 64  # 16 batches, the last of 43 rows
SETTINGS = [None, 0, 1, 4]  # through the map, read in the training thread, 1 and 4 ahead


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((ROWS, FEATURES)).astype(np.float32)
    y = x[:, :3].argmax(axis=1).astype(np.int64)
    path = tmp_path_factory.mktemp("pair") / "x.npy"
    np.save(path, x)
    return x, y, path


@pytest.fixture
def depth(request, monkeypatch):
    monkeypatch.setattr(prefetch, "_setting", prefetch._setting)
    prefetch.set_prefetch(getattr(request, "param", 4))
    return prefetch.prefetch_depth()


@pytest.fixture
def open_readers(monkeypatch):
    """The ``FileRows`` opened and not closed since the test began."""
    opened = set()
    original_init, original_close = FileRows.__init__, FileRows.close

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        opened.add(self)

    def close(self):
        opened.discard(self)
        original_close(self)

    monkeypatch.setattr(FileRows, "__init__", init)
    monkeypatch.setattr(FileRows, "close", close)
    return opened


class Recorder(Callback):
    """Copies of every batch trained on; ``act(trainer)`` after batch ``at``."""

    def __init__(self, at=None, act=None):
        self.batches, self.at, self.act = [], at, act

    def on_batch_end(self, trainer):
        self.batches.append((trainer.x_batch.copy(), trainer.y_batch.copy()))
        if trainer.step == self.at:
            self.act(trainer)


def train(x, y, epochs=2, dtype="float32", callbacks=(), **fit):
    net = build_mlp(
        {"input_size": FEATURES, "hidden": [16], "output_size": 3, "dtype": dtype}, seed=0
    )
    trainer = Trainer(
        net, optimizer="momentum", lr=0.1, batch_size=BATCH, epochs=epochs, seed=3,
        quiet=True, callbacks=list(callbacks),
    )  # fmt: skip
    history = trainer.fit(x, y, **fit)
    weights = [layer.params[key].copy() for _, layer, key in net.parameters()]
    return weights, [{k: v for k, v in r.items() if k != "time"} for r in history.records]


def assert_same(a, b):
    assert len(a[0]) == len(b[0])
    for wa, wb in zip(a[0], b[0], strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert a[1] == b[1]


@pytest.mark.parametrize("depth", SETTINGS, indirect=True)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_same_batches_in_the_same_order_and_bit_identical_results(pair, depth, dtype):
    x, y, path = pair
    w = np.random.default_rng(1).uniform(0.5, 2.0, ROWS)
    in_memory, seen_memory = Recorder(), Recorder()
    reference = train(x, y, dtype=dtype, callbacks=[seen_memory], validation_split=0.1,
                      sample_weight=w)  # fmt: skip
    mapped = train(np.load(path, mmap_mode="r"), y, dtype=dtype, callbacks=[in_memory],
                   validation_split=0.1, sample_weight=w)  # fmt: skip
    assert_same(mapped, reference)
    assert len(in_memory.batches) == len(seen_memory.batches) == 2 * 15
    for (xa, ya), (xb, yb) in zip(in_memory.batches, seen_memory.batches, strict=True):
        assert xa.dtype == xb.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)


def test_validation_data_from_a_map_is_evaluated_from_its_file(pair, depth, monkeypatch):
    x, y, path = pair
    reference = train(x[:800], y[:800], validation_data=(x[800:], y[800:]))
    reads = []
    original = FileRows.__getitem__
    monkeypatch.setattr(FileRows, "__getitem__", lambda self, part: reads.append(1) or
                        original(self, part))  # fmt: skip
    m = np.load(path, mmap_mode="r")
    assert_same(train(m[:800], y[:800], validation_data=(m[800:], y[800:])), reference)
    assert reads  # the validation rows came through the reader


@pytest.mark.parametrize(
    "act",
    [
        lambda trainer: setattr(trainer, "stop_training", True),
        lambda trainer: (_ for _ in ()).throw(ValueError("a callback failed")),
        lambda trainer: signal.raise_signal(signal.SIGINT),
    ],
    ids=["early-stop", "exception", "sigint"],
)
def test_the_file_is_closed_however_training_ends(pair, depth, act, open_readers):
    x, y, path = pair
    stopper = Recorder(at=5, act=act)
    with contextlib.suppress(ValueError, Interrupted):
        train(np.load(path, mmap_mode="r"), y, callbacks=[stopper])
    assert len(stopper.batches) == 5
    assert depth is None or not open_readers


def test_resume_after_an_interruption_mid_epoch_is_bit_identical(pair, depth, tmp_path):
    x, y, path = pair
    reference = train(x, y, epochs=3)
    interrupt = Recorder(at=21, act=lambda trainer: signal.raise_signal(signal.SIGINT))
    checkpoint = Checkpoint(tmp_path)
    with pytest.raises(Interrupted):
        train(np.load(path, mmap_mode="r"), y, epochs=3, callbacks=[interrupt, checkpoint])
    resumed = train(np.load(path, mmap_mode="r"), y, epochs=3, callbacks=[Checkpoint(tmp_path)],
                    resume=checkpoint.path)  # fmt: skip
    assert_same(resumed, reference)


def hints_while_training(path, y, monkeypatch, cached):
    """Per step: the batch trained on, and the last batch asked of the kernel so far; with
    ``cached`` what every read reports of the page cache (True, False, None: not known)."""
    hinted, seen = [], []
    original = FileRows.read

    def read(self, rows, out):
        original(self, rows, out)
        self.cached = cached
        return out

    monkeypatch.setattr(FileRows, "read", read)
    monkeypatch.setattr(FileRows, "hint", lambda self, rows: hinted.append(rows[0]))

    class Count(Callback):
        def on_batch_end(self, trainer):
            seen.append((trainer.batch - 1, len(hinted)))

    train(np.load(path, mmap_mode="r"), y, epochs=1, callbacks=[Count()])
    return seen


@pytest.mark.parametrize("depth", [1, 4], indirect=True)
@pytest.mark.parametrize("cached", [False, None])
def test_from_the_disk_the_kernel_is_asked_depth_batches_ahead(pair, depth, cached, monkeypatch):
    x, y, path = pair
    seen = hints_while_training(path, y, monkeypatch, cached)
    steps = len(seen)
    # the first batch read tells that rows come from the disk; while batch j trains, batches
    # j+1..j+depth are asked for (the last ones: as many as there are)
    assert seen == [(j, min(j + 1 + depth, steps) - 1) for j in range(steps)]


@pytest.mark.parametrize("depth", [4], indirect=True)
def test_over_a_cached_file_no_hint_is_given(pair, depth, monkeypatch):
    x, y, path = pair
    seen = hints_while_training(path, y, monkeypatch, True)
    assert [hinted for _, hinted in seen] == [0] * 16


@pytest.mark.parametrize("depth", [2], indirect=True)
def test_hints_resume_when_rows_come_from_the_disk_again(pair, depth, monkeypatch):
    x, y, path = pair
    misses = iter([True] * 5 + [False] + [True] * 20)  # batch 5 missed the page cache
    original = FileRows.read

    def read(self, rows, out):
        original(self, rows, out)
        self.cached = next(misses)
        return out

    hinted = []
    monkeypatch.setattr(FileRows, "read", read)
    monkeypatch.setattr(FileRows, "hint", lambda self, rows: hinted.append(rows[0]))
    order = np.arange(ROWS)  # batches in file order: shuffle off
    net = build_mlp({"input_size": FEATURES, "hidden": [4], "output_size": 3}, seed=0)
    Trainer(net, batch_size=BATCH, epochs=1, quiet=True, shuffle=False).fit(
        np.load(path, mmap_mode="r"), y
    )
    # after batch 5 missed: batches 6 and 7 asked for, then one more with each batch
    assert hinted == [order[k * BATCH] for k in range(6, 16)]


def _drop_pages(fd, offset, tries=10) -> bool:
    """Ask the kernel to drop the file's pages until the page at ``offset`` is gone (on a busy
    machine one request may find it still under writeback); False if it never goes."""
    os.fsync(fd)
    for _ in range(tries):
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        try:
            os.preadv(fd, [bytearray(4096)], offset, os.RWF_NOWAIT)
        except BlockingIOError:
            return True
        time.sleep(0.05)
    return False


def test_the_compiled_reader_tells_whether_the_page_cache_held_the_rows(tmp_path):
    if not fused() or not hasattr(os, "RWF_NOWAIT"):
        pytest.skip("needs the compiled kernels and Linux's RWF_NOWAIT")
    path = tmp_path / "rows.bin"
    path.write_bytes(np.arange(256 * 1024, dtype=np.float32).tobytes())
    with FileRows(path, 0, 1024 * 4, (256, 1024), np.float32) as rows:
        out = rows.read(np.array([3, 200, 7]), np.empty((3, 1024), np.float32))
        np.testing.assert_array_equal(out[1], np.arange(200 * 1024, 201 * 1024))
        assert rows.cached is True  # just written
        if not _drop_pages(rows._file.fileno(), 200 * 4096):
            pytest.skip(f"{tmp_path}'s pages stay in memory")  # tmpfs cannot show the other case
        out = rows.read(np.array([3, 200, 7]), np.empty((3, 1024), np.float32))
        np.testing.assert_array_equal(out[2], np.arange(7 * 1024, 8 * 1024))
        assert rows.cached is False


def test_a_file_truncated_while_training_is_a_one_line_error(pair, tmp_path, depth):
    x, y, _ = pair
    path = tmp_path / "x.npy"
    np.save(path, x)

    def truncate(trainer):
        with open(path, "r+b") as f:
            f.truncate(path.stat().st_size // 2)

    with pytest.raises(FileFormatError, match=r"x\.npy: truncated while in use: row \d+") as e:
        train(np.load(path, mmap_mode="r"), y, callbacks=[Recorder(at=2, act=truncate)])
    assert "\n" not in str(e.value)


RSS_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    from mlplab.data.npy_pair import open_npy
    from mlplab.network import build_mlp
    from mlplab.training import Callback, Trainer

    def rss():
        with open("/proc/self/status") as f:
            return {k: int(v.split()[0]) * 1024 for k, v in
                    (line.split(":", 1) for line in f) if k in ("VmRSS", "VmHWM")}

    class Peak(Callback):
        peak = 0
        def on_batch_end(self, trainer):
            self.peak = max(self.peak, rss()["VmRSS"])

    x, y = open_npy(sys.argv[1]), np.load(sys.argv[2])
    # the library's own code (the compiled kernels, the BLAS buffers) loads on a first fit: the
    # measure below is what the file costs
    warm = build_mlp({"input_size": x.shape[1], "hidden": [16], "output_size": 10}, seed=0)
    Trainer(warm, optimizer="sgd", lr=0.01, batch_size=1024, epochs=1, seed=0, quiet=True).fit(
        np.asarray(x[:2048]), y[:2048], validation_split=0.2)
    net = build_mlp({"input_size": x.shape[1], "hidden": [16], "output_size": 10}, seed=0)
    monitor = Peak()
    trainer = Trainer(net, optimizer="sgd", lr=0.01, batch_size=1024, epochs=1, seed=0,
                      quiet=True, callbacks=[monitor])
    before = rss()["VmRSS"]
    history = trainer.fit(x, y, validation_split=0.2)
    print(json.dumps({"before": before, "peak": monitor.peak, "hwm": rss()["VmHWM"],
                      "val": history.records[-1]["val_loss"]}))
    """
)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_resident_memory_stays_far_below_a_200_mb_file(tmp_path):
    rows, features = 100_000, 512
    block = np.random.default_rng(0).standard_normal((2000, features)).astype(np.float32)
    x_path, y_path = tmp_path / "x.npy", tmp_path / "y.npy"
    with open(x_path, "wb") as f:  # written, not mapped: the test process stays small too
        header = {"descr": "<f4", "fortran_order": False, "shape": (rows, features)}
        np.lib.format.write_array_header_1_0(f, header)
        for _ in range(rows // len(block)):
            block.tofile(f)
    np.save(y_path, np.tile(block[:, :10].argmax(axis=1), rows // len(block)))
    size = x_path.stat().st_size
    env = dict(os.environ, PYTHONPATH=str(SRC), OPENBLAS_NUM_THREADS="1", MLPLAB_PREFETCH="4")
    done = subprocess.run(
        [sys.executable, "-c", RSS_SCRIPT, str(x_path), str(y_path)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["hwm"] - found["before"] < size / 4, found  # the NaN scan's included
    assert found["peak"] - found["before"] < size / 8, found  # during the steps
    assert np.isfinite(found["val"])
