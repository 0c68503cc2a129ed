"""Every shell and Python block of README.md and docs/*.md runs, and shows what it prints.

How a page is run (the Markdown conventions are in ``blocks.py``'s docstring):

- The blocks of one page run in order in one temporary directory; Python blocks share one
  namespace, so a later block sees the names an earlier one defined, and a shell block sees the
  files an earlier one wrote. ``src`` and ``examples`` of this checkout are linked into the
  directory, ``mlplab`` runs this checkout's CLI and ``python`` is the test's interpreter.
- A ``console`` command must exit with 0, unless the output the page shows for it is an
  ``error:`` line: then it must fail. Its output (stdout and stderr together, as a terminal shows
  them) must match what the page shows: ``...`` is a wildcard for lines or text within a line,
  and under ``<!-- output: approximate -->`` every number matches any number, and a table's
  padding and ruled lines any width (a column widens with the numbers in it).
- A block marked ``<!-- test: run ... -->`` runs the lines of the marker instead (a short version
  of a long command, said in the page's text too); its output is not compared.
  ``<!-- test: skip REASON -->`` leaves a block out; the reason is reported as a skip.
"""

import contextlib
import difflib
import gc
import io
import os
import subprocess
import sys
import traceback
from pathlib import Path

import pytest

from tests.docs.blocks import Block, extract_blocks, output_matches

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Pages whose blocks train several networks or run searches: more than a few seconds.
# Imported before a page runs, so that every registry exists and is restored afterwards.
REGISTRY_MODULES = (
    "mlplab.layers", "mlplab.losses", "mlplab.optim", "mlplab.schedules", "mlplab.init",
    "mlplab.training", "mlplab.data", "mlplab.data.preprocessing",
)  # fmt: skip
SLOW_PAGES = {"README.md", "quickstart.md", "ensembles.md", "search.md", "history.md", "sklearn.md"}


def _page_param(page: Path):
    marks = [pytest.mark.slow] if page.name in SLOW_PAGES else []
    return pytest.param(page, id=page.name, marks=marks)


