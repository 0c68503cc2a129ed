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


def test_closed_pipe_is_not_a_traceback():
    import os
    import subprocess
    import sys

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlplab",
            "activations",
            "--json",
            "--compare",
            "xavier,he,normal:0.01,normal:1.0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ,
    )
    proc.stdout.read(10)
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in stderr
