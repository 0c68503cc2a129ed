"""Read a memory-mapped file's minibatches while the kernel reads the next ones from the disk.

The epoch's batches (row indices, in the epoch's order) are known when it starts. Each batch is
read when the trainer asks for it (``mlplab.data.file_rows``: ``pread`` into a reused buffer,
so resident memory stays at a batch whatever the file's size); these are the rows the
in-memory path would gather, in the same order, so training is bit-identical.

Reading ahead is the kernel's: while rows come from the disk, the reader asks it
(``POSIX_FADV_WILLNEED``) for the rows of the ``depth`` batches after the current one, and the
disk reads them while this batch trains; when a batch comes up, its rows are in the page cache
and the copy is quick. Whether rows come from the disk, the reads say (``FileRows.cached``,
Linux's ``RWF_NOWAIT``): over a file that the page cache holds, no hint is given, the reading
costs only the copy (about 90 µs a batch of 128 rows of 784 floats), and no thread competes
with the BLAS's. Where the kernel cannot tell, every batch is asked for ahead.

Why not a reading thread (measured in ``benchmarks/OUT_OF_CORE.md``): on a 2-core machine a
thread that copies the rows takes a core from the matrix products, and the whole step waits for
the slower of the BLAS's threads (in one process over a cached file: 0.93 × the in-memory rate
with the thread, 0.97 without); from the disk, the hints keep more reads in flight than one
thread's blocking ``pread`` (0.73-0.87 against 0.55 × the in-memory rate). An error reading the
file (truncated or unreadable while training) is the reader's one-line ``FileFormatError``,
raised at that batch.

``MLPLAB_PREFETCH``: the number of batches the kernel is asked for ahead (default 4); ``0``
reads each batch with no hints; ``off`` gathers rows through the memory map itself, as before
(resident memory then grows toward the file's size).
"""

import os

import numpy as np

from mlplab.errors import ConfigError

DEFAULT_DEPTH = 4
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
    """Ask for ``depth`` batches ahead (0: no hints; None: rows gathered through the map)."""
    global _setting
    _setting = "off" if depth is None else str(int(depth))


def batch_reader(rows, batches, dtype):
    """A ``BatchReader`` of ``batches`` (row index arrays, in order) from ``rows`` (a
    ``FileRows``), asking ``prefetch_depth()`` batches ahead."""
    return BatchReader(rows, batches, dtype, prefetch_depth() or 0)


class BatchReader:
    """Each batch read when it is asked for, into one reused buffer in the network's dtype;
    while rows come from the disk, the kernel asked for the ``depth`` batches after it.

    Whether they come from the disk is told by the batches read without a hint: the first of
    the epoch and, while the page cache holds them, every one after it; a batch asked for
    ahead is in the cache because it was asked for, and tells nothing of the rest."""

    def __init__(self, rows, batches, dtype, depth: int = DEFAULT_DEPTH):
        self._rows, self._batches, self._depth = rows, batches, depth
        self._buffer = _Buffer(rows, dtype)
        self._next = 0  # the batch ``next`` returns
        self._hinted = 0  # the batches from this one on were not asked for
        self._from_disk = False

    def next(self):
        """The next batch's rows (n, D) in the network's dtype (the previous batch's buffer,
        refilled: as the in-memory path's reused gather buffer)."""
        j, rows = self._next, self._rows
        batch = self._buffer.fill(self._batches[j])
        self._next += 1
        if j >= self._hinted:
            self._from_disk = rows.cached is not True
        if self._from_disk and self._depth:
            stop = min(j + 1 + self._depth, len(self._batches))
            for k in range(max(self._hinted, j + 1), stop):
                rows.hint(self._batches[k])
            self._hinted = max(self._hinted, stop)
        return batch

    def close(self) -> None:
        self._rows.close()


class _Buffer:
    """A batch buffer of the largest batch's size in the network's dtype, filled by the file's
    reader (through a staging buffer in the file's dtype when the two differ: the same cast as
    ``np.asarray(x[rows], dtype)``)."""

    def __init__(self, rows, dtype):
        self._rows, self.dtype = rows, np.dtype(dtype)
        self._array = self._staging = None

    def fill(self, batch):
        """The rows ``batch`` read into the buffer (grown if it is too small)."""
        n, width = len(batch), self._rows.shape[1]
        if self._array is None or len(self._array) < n:
            self._array = np.empty((n, width), self.dtype)
        out = self._array[:n]
        if self._rows.dtype == self.dtype:
            return self._rows.read(batch, out)
        if self._staging is None or len(self._staging) < n:
            self._staging = np.empty((n, width), self._rows.dtype)
        out[...] = self._rows.read(batch, self._staging[:n])
        return out
