"""CSV with a header row (optional for features to predict on): numeric feature columns and one
label column (or several, ``"a,b,c"``, for multi-label), chosen by name or index.

A missing or non-numeric feature value is an error naming the line, the row and the column.
Labels may be any strings or integers. Default label column: one named ``label``, ``target``,
``class`` or ``y`` if there is one, else the last column.

A clean file is parsed by a library (``csv_fast``: pandas, else ``numpy.loadtxt``); anything
that one does not take at once — a bad cell, a ragged row, a missing value — is read again by
the careful reader here, which finds and names the bad row and column.
"""

import csv

import numpy as np

from mlplab.data.csv_fast import read_clean
from mlplab.data.files import require_file
from mlplab.data.validation import mark_checked
from mlplab.errors import ConfigError, FileFormatError, NonFiniteError

LABEL_NAMES = ("label", "target", "class", "y")


def read_csv(path, label_column=None, allow_nonfinite=False, labels=True, header=True,
             delimiter=",", numeric=False):  # fmt: skip
    """(x (N, D) float64, y (N,) strings or ints, feature column names) from a CSV file.

    ``label_column`` is a header name or a column index (negative counts from the end), or
    several, comma-separated: y is then (N, K) numbers. ``numeric`` labels must be numbers (a
    regression target): the first other value is an error naming its row and column.
    With ``allow_nonfinite`` an empty cell reads as NaN (for ``mlplab data info``).
    With ``labels=False`` every column is a feature and y is None (inputs for prediction).
    With ``header=False`` the first row is data and the columns are named by their index.
    ``delimiter``: the one character between fields (``","``; ``"\\t"`` for tab-separated).
    """
    path = require_file(path)
    delimiter = check_delimiter(delimiter)
    names, skip = _first_row(path, delimiter)
    careful = (path, label_column, allow_nonfinite, labels, header, delimiter, numeric)
    several = len(_split_columns(label_column)) > 1
    if names is not None and len(names) >= 1 + labels and not (numeric or several):
        names = [h.strip() for h in names] if header else [str(c) for c in range(len(names))]
        try:
            label = _label_index(path, names, label_column) if labels else None
        except ConfigError:  # raised by the careful reader, after the checks that come first
            return _read_careful(*careful)
        features = [c for c in range(len(names)) if c != label]
        found = read_clean(path, delimiter, skip if header else 0, len(names), features, label)
        if found is not None:
            x, y = found
            if not labels:
                return x, None, names
            return x, _labels(y), [names[c] for c in features]
    return _read_careful(*careful)


def check_delimiter(delimiter) -> str:
    """The delimiter as one character (``\\t`` and ``tab`` mean a tab), or a ``ConfigError``."""
    text = delimiter_char(delimiter)
    if text is None:
        raise ConfigError(
            f"delimiter: expected one character such as , ; or \\t, got {delimiter!r}"
        )
    return text


def delimiter_char(delimiter) -> str | None:
    """One character for a delimiter spec, or None when it is not one."""
    text = {"\\t": "\t", "tab": "\t"}.get(str(delimiter), str(delimiter))
    return text if len(text) == 1 and text not in '"\r\n' else None


