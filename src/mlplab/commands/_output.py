"""Shared output helpers for commands: plain tables, JSON, quiet mode."""

import json
import sys


def format_table(headers, rows) -> str:
    """Left-aligned text columns, numbers right-aligned, with a rule under the header."""
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[c]) for r in cells) for c in range(len(headers))]
    numeric = [
        all(isinstance(row[c], int | float) for row in rows) and rows for c in range(len(headers))
    ]
    lines = []
    for r, row in enumerate(cells):
        parts = [
            row[c].rjust(widths[c]) if numeric[c] and r else row[c].ljust(widths[c])
            for c in range(len(headers))
        ]
        lines.append("  ".join(parts).rstrip())
        if r == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(value) -> str:
    if isinstance(value, bool):
        return "pass" if value else "FAIL"
    if isinstance(value, float):
        return (
            f"{value:.3g}"
            if (value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5))
            else f"{value:.4f}"
        )
    return str(value)


def emit(args, data, text: str) -> None:
    """Print ``data`` as JSON with ``--json``, else ``text`` unless ``--quiet``."""
    if getattr(args, "json", False):
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif not getattr(args, "quiet", False):
        print(text)
