"""Data-parallel training over MPI: the communicator the trainer uses, and its failure rules.

    mpirun -n 4 mlplab train --distributed ...        # or Trainer(net, ..., comm=MPI.COMM_WORLD)

Every rank holds the whole network and trains on a contiguous slice of every global minibatch
(the one-process order, ``shard``). After backward, each rank's gradient is that of its rows
scaled by n_r/B (n_r its rows, B the global batch), so one in-place ``Allreduce`` (SUM) of the
packed gradient buffer gives every rank the one-process mean gradient; the gradient transforms,
the update and the constraints then run identically everywhere (Horovod's and PyTorch DDP's
pattern [Sergeev & Del Balso, 2018]). Batch norm sums its batch statistics across ranks
(``BatchNorm.reduce``), dropout draws the global batch's mask and keeps its rows, losses and
metrics are summed, so every rank logs the numbers one process would.

Failures: an error that every rank has seen before training (bad input, a missing checkpoint)
is agreed (``agree``, ``on_root``): rank 0 reports it, every rank exits 2. Any other uncaught
error on one rank aborts the whole job (``MPI_Abort``), so no rank waits forever in a collective.
"""

import sys

import numpy as np

from mlplab import errors
from mlplab.errors import ConfigError, MlplabError


class Communicator:
    """The few collectives training needs, over an mpi4py communicator (``comm``)."""

    def __init__(self, comm):
        from mpi4py import MPI

        self.comm, self._mpi = comm, MPI
        self.rank, self.size = comm.Get_rank(), comm.Get_size()

    @property
    def root(self) -> bool:
        """Whether this is rank 0, the one that writes files and reports."""
        return self.rank == 0

    def shard(self, n: int) -> slice:
        """This rank's contiguous part of ``n`` rows: [⌊n·r/N⌋, ⌊n·(r+1)/N⌋)."""
        return slice(n * self.rank // self.size, n * (self.rank + 1) // self.size)

    def sum_in_place(self, buffer) -> None:
        """Replace ``buffer`` (a contiguous NumPy array) by its sum over the ranks."""
        self.comm.Allreduce(self._mpi.IN_PLACE, buffer, op=self._mpi.SUM)

    def sum(self, values) -> np.ndarray:
        """The sum over the ranks of a few numbers (returned as float64)."""
        values = np.array(values, dtype=np.float64)
        self.sum_in_place(values)
        return values

    def abort(self, code: int) -> None:
        """End every rank of the job now with exit status ``code``."""
        sys.stderr.flush()
        self.comm.Abort(code)


#: slots of ``pending_flags``: one per signal number
SIGNAL_SLOTS = 65


def pending_flags(signum) -> list:
    """One 0/1 slot per signal number, 1 at ``signum`` (a pending signal, or None): summed over
    the ranks, ``first_signal`` of the sums is the lowest signal pending on any rank."""
    flags = [0.0] * SIGNAL_SLOTS
    if signum:
        flags[int(signum)] = 1.0
    return flags


def first_signal(sums) -> int | None:
    """The lowest signal number with a nonzero slot in ``sums`` (``pending_flags``), or None."""
    found = np.flatnonzero(np.asarray(sums))
    return int(found[0]) if len(found) else None


def as_communicator(comm):
    """None for one process; a ``Communicator`` for an mpi4py communicator (or one already)."""
    if comm is None or isinstance(comm, Communicator):
        return comm
    return Communicator(comm)


def world() -> Communicator:
    """``MPI.COMM_WORLD``, with an uncaught error on any rank aborting the job
    (``abort_on_uncaught``); ``ConfigError`` when mpi4py is not installed."""
    try:
        from mpi4py import MPI
    except ImportError:
        raise ConfigError(
            "--distributed needs mpi4py and an MPI library: pip install 'mlplab[mpi]'"
        ) from None
    comm = Communicator(MPI.COMM_WORLD)
    abort_on_uncaught(comm)
    return comm


def abort_on_uncaught(comm: Communicator) -> None:
    """Print an uncaught exception as usual, then ``MPI_Abort`` (the other ranks would wait
    forever in their next collective otherwise; mpirun then ends them all)."""
    previous = sys.excepthook

    def hook(kind, value, traceback):
        previous(kind, value, traceback)
        if comm.size > 1:
            comm.abort(1)

    sys.excepthook = hook


# -- errors every rank agrees on ------------------------------------------------------------------
def agree(comm, work):
    """Run ``work()`` on every rank; if it raised ``MlplabError`` on any rank, raise the lowest
    such rank's error on every rank, marked ``agreed`` (then rank 0 reports it and all exit 2)."""
    if comm is None:
        return work()
    result, error = None, None
    try:
        result = work()
    except MlplabError as e:
        error = e
    _raise_verdict(comm, error)
    return result


def on_root(comm, work):
    """Run ``work()`` on rank 0 only and return its result on every rank (``agree``'s verdict
    for its error). The result travels by ``bcast``."""
    if comm is None:
        return work()
    result, error = None, None
    if comm.root:
        try:
            result = work()
        except MlplabError as e:
            error = e
    _raise_verdict(comm, error)
    return comm.comm.bcast(result, root=0)


def _raise_verdict(comm: Communicator, error) -> None:
    found = comm.comm.allgather(None if error is None else (type(error).__name__, str(error)))
    first = next((f for f in found if f is not None), None)
    if first is None:
        return
    kind = getattr(errors, first[0], MlplabError)
    agreed = error if error is not None and (type(error).__name__, str(error)) == first else None
    agreed = agreed or kind(first[1])
    agreed.agreed = True
    raise agreed


def exit_on_error(comm, error: BaseException) -> None:
    """How a rank ends on ``error`` in a distributed command: an agreed error (or an interruption
    every rank stopped on at the same step) is reported by rank 0 alone (the caller re-raises
    there; the other ranks exit with the same status, silently); any other error is printed by
    the rank that met it, then the job is aborted."""
    if comm is None or comm.size == 1:
        return
    code = exit_status(error)
    if getattr(error, "agreed", False):
        if not comm.root:
            sys.exit(code)
        return
    print(f"mlplab: rank {comm.rank}: error: {error}", file=sys.stderr, flush=True)
    comm.abort(code)


def exit_status(error: BaseException) -> int:
    """The command's exit status for ``error`` (DESIGN.md): 3 divergence, 2 other errors,
    128 + the signal for an interruption, 1 for anything else."""
    from mlplab.training.interrupts import exit_code

    if isinstance(error, KeyboardInterrupt):
        return exit_code(error)
    if isinstance(error, errors.DivergenceError):
        return 3
    return 2 if isinstance(error, MlplabError) else 1
