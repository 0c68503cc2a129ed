"""Read the next minibatches from a memory-mapped file in a background thread while the current
one trains.

The epoch's batches (row indices, in the epoch's order) are known when it starts; a thread reads
them one after another (``mlplab.data.file_rows``: ``pread`` into buffers, so resident memory
stays at a few batches whatever the file's size) and hands them over through a queue.
The batches are the rows the in-memory path would gather, in the same order, so training is
bit-identical. ``pread`` and the copies release the GIL, so one thread overlaps the reading
with the forward and backward passes (which spend their time in BLAS, without the GIL).

Memory is bounded by recycling: a buffer goes back to the thread when the trainer asks for the
next batch (the previous ``x_batch`` is then no longer read, as with the in-memory path's
reused gather buffers). An error in the thread (the file truncated or unreadable while training)
is raised in the training thread when it reaches that batch, as the reader's one-line
``FileFormatError``; ``close`` stops the thread (at the end of an epoch, on early stopping, on
an exception or an interruption).

``MLPLAB_PREFETCH``: the number of batches read ahead (default 4); ``0`` reads each batch from
the file in the training thread, when it is needed; ``off`` gathers rows through the memory map
itself, as before (resident memory then grows toward the file's size).
"""

import os
import queue
import threading

import numpy as np

from mlplab.errors import ConfigError

DEFAULT_DEPTH = 4
#: the batch buffers of a prefetcher hold at most this much (but always two batches: one being
#: trained on, one read ahead); the kernel is still asked ``depth`` batches ahead
BUFFER_BYTES = 8 * 2**20
_setting = os.environ.get("MLPLAB_PREFETCH", "").strip().lower()


def prefetch_depth() -> int | None:
    """Batches to read ahead (``MLPLAB_PREFETCH``): None for ``off``, else an int >= 0."""
    if _setting in ("", "on"):
        return DEFAULT_DEPTH
    if _setting == "off":
        return None
    if not _setting.isdigit():
        raise ConfigError(f"MLPLAB_PREFETCH: expected off or a number >= 0, got {_setting!r}")
    return int(_setting)


def set_prefetch(depth: int | None) -> None:
    """Read ``depth`` batches ahead (0: in the training thread; None: through the map)."""
    global _setting
    _setting = "off" if depth is None else str(int(depth))


def batch_reader(rows, batches, dtype):
    """A reader of ``batches`` (row index arrays, in order) from ``rows`` (a ``FileRows``):
    a ``Prefetcher`` reading ``prefetch_depth()`` batches ahead, or with depth 0 a
    ``DirectReader``."""
    depth = prefetch_depth() or 0
    if depth == 0:
        return DirectReader(rows, batches, dtype)
    return Prefetcher(rows, batches, dtype, depth)


class DirectReader:
    """Each batch read from the file when it is asked for, in the training thread, into one
    reused buffer."""

    def __init__(self, rows, batches, dtype):
        self._rows, self._batches = rows, iter(batches)
        self._buffers = _Buffers(rows, dtype)
        self._buffer = self._buffers.take()

    def next(self):
        """The next batch's rows (n, D) in the network's dtype."""
        self._buffer = self._buffers.fill(next(self._batches), self._buffer)
        return self._buffer

    def close(self) -> None:
        self._rows.close()


class Prefetcher:
    """Batches read by a background thread, at most ``depth`` ahead of the training thread
    and within ``BUFFER_BYTES`` of buffers (``buffer_count``)."""

    def __init__(self, rows, batches, dtype, depth: int = DEFAULT_DEPTH):
        self._rows, self._batches, self._depth = rows, batches, depth
        self._buffers = _Buffers(rows, dtype)
        self._free = queue.Queue()  # buffers the thread may fill; None: stop
        self._ready = queue.Queue()  # (batch, None) or (None, exception), in order
        for _ in range(buffer_count(depth, batches, rows.shape[1] * np.dtype(dtype).itemsize)):
            self._free.put(self._buffers.take())
        self._held = None
        self._thread = threading.Thread(target=self._run, name="mlplab-prefetch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        batches, ahead = self._batches, self._depth
        try:
            for batch in batches[:ahead]:
                self._rows.hint(batch)
            for j, batch in enumerate(batches):
                buffer = self._free.get()
                if buffer is None:
                    return
                if j + ahead < len(batches):  # from a cold cache: `ahead` batches in flight
                    self._rows.hint(batches[j + ahead])
                self._ready.put((self._buffers.fill(batch, buffer), None))
        except BaseException as error:  # raised in the training thread, at this batch
            self._ready.put((None, error))

    def next(self):
        """The next batch's rows (n, D) in the network's dtype; the previous one's buffer goes
        back to the thread."""
        if self._held is not None:
            self._free.put(self._held)
            self._held = None
        while True:
            try:
                batch, error = self._ready.get(timeout=1.0)
                break
            except queue.Empty:
                if not self._thread.is_alive():
                    raise RuntimeError("prefetch thread ended without a batch") from None
        if error is not None:
            raise error
        self._held = batch
        return batch

    def close(self) -> None:
        """Stop the thread (it finishes the read in progress) and close the file."""
        self._free.put(None)
        self._thread.join(timeout=10.0)
        self._rows.close()


def buffer_count(depth: int, batches, row_bytes: int) -> int:
    """Buffers for ``depth`` batches ahead plus the trainer's, within ``BUFFER_BYTES`` (at
    least two: the thread reads the next batch while the trainer holds one)."""
    largest = max((len(b) for b in batches[:2]), default=1) * row_bytes
    return max(2, min(depth + 1, BUFFER_BYTES // max(largest, 1)))


class _Buffers:
    """Batch buffers of the largest batch's size in the network's dtype, filled by the file's
    reader (a staging buffer in the file's dtype when the two differ: the same cast as
    ``np.asarray(x[rows], dtype)``)."""

    def __init__(self, rows, dtype):
        self._rows, self.dtype = rows, np.dtype(dtype)
        self._staging = None

    def take(self):
        """An empty buffer (``fill`` sizes it on first use)."""
        return np.empty((0, self._rows.shape[1]), self.dtype)

    def fill(self, batch, buffer):
        """The rows ``batch`` read into ``buffer`` (or a larger one if it is too small)."""
        n = len(batch)
        if len(buffer) < n or not buffer.flags.c_contiguous:
            buffer = np.empty((n, self._rows.shape[1]), self.dtype)
        out = buffer[:n] if len(buffer) != n else buffer
        if self._rows.dtype == self.dtype:
            return self._rows.read(batch, out)
        if self._staging is None or len(self._staging) < n:
            self._staging = np.empty((n, self._rows.shape[1]), self._rows.dtype)
        out[...] = self._rows.read(batch, self._staging[:n])
        return out
