import json

import matplotlib.image


def test_perceptron_demo_learns_letters(cli, tmp_path):
    png = tmp_path / "weights.png"
    result = cli("perceptron-demo", "--json", "--letters", "AEHLTX", "--weights-png", png)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["inputs"] == 400
    assert data["train_accuracy"] >= 0.95
    assert data["test_accuracy"] >= 0.8  # chance is 1/6
    image = matplotlib.image.imread(png)
    assert image.shape[0] > 100 and image.shape[1] > 400


def test_perceptron_demo_text_and_bad_input(cli, tmp_path):
    result = cli("perceptron-demo", "--letters", "HT", "--weights-png", tmp_path / "w.png")
    assert result.returncode == 0, result.stderr
    assert "test accuracy" in result.stdout and "#" in result.stdout
    bad = cli("perceptron-demo", "--letters", "HQ", "--weights-png", tmp_path / "w.png")
    assert bad.returncode == 2 and "no strokes" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    missing = cli("perceptron-demo", "--weights-png", tmp_path / "nowhere" / "w.png")
    assert missing.returncode == 2 and "does not exist" in missing.stderr
