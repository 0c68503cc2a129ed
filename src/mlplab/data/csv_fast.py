"""A clean CSV at the speed of the libraries: pandas' C parser when pandas is installed, else
``numpy.loadtxt``.

Only a file that parses cleanly is taken: every row has the header's number of fields, every
feature cell is a finite number, every label cell is filled. Anything else returns ``None``, and
``csv_file`` reads the file again cell by cell to name the bad row and column. Numbers are parsed
with correct rounding (pandas 3's default, pandas 2's ``round_trip``, loadtxt's own), so both
paths give the same bits.
"""

import warnings

import numpy as np


def read_clean(path, delimiter, skip, n_columns, features, label):
    """(x (N, D) float64, y list of stripped label strings or None), or None when the file is
    not clean. ``skip``: lines before the first data row; ``label``: a column index or None."""
    try:
        import pandas
    except ImportError:
        pandas = None
    try:
        if pandas is not None:
            found = _with_pandas(pandas, path, delimiter, skip, n_columns, features, label)
        else:
            found = _with_loadtxt(path, delimiter, skip, features, label)
    except (ValueError, TypeError, OverflowError, IndexError, UnicodeDecodeError, MemoryError):
        return None  # pandas' ParserError is a ValueError
    if found is None:
        return None
    x, y = found
    if not len(x) or not np.isfinite(x).all():
        return None
    if y is not None:
        y = [str(v).strip() for v in y]
        if not all(y):
            return None
    return x, y


def _with_pandas(pandas, path, delimiter, skip, n_columns, features, label):
    # pandas 3 rounds correctly by default (and deprecates the option); pandas 2 on request
    exact = {} if int(pandas.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
    frame = pandas.read_csv(
        path, sep=delimiter, header=None, skiprows=skip, encoding="utf-8-sig",
        dtype={label: str} if label is not None else None, na_filter=False,
        engine="c", skip_blank_lines=True, **exact,
    )  # fmt: skip
    if frame.shape[1] != n_columns:
        return None
    numeric = frame.iloc[:, features]
    if not all(kind.kind in "fiu" for kind in numeric.dtypes):
        return None
    x = numeric.to_numpy(dtype=np.float64)
    return x, None if label is None else frame.iloc[:, label].tolist()


def _with_loadtxt(path, delimiter, skip, features, label):
    """Every column in one pass (loadtxt checks each row's field count); the label cells are
    kept as text by a converter that stands a 0 in their place."""
    labels = []

    def keep(cell):
        labels.append(cell)
        return 0.0

    converters = None if label is None else {label: keep}
    with warnings.catch_warnings():  # "line N contained no data": blank lines are skipped
        warnings.simplefilter("ignore", UserWarning)
        table = np.loadtxt(
            path, dtype=np.float64, delimiter=delimiter, skiprows=skip, comments=None,
            encoding="utf-8-sig", converters=converters, ndmin=2,
        )  # fmt: skip
    return table[:, features], None if label is None else labels
