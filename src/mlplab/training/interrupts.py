"""Stop training at a safe point when SIGINT or SIGTERM arrives.

A signal handler may run between any two bytecodes — in the middle of an optimizer update or of
a checkpoint write. Inside ``deferring(signals)`` the handler only notes the signal; the
trainer looks for it between two steps (``pending()``), saves a checkpoint there
(``on_interrupt``) and raises ``Interrupted``. A second signal while the first is pending stops
at once (``Interrupted`` with ``hard=True``): whatever was being written is left unfinished, and
the atomic writer keeps the last complete file. A signal still pending when the outermost
``deferring`` ends (training finished first) is delivered then, to the handler it replaced.

Exit codes (DESIGN.md): 128 + the signal number, 130 for SIGINT and 143 for SIGTERM.
"""

import contextlib
import signal
import sys
import threading

try:  # the C function under ``signal.signal``, whose wrapper turns numbers into enums and back
    from _signal import signal as _set_handler  # (8 µs a call, against 0.4: paid on each fit)
except ImportError:  # another Python implementation
    _set_handler = signal.signal

_pending: list[int] = []  # the first signal received while deferring (at most one)


class Interrupted(KeyboardInterrupt):
    """Training (or a command) stopped by signal ``signum``; ``hard`` when a second signal
    stopped it at once, without a final checkpoint."""

    def __init__(self, signum: int, message: str = "", hard: bool = False):
        super().__init__(message)
        self.signum, self.hard = int(signum), bool(hard)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def signal_name(signum: int) -> str:
    """``"SIGINT"`` for 2, ``"SIGTERM"`` for 15."""
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def exit_code(error: BaseException) -> int:
    """The exit status for an interruption: 128 + its signal (130 for a plain Ctrl-C)."""
    return getattr(error, "exit_code", 128 + signal.SIGINT)


def pending() -> int | None:
    """The signal received and not yet acted on, or None."""
    return _pending[0] if _pending else None


def clear() -> None:
    """Forget the pending signal (it has been acted on)."""
    _pending.clear()


def _note(signum, frame) -> None:
    if _pending:
        raise Interrupted(
            signum, f"interrupted by {signal_name(signum)} again: stopped at once", hard=True
        )
    _pending.append(signum)


@contextlib.contextmanager
def deferring(signals=(signal.SIGINT,)):
    """Within the block, ``signals`` are noted for ``pending()`` instead of acting at once.

    Only in the main thread (where Python runs signal handlers); nested blocks share the noted
    signal. On leaving the block that installed the handler, a signal still pending is
    delivered to the handler it replaced — unless an interruption is already under way."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: _set_handler(s, _note) for s in signals}
    installed = [s for s, handler in previous.items() if handler is not _note]
    try:
        yield
    finally:
        for s in installed:
            _set_handler(s, previous[s])
        late = pending()
        if late in installed:
            clear()
            if not isinstance(sys.exc_info()[1], KeyboardInterrupt):
                signal.raise_signal(late)
