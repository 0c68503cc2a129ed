"""The cold-start benchmark's child processes (benchmarks/cold_start.py)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import cold_start  # noqa: E402


def test_a_warm_run_finds_the_bytecode_an_earlier_run_wrote(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")  # as in some users' shells and CI
    module = tmp_path / "src_dir" / "some_module.py"
    module.parent.mkdir()
    module.write_text("VALUE = 1\n")
    env = cold_start.child_env(str(tmp_path / "caches"))
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert env["PYTHONPYCACHEPREFIX"].startswith(str(tmp_path / "caches"))
    code = "import sys; sys.path.insert(0, sys.argv[1]); import some_module"
    subprocess.run([sys.executable, "-c", code, str(module.parent)], env=env, check=True)
    written = list(Path(env["PYTHONPYCACHEPREFIX"]).rglob("some_module*.pyc"))
    assert len(written) == 1