def _first_row(path, delimiter):
    """The first non-blank row's cells and the number of lines it ends on (None, 0 if the file
    cannot be read as text or CSV: the careful reader says why)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f, delimiter=delimiter)
            for row in reader:
                if any(cell.strip() for cell in row):
                    return row, reader.line_num
    except (UnicodeDecodeError, csv.Error):
        pass
    return None, 0


def _read_careful(path, label_column, allow_nonfinite, labels, header, delimiter, numeric=False):
    """``read_csv`` cell by cell with Python's csv module: every failure names its place (also
    the reader of numeric and of several label columns)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f, delimiter=delimiter)
            rows, lines = [], []
            for row in reader:
                if any(cell.strip() for cell in row):
                    rows.append(row)
                    lines.append(reader.line_num)
    except UnicodeDecodeError as e:
        raise FileFormatError(
            f"{path}: not a UTF-8 text file ({e.reason} at byte {e.start})"
        ) from None
    except csv.Error as e:
        raise FileFormatError(f"{path}: not readable as CSV ({e})") from None
    if not rows:
        raise FileFormatError(f"{path}: empty file" + (" (no header)" if header else ""))
    if header:
        names, rows, lines = [h.strip() for h in rows[0]], rows[1:], lines[1:]
    else:
        names = [str(c) for c in range(len(rows[0]))]
    if len(names) < 1 + labels:
        raise FileFormatError(
            f"{path}: {'header' if header else 'first row'} has {len(names)} column(s); "
            "need features" + (" and a label" if labels else "")
        )
    if not rows:
        raise FileFormatError(f"{path}: a header but no data rows")
    wanted = _split_columns(label_column)
    label = [_label_index(path, names, c) for c in wanted] if labels else []
    features = [c for c in range(len(names)) if c not in label]
    for number, row in enumerate(rows):
        if len(row) != len(names):
            raise FileFormatError(
                f"{path}: row {number + 1} (line {lines[number]}): expected {len(names)} fields "
                f"as in the {'header' if header else 'first row'}, got {len(row)}"
            )
    text = np.array(rows, dtype=object)
    columns = [(c, names[c]) for c in features]
    x = _parse_numbers(path, text[:, features], columns, lines, allow_nonfinite)
    if not labels:
        return x, None, names
    if numeric or len(label) > 1:
        y = _parse_numbers(path, text[:, label], [(c, names[c]) for c in label], lines, False)
        return x, (y[:, 0] if len(label) == 1 else y), [names[c] for c in features]
    label = label[0]
    y = [cell.strip() for cell in text[:, label]]
    missing = [i for i, v in enumerate(y) if v == ""]
    if missing:
        r = missing[0]
        raise FileFormatError(
            f"{path}: row {r + 1} (line {lines[r]}), column {label} {names[label]!r}: missing label"
        )
    return x, _labels(y), [names[c] for c in features]


def label_names(path, label_column, delimiter=",") -> list:
    """The header names of the label column(s) of a CSV file (by name or index)."""
    names, _ = _first_row(require_file(path), check_delimiter(delimiter))
    header = [h.strip() for h in names or ()]
    return [header[_label_index(path, header, c)] for c in _split_columns(label_column)]


def _split_columns(label_column) -> list:
    """``"a,b"`` -> ["a", "b"]; one column (or None: the default) -> [it]."""
    if isinstance(label_column, str) and "," in label_column:
        return [c.strip() for c in label_column.split(",") if c.strip()]
    return [label_column]


def _label_index(path, header, label_column):
    if label_column is None:
        lowered = [h.lower() for h in header]
        for name in LABEL_NAMES:
            if name in lowered:
                return lowered.index(name)
        return len(header) - 1
    if isinstance(label_column, str) and not label_column.lstrip("-").isdigit():
        if label_column not in header:
            raise ConfigError(
                f"{path}: no column named {label_column!r}; columns are {', '.join(header)}"
            )
        return header.index(label_column)
    index = int(label_column)
    if not -len(header) <= index < len(header):
        raise ConfigError(
            f"{path}: label column index {index} out of range for {len(header)} columns"
        )
    return index % len(header)


def _parse_numbers(path, cells, columns, lines, allow_nonfinite):
    """Floats from text cells; the first bad cell is reported with its row and column."""
    try:
        x = cells.astype(np.float64)
    except ValueError:
        x = None
    if x is None:
        x = np.empty(cells.shape)
        for (r, c), cell in np.ndenumerate(cells):
            value = cell.strip()
            if value == "" and allow_nonfinite:
                x[r, c] = np.nan
                continue
            try:
                x[r, c] = float(value)
            except ValueError:
                what = "missing value" if value == "" else f"non-numeric value {value!r}"
                raise FileFormatError(f"{path}: {_where(r, c, columns, lines)}: {what}") from None
    if not allow_nonfinite:
        bad = np.argwhere(~np.isfinite(x))
        if len(bad):
            r, c = bad[0]
            raise NonFiniteError(
                f"{path}: {_where(r, c, columns, lines)}: non-finite value {cells[r, c].strip()!r}"
            )
        mark_checked(x)  # scanned here, with the file's line numbers: not again
    return x


def _where(r, c, columns, lines):
    index, name = columns[c]
    named = "" if name == str(index) else f" {name!r}"  # a file without a header
    return f"row {r + 1} (line {lines[r]}), column {index}{named}"


def _labels(values):
    """Integers when every value is an integer literal, numbers when every value is a number
    (the label encoder refuses fractional ones), else the strings."""
    for kind in (int, float):
        try:
            return np.array([kind(v) for v in values])
        except ValueError:
            continue
    return np.array(values, dtype=str)
