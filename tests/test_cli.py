import json


def test_gradcheck_command_passes(cli):
    result = cli("gradcheck")
    assert result.returncode == 0, result.stderr
    assert "checks passed" in result.stdout and "FAIL" not in result.stdout


def test_gradcheck_json(cli):
    result = cli("gradcheck", "--json")
    data = json.loads(result.stdout)
    assert data["passed"] is True
    assert {r["what"] for r in data["results"]} >= {"Linear", "softmax cross-entropy"}


def test_unknown_command_is_one_line_exit_2(cli):
    result = cli("no-such-command")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
