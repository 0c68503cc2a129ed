import json

import numpy as np
import pytest


def test_data_info_on_a_builtin(cli):
    result = cli("data", "info", "iris")
    assert result.returncode == 0, result.stderr
    assert "setosa" in result.stdout and "virginica" in result.stdout
    assert "train" in result.stdout and "NaN/inf" in result.stdout


def test_data_info_json_counts_and_ranges(cli):
    result = cli("data", "info", "digits", "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["feature_shape"] == [8, 8, 1] and info["classes"] == list(range(10))
    splits = info["splits"]
    assert sum(s["examples"] for s in splits.values()) == 1797
    assert sum(sum(s["class_counts"]) for s in splits.values()) == 1797
    assert splits["train"]["min"] == 0 and splits["train"]["max"] == 16
    assert splits["test"]["nonfinite"] == 0


def test_data_info_reports_nan_in_a_csv(cli, tmp_path):
    path = tmp_path / "holes.csv"
    rows = "".join(f"{i},{'nan' if i in (3, 11) else i * 0.5},{'ab'[i % 2]}\n" for i in range(40))
    path.write_text("a,b,label\n" + rows)
    result = cli("data", "info", path, "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert sum(s["nonfinite"] for s in info["splits"].values()) == 2
    assert info["classes"] == ["a", "b"]
    text = cli("data", "info", path).stdout
    assert "warning: the data holds NaN or inf" in text


@pytest.mark.parametrize("spec", ["circles", "iris"])
def test_data_info_plot_writes_the_preprocessing_figure(cli, tmp_path, spec):
    png = tmp_path / "figs" / "prep.png"
    result = cli("data", "info", spec, "--plot", png, "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(png.parent.glob(".*tmp"))  # no temporary file left behind


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no_such_dataset"], "no such file, directory or built-in dataset"),
        (["{tmp}/bad.csv"], "row 1 (line 2), column 1 'b': non-numeric value 'q'"),
        (["{tmp}/x_trunc.npy"], "truncated: header declares shape (10, 3)"),
    ],
)
def test_data_info_bad_input_is_one_line_exit_2(cli, tmp_path, args, message):
    (tmp_path / "bad.csv").write_text("a,b,label\n1,q,0\n")
    np.save(tmp_path / "x_trunc.npy", np.ones((10, 3)))
    np.save(tmp_path / "y_trunc.npy", np.arange(10))
    data = (tmp_path / "x_trunc.npy").read_bytes()
    (tmp_path / "x_trunc.npy").write_bytes(data[:-8])
    result = cli("data", "info", *[a.format(tmp=tmp_path) for a in args])
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_polar_example_separates_the_circles():
    import runpy
    from pathlib import Path

    example = Path(__file__).parents[1] / "examples" / "polar_circles.py"
    results = runpy.run_path(str(example))["main"]()
    raw_train, raw_test = results["raw (x, y)"]
    polar_train, polar_test = results["polar (r, θ)"]
    assert raw_test < 0.7 and raw_train < 0.7  # no line separates a disc from its ring
    assert polar_test > 0.97 and polar_train > 0.97
