import json

import matplotlib.image


def test_compare_table_and_decision_regions(cli, tmp_path):
    png = tmp_path / "regions.png"
    result = cli(
        "compare", "--json", "--dataset", "spiral", "--epochs", "40", "--hidden", "32",
        "--lr", "0.03", "--boundaries-png", png,
        env={"OPENBLAS_NUM_THREADS": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    rows = {r["model"]: r for r in data["results"]}
    assert list(rows) == ["perceptron", "linear softmax", "2-layer network", "3-layer network"]
    assert rows["perceptron"]["parameters"] == rows["linear softmax"]["parameters"] == 2 * 3 + 3
    assert rows["2-layer network"]["parameters"] == 2 * 32 + 32 + 32 * 3 + 3
    assert rows["3-layer network"]["parameters"] == 2 * 32 + 32 + 32 * 32 + 32 + 32 * 3 + 3
    # Three spiral arms: a line gets about one arm in two right, a hidden layer nearly all.
    assert rows["linear softmax"]["test_accuracy"] < 0.7
    assert rows["2-layer network"]["test_accuracy"] > 0.85
    circles = data["circles_test_accuracy"]
    assert circles["perceptron"] < 0.8 and circles["linear softmax"] < 0.8
    assert circles["2-layer network"] > 0.9 and circles["3-layer network"] > 0.9
    image = matplotlib.image.imread(png)
    assert image.shape[1] > 3 * image.shape[0]  # four panels side by side


def test_compare_text_output_and_errors(cli, tmp_path):
    result = cli("compare", "--dataset", "xor", "--epochs", "5", "--no-plot")
    assert result.returncode == 0, result.stderr
    assert "linear softmax" in result.stdout and "test acc." in result.stdout
    bad = cli("compare", "--dataset", "nope", "--no-plot")
    assert bad.returncode == 2 and "unknown dataset 'nope'" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    bad = cli("compare", "--epochs", "0", "--no-plot")
    assert bad.returncode == 2 and "--epochs" in bad.stderr
