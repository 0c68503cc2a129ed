"""The kernel threads: a kernel's row spans run at once, the first on the calling thread.

The compiled kernels release the GIL, so Python threads run them in parallel. The count is
``set_threads``'s (threads.py), by default the cores this process may use; a pool of
count − 1 threads is started on the first parallel call and started again after a fork (a
child inherits no threads). Only large arrays are split (``eligibility.row_spans``): below that
a kernel's pass is shorter than waking a thread.
"""

import functools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

#: the machine's cores (asked once: the call reads /sys, about 15 µs)
CORES = os.cpu_count() or 1
_count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else CORES
_pool = None
_pool_size = 0
_lock = threading.Lock()


def threads() -> int:
    """How many threads a parallel kernel uses."""
    return _count


def set_count(n: int) -> None:
    """Use ``n`` threads from the next parallel kernel on: at least 1, at most the machine's
    cores (more would only take turns)."""
    global _count
    _count = max(1, min(int(n), CORES))


def spans(count: int, parts: int) -> list[tuple[int, int]]:
    """``count`` items cut into ``parts`` (start, stop) spans of near-equal size."""
    return [(c * count // parts, (c + 1) * count // parts) for c in range(parts)]


def each_span(kernel, spans, *args, sums=()):
    """``kernel(*args, start, stop, *row)`` for each (start, stop) of ``spans`` at once,
    ``row`` that span's row of each array in ``sums`` (its partial sums)."""
    run(
        [
            functools.partial(kernel, *args, a, b, *(s[i] for s in sums))
            for i, (a, b) in enumerate(spans)
        ]
    )


def run(calls) -> None:
    """Call each of ``calls`` (functions of no argument), the first here and the rest on the
    pool, and return when all are done (re-raising the first error)."""
    if len(calls) == 1:
        calls[0]()
        return
    pending = [_executor(len(calls) - 1).submit(call) for call in calls[1:]]
    try:
        calls[0]()
    finally:
        for future in pending:
            future.result()


def _executor(workers: int) -> ThreadPoolExecutor:
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size < workers:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool, _pool_size = ThreadPoolExecutor(workers, "mlplab-kernel"), workers
        return _pool


def _forget_pool() -> None:
    global _pool, _pool_size, _lock
    _pool, _pool_size, _lock = None, 0, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)
