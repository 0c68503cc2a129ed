import json


def test_madaline_demo_separates_xor_where_linear_units_fail(cli):
    result = cli("madaline-demo", "--json")
    assert result.returncode == 0, result.stderr
    rows = {(r["data"], r["model"].split()[0]): r for r in json.loads(result.stdout)["results"]}
    assert rows["xor corners", "madaline"]["train_accuracy"] == 1.0
    assert rows["xor corners", "adaline"]["train_accuracy"] <= 0.75
    assert rows["xor corners", "perceptron"]["train_accuracy"] <= 0.75
    assert rows["xor blobs", "madaline"]["test_accuracy"] >= 0.9
    assert rows["xor blobs", "adaline"]["test_accuracy"] <= 0.75


def test_madaline_demo_refuses_a_bad_rate(cli):
    bad = cli("madaline-demo", "--lr", "3")
    assert bad.returncode == 2 and "(0, 2)" in bad.stderr
