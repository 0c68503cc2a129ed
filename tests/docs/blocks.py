"""Find the runnable code blocks of a Markdown page and the output each one shows.

The conventions a page follows (the test module runs what this finds):

- A fenced block whose info string is ``bash``, ``sh``, ``console`` or ``python`` is run.
  In a ``console`` block, lines that start with ``$ `` are commands (a trailing ``\\`` continues
  one on the next line) and the lines up to the next ``$ `` are the output they print.
- A ``text`` (or ``output``) block right after a runnable block is the output of that block.
- ``<!-- test: skip REASON -->`` right before a block: not run (a database, a cluster, an install).
- ``<!-- test: run ... -->`` right before a block: these lines (same language) run instead of the
  block, a short version of a long command. The page says so in visible text as well.
- ``<!-- test: setup ... -->`` right before a block: lines in the block's language that run
  first, out of sight (a file that a command reads, the arrays a Python example is given).
- ``<!-- test: file NAME -->`` right before a block of any language (``toml``, ``csv``...): the
  block is written to the file NAME, for the commands after it to read.
- ``<!-- output: approximate -->`` right before a block or its output: every number in the shown
  output matches any number (timings, timestamps, values that depend on the BLAS), and a table's
  padding and ruled lines match any width, so a column may widen with its numbers.
- In shown output, a line that is only ``...`` matches any number of lines, and ``...`` inside a
  line matches any text on that line (doctest's ELLIPSIS).
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

RUNNABLE = {"bash": "shell", "sh": "shell", "console": "shell", "python": "python"}
OUTPUT_LANGUAGES = {"text", "output"}
FENCE = re.compile(r"^(?P<fence>```+)(?P<info>[\w-]*)\s*$")
MARKER = re.compile(r"<!--\s*(?P<kind>test|output):\s*(?P<body>.*?)\s*-->", re.S)
NUMBER = re.compile(r"[-+]?(?:\d[\d,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


@dataclass
class Block:
    """One runnable block: where it is, what to run, and what it should print."""

    path: Path
    line: int
    kind: str  # "shell", "python" or "file"
    code: str
    markers: dict = field(default_factory=dict)
    expected: list = field(default_factory=list)  # (command, output or None) per console command

    @property
    def name(self) -> str:
        return f"{self.path.name}:{self.line}"

    @property
    def approximate(self) -> bool:
        return self.markers.get("output") == "approximate"


def _markers(comments: list[str]) -> dict:
    """``{"skip": reason, "run": lines, "setup": lines, "output": "approximate"}`` as found."""
    markers = {}
    for found in MARKER.finditer("\n".join(comments)):
        verb, rest = (found["body"].split(None, 1) + [""])[:2]
        if found["kind"] == "output":
            markers["output"] = verb
        else:
            markers[verb] = rest
    return markers


def _fenced_blocks(text: str):
    """Yield (line number, info, body, markers, prose since the last block) per fenced block."""
    lines = text.splitlines()
    comments, prose, in_comment, index = [], False, False, 0
    while index < len(lines):
        line = lines[index]
        match = FENCE.match(line)
        index += 1
        if in_comment or (not match and line.lstrip().startswith("<!--")):
            if in_comment:
                comments[-1] += "\n" + line
            else:
                comments.append(line)
            in_comment = "-->" not in comments[-1]
            continue
        if not match:
            if line.strip():
                comments, prose = [], True
            continue
        body = []
        while index < len(lines) and lines[index].rstrip() != match["fence"]:
            body.append(lines[index])
            index += 1
        index += 1
        yield index - len(body) - 1, match["info"], "\n".join(body), _markers(comments), prose
        comments, prose = [], False


def _console_commands(body: str):
    """Split a console session into (command, shown output lines) pairs."""
    pairs, command, output, continued = [], None, [], False
    for line in body.splitlines():
        if continued:
            command += "\n" + line
        elif line.startswith("$ "):
            if command is not None:
                pairs.append((command, output))
            command, output = line[2:], []
        elif command is not None:
            output.append(line)
        continued = command is not None and line.endswith("\\") and not output
    if command is not None:
        pairs.append((command, output))
    return pairs


def extract_blocks(path: Path) -> list[Block]:
    """Every runnable block of the page at ``path``, in order, with its shown output."""
    blocks: list[Block] = []
    previous = None
    text = Path(path).read_text(encoding="utf-8")
    for line, info, body, markers, prose in _fenced_blocks(text):
        if info in OUTPUT_LANGUAGES and previous is not None and not prose:
            previous.expected = [(previous.code, body.splitlines())]
            previous.markers.update({k: v for k, v in markers.items() if k == "output"})
            previous = None
            continue
        kind = RUNNABLE.get(info)
        if kind is None and body.startswith("$ "):
            kind, info = "shell", "console"
        if "file" in markers:
            kind = "file"
        if kind is None:
            previous = None
            continue
        block = Block(Path(path), line, kind, body, markers)
        if info == "console":
            block.expected = [(cmd, out or None) for cmd, out in _console_commands(body)]
            block.code = "\n".join(cmd for cmd, _ in block.expected)
        blocks.append(block)
        previous = block
    return blocks


def _padded(text: str) -> str:
    """``text`` as a pattern whose padding and ruled lines may be any width: a table's columns
    widen and narrow with the numbers in them (one space at least stays between two columns)."""
    return "".join(
        " +" if run.startswith(" ") else "-+" if run.startswith("--") else re.escape(run)
        for run in re.split(r"( +|-{2,})", text)
        if run
    )


def _pattern(expected_line: str, approximate: bool) -> str:
    pieces = []
    line = expected_line.rstrip()
    if approximate:  # a right-aligned first column: its padding may shrink to nothing
        line = line.lstrip(" ")
    for piece in line.split("..."):
        if approximate:
            parts = NUMBER.split(piece)
            piece = NUMBER.pattern.join(_padded(part) for part in parts)
        else:
            piece = re.escape(piece)
        pieces.append(piece)
    return (" *" if approximate else "") + ".*".join(pieces)


def output_matches(expected: list[str], actual: str, approximate: bool = False) -> bool:
    """Whether ``actual`` (a command's output) is what the page shows, under the conventions.

    Line by line: the set of output lines each expected line can end at, so a "..." line (any
    number of lines) costs one pass, not the backtracking of one regular expression over the
    whole output (which took minutes on a long output that did not match)."""
    lines = [line.rstrip() for line in actual.strip("\n").splitlines()]
    reached = {0}  # output lines matched so far, for each way of matching
    for line in expected:
        if line.strip() == "...":
            reached = set(range(min(reached), len(lines) + 1)) if reached else set()
            continue
        pattern = re.compile(r"[ \t]*" if not line.strip() else _pattern(line, approximate))
        reached = {j + 1 for j in reached if j < len(lines) and pattern.fullmatch(lines[j])}
    return len(lines) in reached