@pytest.fixture
def registries_restored():
    """Names a page registers (its Swish activation, say) are gone once the page is done."""
    import importlib

    from mlplab.registry import Registry

    for module in REGISTRY_MODULES:
        importlib.import_module(module)
    saved = [(r, dict(r._entries)) for r in gc.get_objects() if isinstance(r, Registry)]
    yield
    for registry, entries in saved:
        registry._entries.clear()
        registry._entries.update(entries)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A directory laid out like a checkout, with ``mlplab`` and ``python`` on the PATH."""
    bin_dir = tmp_path / ".bin"
    bin_dir.mkdir()
    for name, command in (("python", ""), ("python3", ""), ("mlplab", " -m mlplab")):
        shim = bin_dir / name
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}"{command} "$@"\n')
        shim.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    for name in ("src", "examples"):
        (work / name).symlink_to(ROOT / name)
    env = dict(
        os.environ,
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        PYTHONPATH=str(ROOT / "src"),
        MPLBACKEND="Agg",
    )
    monkeypatch.chdir(work)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return work, env


def _shell(command: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", command],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )


def _diff(shown: list[str], printed: str) -> str:
    lines = difflib.unified_diff(shown, printed.splitlines(), "page shows", "printed", lineterm="")
    return "\n".join(lines)


def _run_shell_block(block: Block, cwd: Path, env: dict) -> list[str]:
    if "run" in block.markers:
        commands = [(block.markers["run"], None)]
    else:
        commands = block.expected or [(block.code, None)]
    problems = []
    for command, shown in commands:
        done = _shell(command, cwd, env)
        must_fail = bool(shown) and "error:" in shown[0]
        if (done.returncode != 0) != must_fail:
            problems.append(
                f"{block.name}: `{command}` exited with {done.returncode}:\n{done.stdout[-3000:]}"
            )
        elif shown is not None and not output_matches(shown, done.stdout, block.approximate):
            problems.append(f"{block.name}: `{command}`\n" + _diff(shown, done.stdout))
    return problems


def _run_python_block(block: Block, namespace: dict) -> list[str]:
    code = block.markers.get("run", block.code)
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(code, block.name, "exec"), namespace)
    except Exception:
        return [f"{block.name} raised:\n{traceback.format_exc(limit=-3)}"]
    shown = block.expected[0][1] if block.expected and "run" not in block.markers else None
    if shown is not None and not output_matches(shown, printed.getvalue(), block.approximate):
        return [f"{block.name}\n" + _diff(shown, printed.getvalue())]
    return []


@pytest.mark.parametrize("page", [_page_param(page) for page in PAGES])
@pytest.mark.usefixtures("registries_restored")
def test_page_blocks_run_and_print_what_they_show(page, workdir):
    import matplotlib

    matplotlib.use("Agg")
    work, env = workdir
    namespace: dict = {"__name__": "__docs__"}
    problems, skipped = [], []
    for block in extract_blocks(page):
        if "skip" in block.markers:
            skipped.append(f"{block.name}: {block.markers['skip']}")
            continue
        if "setup" in block.markers and block.kind == "python":
            exec(compile(block.markers["setup"], f"{block.name} (setup)", "exec"), namespace)
        elif "setup" in block.markers:
            done = _shell(block.markers["setup"], work, env)
            assert done.returncode == 0, f"{block.name}: setup failed:\n{done.stdout}"
        if block.kind == "file":
            (work / block.markers["file"]).write_text(block.code + "\n", encoding="utf-8")
        elif block.kind == "shell":
            problems += _run_shell_block(block, work, env)
        else:
            problems += _run_python_block(block, namespace)
    assert not problems, "\n\n".join(problems)


def test_every_page_has_runnable_blocks_or_none_marked():
    """A marker that names nothing (a typo such as ``<!-- test: skp -->``) is caught."""
    known = {"skip", "run", "setup", "output", "file"}
    for page in PAGES:
        for block in extract_blocks(page):
            assert set(block.markers) <= known, f"{block.name}: unknown marker {block.markers}"
            if "skip" in block.markers:
                assert block.markers["skip"], f"{block.name}: a skip needs its reason"


def test_the_output_matcher_follows_the_conventions():
    shown = ["epochs 20 · time 1.2 s", "...", "test  0.98"]
    assert output_matches(shown, "epochs 20 · time 3.4 s\na\nb\ntest  0.98\n", approximate=True)
    assert output_matches(shown, "epochs 20 · time 3.4 s\ntest  0.98", approximate=True)
    assert not output_matches(shown, "epochs 20 · time 3.4 s\ntest  0.98", approximate=False)
    assert not output_matches(shown, "epochs 20 · time 3.4 s\ntest  0.98\nmore", approximate=True)
    assert output_matches(["a ... z", "", "b"], "a 123 z\n   \nb")


def test_approximate_tables_may_be_padded_differently():
    shown = ["lr      loss", "------  ------", " 0.10  1.0404", " 1.00  125.66"]
    wider = "lr      loss\n------  -------\n 0.10    0.7773\n 1.00  1022.0710"
    assert output_matches(shown, wider, approximate=True)
    assert not output_matches(shown, wider, approximate=False)
    assert not output_matches(shown, wider.replace("loss", "lost"), approximate=True)
    assert not output_matches(["a 1 b"], "a 1b", approximate=True)  # columns stay apart
    assert output_matches(["2-layer  f(0, x)"], "2-layer    f(0, x)", approximate=True)
    # lecture.md's sanity sweep, and what another CPU's BLAS printed for its diverging rates
    page = [" 0.1000        2.3156      1.0404    12.5966  too high",
            " 1.0000        2.3156    125.6626   414.2856  too high"]  # fmt: skip
    printed = " 0.1000        2.3156      0.7773    12.5914  too high\n" + (
        " 1.0000        2.3156     22.0710   393.7090  too high"
    )
    assert output_matches(page, printed, approximate=True)
    assert not output_matches(["2-layer"], "2--layer", approximate=True)  # a hyphen is no rule


def test_a_long_output_is_matched_line_by_line():
    # one regular expression over the whole output backtracked for minutes on this mismatch
    shown = ["...", *[f"row {i} 1.0 2.0 3.0 4.0 5.0" for i in range(60)], "...", "status: done"]
    rows = "\n".join(f"row {i} 1.5 2.5 3.5 4.5 5.5" for i in range(200))
    assert not output_matches(shown, rows + "\nstatus: other", approximate=True)
    assert output_matches(shown, rows + "\nstatus: done", approximate=True)
