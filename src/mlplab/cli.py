"""The ``mlplab`` command: a thin layer over the Python API.

Exit codes (DESIGN.md): 0 success; 2 the user's input or config is wrong (one line, no
traceback); 3 training diverged (one line); 130 / 143 interrupted by SIGINT / SIGTERM
(training saves a checkpoint first and says how to continue); 1 a bug or a failed check.
"""

import argparse
import contextlib
import importlib
import os
import pkgutil
import signal
import sys
import threading
import warnings

import mlplab.commands
from mlplab.errors import ConfigDeprecationWarning, DivergenceError, MlplabError
from mlplab.kernels.threads import ENVIRONMENT, set_threads, threads_setting
from mlplab.training.interrupts import Interrupted, exit_code
from mlplab.version import __version__

#: the commands that train or predict: they take --threads (``mlplab.set_threads``)
THREADED = {"train", "predict", "evaluate", "compare", "ensemble", "sanity"}


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")

    def parse_args(self, args=None, namespace=None):
        parsed = super().parse_args(args, namespace)
        for flag in ("seed", "data_seed"):  # NumPy's generators take no negative seed
            value = getattr(parsed, flag, None)
            if isinstance(value, int) and value < 0:
                flag = "--" + flag.replace("_", "-")
                where = f"{self.prog} {parsed.command}" if parsed.command else self.prog
                self.exit(2, f"{where}: error: {flag}: expected an integer >= 0, got {value}\n")
        return parsed


class _HelpFormatter(argparse.HelpFormatter):
    """Refill a description's paragraphs; keep indented lines (example commands) as written."""

    def _fill_text(self, text, width, indent):
        blocks, paragraph = [], []
        for line in text.splitlines() + [""]:
            if line.strip() and not line.startswith(" "):
                paragraph.append(line)
                continue
            if paragraph:
                blocks.append(super()._fill_text(" ".join(paragraph), width, indent))
                paragraph = []
            blocks.append(indent + line if line.strip() else "")
        return "\n".join(blocks).strip("\n")


def command_modules():
    """Every command module in ``mlplab.commands``, sorted by command name."""
    modules = [
        importlib.import_module(f"mlplab.commands.{info.name}")
        for info in pkgutil.iter_modules(mlplab.commands.__path__)
        if not info.name.startswith("_")
    ]
    return sorted(modules, key=lambda m: m.NAME)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mlplab", description="Build, train and diagnose fully-connected neural networks."
    )
    parser.add_argument("--version", action="version", version=f"mlplab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in command_modules():
        p = sub.add_parser(
            module.NAME, help=module.HELP, description=module.__doc__,
            formatter_class=_HelpFormatter,
        )  # fmt: skip
        p.add_argument("--json", action="store_true", help="print results as JSON")
        p.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
        if module.NAME in THREADED:
            p.add_argument(
                "--threads", metavar="N",
                help=f"BLAS and kernel threads (default: ${ENVIRONMENT}, else as the "
                "environment sets them)",
            )  # fmt: skip
        module.add_arguments(p)
        p.set_defaults(run=module.run)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    _config_notices_on_one_line(args.command)
    try:
        with _terminate_as_interrupt(), _threads(args):
            return int(args.run(args) or 0)
    except DivergenceError as e:
        print(f"mlplab {args.command}: error: {e}", file=sys.stderr)
        return 3
    except MlplabError as e:
        print(f"mlplab {args.command}: error: {e}", file=sys.stderr)
        return 2
    except MemoryError as e:  # a network or batch too large for this machine: say so, in one line
        reason = str(e).replace("\n", " ") or "out of memory"
        print(f"mlplab {args.command}: error: {reason}; try smaller sizes", file=sys.stderr)
        return 2
    except KeyboardInterrupt as e:
        print(f"mlplab {args.command}: {str(e) or 'interrupted'}", file=sys.stderr)
        return exit_code(e)
    except BrokenPipeError:
        # The reader went away (``mlplab ... | head``): stop quietly, as a shell tool does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13


def _threads(args):
    """``--threads`` (else ``MLPLAB_NUM_THREADS``) for the command's run; nothing when unset."""
    if args.command not in THREADED:
        return contextlib.nullcontext()
    n = threads_setting(args.threads, "--threads")
    return contextlib.nullcontext() if n is None else set_threads(n)


@contextlib.contextmanager
def _terminate_as_interrupt():
    """SIGTERM raises ``Interrupted`` as SIGINT raises ``KeyboardInterrupt``: the command stops
    the same way (training between two steps, with a checkpoint), with exit status 143."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame):
        raise Interrupted(signum, "interrupted by SIGTERM", hard=True)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _config_notices_on_one_line(command: str) -> None:
    """Show a config file's deprecation notice (Python hides DeprecationWarnings) once, as one
    line on stderr."""
    warnings.filterwarnings("once", category=ConfigDeprecationWarning)
    shown = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, ConfigDeprecationWarning):
            print(f"mlplab {command}: warning: {message}", file=sys.stderr, flush=True)
        else:
            shown(message, category, filename, lineno, file, line)

    warnings.showwarning = show


if __name__ == "__main__":
    sys.exit(main())
