"""Rows of a memory-mapped array read from its file with ``pread``, into buffers the caller owns.

Why not through the map: every page a process touches through a memory map counts in its
resident memory (RSS) until the map is dropped, so gathering shuffled rows from a ``np.memmap``
makes RSS grow toward the file's size; and a file truncated while mapped kills the process with
SIGBUS. A ``pread`` copies the row from the page cache into our buffer and leaves nothing mapped
(RSS stays at the buffers' size), and a short read is an ordinary, named error.

Rows are read in file order (sorted offsets: the disk and the kernel's read-ahead prefer it),
each straight into its place in the output, so the batch comes out in the order asked for with
no extra copy. ``hint`` asks the kernel to start reading rows wanted soon
(``POSIX_FADV_WILLNEED``): from a cold page cache, reads then overlap instead of waiting one
after another.
"""

import contextlib
import mmap
import os

import numpy as np

from mlplab.errors import FileFormatError
from mlplab.kernels.runtime import compiled, fused


def file_rows(x):
    """A ``FileRows`` over ``x`` if it is a row-major view of a readable memory-mapped file,
    else None (in-memory arrays, copy-on-write maps, column-major or odd strides)."""
    top = _mapping_of(x)
    if top is None or getattr(top, "mode", "r") == "c" or not top.filename:
        return None
    if x.ndim != 2 or x.strides[1] != x.itemsize or x.strides[0] < x.shape[1] * x.itemsize:
        return None
    start = top.offset + (x.ctypes.data - top.ctypes.data)
    try:
        rows = FileRows(top.filename, start, x.strides[0], x.shape, x.dtype)
    except OSError:  # the file is gone or unreadable by name: the map still holds the data
        return None
    if not _maps_this_file(top.ctypes.data, os.fstat(rows._file.fileno()).st_ino):
        rows.close()  # the name now leads to another file (replaced since it was mapped)
        return None
    return rows


def _maps_this_file(address: int, inode: int) -> bool:
    """Whether the mapping holding ``address`` is of the file with ``inode`` (Linux's
    ``/proc/self/maps``; True where that cannot be told)."""
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                span, _, _, _, node = line.split(maxsplit=5)[:5]
                low, high = (int(a, 16) for a in span.split("-"))
                if low <= address < high:
                    return int(node) == inode
    except (OSError, ValueError):
        pass
    return True


def _mapping_of(x):
    """The ``np.memmap`` that owns the mapping under ``x`` (a slice's ``offset`` is its
    parent's, so the one whose base is the ``mmap`` itself), or None."""
    while isinstance(x, np.ndarray):
        if isinstance(x, np.memmap) and isinstance(x.base, mmap.mmap):
            return x
        x = x.base
    return None


class FileRows:
    """The rows of a (N, D) array stored in ``path``: row i starts at ``start + i * stride``.

    ``read(rows, out)`` fills ``out`` (len(rows), D) in place; ``x[part]`` (a slice or index
    array) returns a new array, so that ``FileRows`` can stand in for the array where rows are
    only read (``mlplab.metrics.evaluate_batches``). Not shared between threads: each thread
    opens its own.
    """

    def __init__(self, path, start: int, stride: int, shape: tuple, dtype):
        self.path, self.start, self.stride = str(path), int(start), int(stride)
        self.shape, self.dtype = tuple(shape), np.dtype(dtype)
        self.row_bytes = self.shape[1] * self.dtype.itemsize
        #: whether the last ``read`` found every row in the page cache (None: not known)
        self.cached: bool | None = None
        self._file = open(self.path, "rb", buffering=0)  # noqa: SIM115 (closed by close())

    def __len__(self) -> int:
        return self.shape[0]

    @property
    def ndim(self) -> int:
        return 2

    def close(self) -> None:
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        with contextlib.suppress(Exception):
            self._file.close()

    def __getitem__(self, part):
        if isinstance(part, slice):
            start, stop, step = part.indices(self.shape[0])
            part = np.arange(start, stop, step)
        rows = np.asarray(part)
        return self.read(rows, np.empty((len(rows), self.shape[1]), self.dtype))

    def read(self, rows, out):
        """Rows ``rows`` (indices into the array) into ``out`` (len(rows), D), C-contiguous,
        of this array's dtype; returns ``out``. In order of their offsets; with the compiled
        kernels in one call that releases the GIL and tells whether the page cache held every
        row (``cached``; Linux's ``RWF_NOWAIT``), else (or on any failure, to name it) one
        ``pread`` per row from Python."""
        offsets = self.start + np.asarray(rows, dtype=np.int64) * self.stride
        order = np.argsort(offsets, kind="stable")
        flat, size = _bytes_of(out), self.row_bytes
        reader = getattr(compiled(), "read_rows", None) if fused() else None
        self.cached = None
        found = None if reader is None else reader(self._file.fileno(), offsets, order, size, flat)
        if isinstance(found, int):  # the rows not wholly cached (-1: not known); else a failure
            self.cached = None if found < 0 else found == 0
            return out
        offsets = offsets.tolist()
        for k in order.tolist():
            self._read_at(flat[k * size : (k + 1) * size], offsets[k], rows[k])
        return out

    def read_span(self, first: int, out):
        """The consecutive rows ``first, first + 1, ...`` into ``out``: one read if they are
        stored back to back."""
        if self.stride != self.row_bytes:
            return self.read(np.arange(first, first + len(out)), out)
        self._read_at(_bytes_of(out), self.start + first * self.stride, first)
        return out

    def hint(self, rows) -> None:
        """Ask the kernel to start reading ``rows`` into the page cache (no copy; about half a
        microsecond a row when they are there already). Only a hint: errors are ignored."""
        if _advise is None:
            return
        fd = self._file.fileno()
        offsets = self.start + np.sort(np.asarray(rows, np.int64)) * self.stride
        advise = getattr(compiled(), "advise_rows", None) if fused() else None
        if advise is not None:  # one call, without the GIL
            advise(fd, offsets, self.row_bytes)
            return
        with contextlib.suppress(OSError):
            for offset in offsets.tolist():
                _advise(fd, offset, self.row_bytes, os.POSIX_FADV_WILLNEED)

    def _read_at(self, target, offset: int, row) -> None:
        try:
            got = _pread_into(self._file, target, offset)
        except OSError as e:
            raise FileFormatError(
                f"{self.path}: cannot read row {row} at byte {offset}: {e.strerror or e}"
            ) from None
        if got != len(target):
            size = os.fstat(self._file.fileno()).st_size
            raise FileFormatError(
                f"{self.path}: truncated while in use: row {row} needs bytes {offset}.."
                f"{offset + len(target)}, the file now holds {size} bytes"
            )


def _bytes_of(out):
    """The bytes of a C-contiguous array, as a flat writable ``memoryview``."""
    if not out.flags.c_contiguous:
        raise ValueError("FileRows reads into C-contiguous arrays only")
    return memoryview(out.reshape(-1).view(np.uint8))


def _pread_into(file, target, offset: int) -> int:
    """Read len(target) bytes at ``offset`` into ``target``; the count read (short at EOF)."""
    done = 0
    while done < len(target):
        got = _read_into(file, target[done:], offset + done)
        if not got:
            break
        done += got
    return done


if hasattr(os, "preadv"):

    def _read_into(file, target, offset):
        return os.preadv(file.fileno(), [target], offset)

else:  # Windows, older macOS: seek + read (the file object is this reader's alone)

    def _read_into(file, target, offset):
        file.seek(offset)
        return file.readinto(target)


_advise = getattr(os, "posix_fadvise", None)
