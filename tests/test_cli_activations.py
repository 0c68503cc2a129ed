"""``mlplab activations``: the lecture's table, --compare, --backward, --json, --plot, bad input."""

import json
import os
import struct
import zlib

import pytest

SMALL = ["--depth", "3", "--width", "50", "--samples", "100"]


def check_png(path):
    """A valid PNG: signature, IHDR first with a sane size, every chunk's CRC right, IEND last."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in chunk {kind}"
        chunks.append((kind, body))
        pos += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height = struct.unpack(">II", chunks[0][1][:8])
    assert 300 < width < 5000 and 200 < height < 5000
    return width, height


def test_default_reproduces_the_lectures_first_table(cli):
    result = cli("activations")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "tanh, 10 hidden layers of 500 units, 1000 samples, seed 0, init normal:0.01" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.strip()}
    assert float(rows["input"][2]) == pytest.approx(1.0, abs=0.01)
    assert float(rows["1"][2]) == pytest.approx(0.213, abs=0.005)
    assert float(rows["10"][2]) < 1e-5
    assert rows["10"][3] == "0.0%" and rows["10"][4] == "0.0%"


def test_json_schema(cli):
    result = cli("activations", "--activation", "relu", "--init", "he", "--backward", "--json",
                 *SMALL)  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data["input"]) == {"mean", "std"}
    assert data["activation"] == "relu" and data["init"] == "he" and data["depth"] == 3
    assert [layer["layer"] for layer in data["layers"]] == [1, 2, 3]
    for layer in data["layers"]:
        assert {"mean", "std", "saturated", "dead", "histogram"} <= set(layer)
        assert layer["saturated"] is None and 0 <= layer["dead"] <= 1
        assert layer["grad_activation_std"] > 0 and layer["grad_weight_std"] > 0
        assert len(layer["histogram"]["edges"]) == len(layer["histogram"]["counts"]) + 1
        assert sum(layer["histogram"]["counts"]) == 100 * 50


def test_compare_gives_one_object_per_init(cli):
    result = cli("activations", "--compare", "xavier,he,normal:0.01", "--json", *SMALL)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["xavier", "he", "normal:0.01"]
    assert all(run["init"] == name and len(run["layers"]) == 3 for name, run in data.items())
    # same seed, same input batch for every init
    assert len({run["input"]["mean"] for run in data.values()}) == 1
    text = cli("activations", "--compare", "xavier,he", "--backward", *SMALL).stdout
    assert "xavier std" in text and "he std" in text and "he dL/dW std" in text


def test_batchnorm_rescues_normal_001(cli):
    result = cli("activations", "--init", "normal:0.01", "--batchnorm", "--json", *SMALL)
    data = json.loads(result.stdout)
    assert data["batchnorm"] is True
    assert all(0.55 < layer["std"] < 0.7 for layer in data["layers"])


def test_plot_writes_a_valid_png(cli, tmp_path):
    path = tmp_path / "stats.png"
    result = cli("activations", "--compare", "xavier,he", "--activation", "relu",
                 "--plot", path, *SMALL)  # fmt: skip
    assert result.returncode == 0, result.stderr
    check_png(path)
    assert [p.name for p in tmp_path.iterdir()] == ["stats.png"]  # no temp file left behind
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # not the temp file's private 0600
    assert str(path) in result.stdout


def test_plot_function_directly(tmp_path):
    from mlplab.diagnostics.activation_statistics import activation_statistics
    from mlplab.plots.activation_statistics import plot_activation_statistics

    runs = [activation_statistics("tanh", init, depth=12, width=30, samples=50)
            for init in ("normal:0.01", "xavier")]  # fmt: skip
    path = plot_activation_statistics(runs, tmp_path / "deep.png")
    check_png(tmp_path / "deep.png")
    assert path.endswith("deep.png")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--init", "foo"], "unknown initializer 'foo'"),
        (["--init", "normal:x"], "is not a number"),
        (["--depth", "0"], "depth must be an integer >= 1, got 0"),
        (["--width", "-5"], "width must be"),
        (["--samples", "1"], "samples must be"),
        (["--depth", "ten"], "invalid int value: 'ten'"),
        (["--width", "1.5"], "invalid int value"),
        (["--activation", "swish"], "unknown activation 'swish'"),
        (["--compare", "xavier,,he"], "empty"),
        (["--compare", "xavier,bogus"], "unknown initializer 'bogus'"),
        (["--init", "he", "--compare", "xavier"], "not allowed with argument"),
        (["--plot", "out.jpg"], "ending in .png"),
        (["--plot", "/no/such/folder/x.png"], "does not exist"),
    ],
)
def test_bad_input_exits_2_with_one_line(cli, args, message):
    result = cli("activations", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_overflow_is_reported_as_null_in_strict_json(cli, tmp_path):
    result = cli("activations", "--activation", "relu", "--init", "normal:1e200", "--json",
                 "--plot", tmp_path / "o.png", *SMALL)  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert data["layers"][0]["std"] is None
    check_png(tmp_path / "o.png")
