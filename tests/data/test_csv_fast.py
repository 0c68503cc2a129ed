"""The CSV fast path (pandas, else numpy.loadtxt) gives the careful reader's numbers and errors."""

import sys
import tomllib

import numpy as np
import pytest

from mlplab.data import load_data
from mlplab.data.csv_file import _read_careful, read_csv
from mlplab.errors import ConfigError, FileFormatError, NonFiniteError

ENGINES = ["pandas", "loadtxt"]


@pytest.fixture(params=ENGINES)
def engine(request, monkeypatch):
    if request.param == "pandas":
        pytest.importorskip("pandas")
    else:
        monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas raises ImportError
    return request.param


def write_table(path, rng, delimiter=",", labels=("cat", "dog", "emu")):
    x = rng.standard_normal((200, 5)) * 10.0 ** rng.integers(-8, 8, (200, 5))
    y = np.array(labels)[np.arange(200) % len(labels)]
    header = delimiter.join(["a", '"b, quoted"' if delimiter == "," else "b", "c", "d", "e", "y"])
    rows = [
        delimiter.join([*(repr(float(v)) for v in r), str(t)]) for r, t in zip(x, y, strict=True)
    ]
    path.write_text("\ufeff" + header + "\n\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return x, y


@pytest.mark.parametrize("labels", [("cat", "dog", "emu"), (3, 7, 11), (0.5, 1.5)])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_fast_path_equals_the_careful_reader(tmp_path, rng, engine, labels, delimiter):
    path = tmp_path / "t.csv"
    x, _ = write_table(path, rng, delimiter, labels)
    fast = read_csv(path, delimiter=delimiter)
    slow = _read_careful(path, None, False, True, True, delimiter)
    assert fast[0].dtype == np.float64 and fast[0].tobytes() == slow[0].tobytes()
    np.testing.assert_array_equal(fast[0], x)
    assert fast[1].dtype == slow[1].dtype and fast[1].tolist() == slow[1].tolist()
    assert fast[2] == slow[2] == ["a", "b, quoted" if delimiter == "," else "b", "c", "d", "e"]


def test_features_without_labels_or_header(tmp_path, rng, engine):
    path, bare = tmp_path / "t.csv", tmp_path / "bare.csv"
    write_table(path, rng, labels=(3, 7))
    bare.write_text("\n".join(path.read_text(encoding="utf-8-sig").splitlines()[2:]) + "\n")
    for file, options in [
        (path, {"labels": False}),
        (bare, {"header": False}),
        (path, {"label_column": 0}),
    ]:
        fast, slow = read_csv(file, **options), _read_careful(file, **_careful(options))
        assert fast[0].tobytes() == slow[0].tobytes() and fast[2] == slow[2]


def _careful(options):
    merged = {"label_column": None, "allow_nonfinite": False, "labels": True, "header": True}
    return {**merged, **options, "delimiter": ","}


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("a,b,label\n1,2,0\n3,,1\n", FileFormatError, r"row 2 \(line 3\), column 1 'b': missing"),
        ("a,b,label\n1,2,0\n3,x4,1\n", FileFormatError, r"column 1 'b': non-numeric value 'x4'"),
        ("a,b,label\n1,2,0\n3,nan,1\n", NonFiniteError, r"column 1 'b': non-finite value 'nan'"),
        ("a,b,label\n1,2,0\n3,4\n", FileFormatError, r"row 2 \(line 3\): expected 3 fields"),
        ("a,b,label\n1,2,0\n3,4,5,6\n", FileFormatError, r"row 2 \(line 3\): expected 3 fields"),
        ("a,b,label\n1,2,0\n3,4,\n", FileFormatError, r"column 2 'label': missing label"),
        ("a,b,label\n", FileFormatError, "a header but no data rows"),
    ],
)
def test_bad_files_keep_their_exact_messages(tmp_path, engine, text, error, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(error, match=message):
        read_csv(path)


def test_nonfinite_kept_for_inspection(tmp_path, engine):
    path = tmp_path / "holes.csv"
    path.write_text("a,b,label\n1,,0\n2,3,1\n")
    x, _, _ = read_csv(path, allow_nonfinite=True)
    assert np.isnan(x[0, 1]) and x[1, 1] == 3


def test_delimiter_from_the_config_and_the_command_line(tmp_path, rng, cli):
    path = tmp_path / "tabs.csv"
    write_table(path, rng, "\t")
    data = load_data(path, delimiter="\\t")
    assert data.n_features == 5 and data.classes == ["cat", "dog", "emu"]
    with pytest.raises(ConfigError, match="delimiter"):
        load_data(path, delimiter=";;")
    result = cli("train", "--data", path, "--delimiter", "\\t", "--epochs", "1", "--hidden", "4",
                 "--no-plots", "--out", tmp_path / "run", "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    saved = tomllib.loads((tmp_path / "run" / "config.toml").read_text())
    assert saved["data"]["delimiter"] == "\\t"  # the replay reads the same file
    bad = cli("train", "--data", path, "--delimiter", "ab", "--out", tmp_path / "r2")
    assert bad.returncode == 2 and "data.delimiter" in bad.stderr
