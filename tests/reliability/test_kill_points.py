"""``kill -9`` at seeded random steps and inside every kind of write (checkpoint, model,
metrics, plots, report, run.json), then ``mlplab train --resume``: the run completes with the
uninterrupted run's weights and metrics, and no temporary file is left behind."""

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.interrupt_helpers import assert_same_run

RUNNER = Path(__file__).with_name("kill_runner.py")
ROOT = Path(__file__).resolve().parents[2]
#: every epoch checkpointed (none put off by the overhead bound): the writes below are known
FLAGS = ["--hidden", "16", "--epochs", "3", "--batch-size", "64", "--callback", "batchnorm_gap",
         "--checkpoint-overhead", "0"]  # fmt: skip
STEPS = 60  # 3 epochs of 20

#: (file name, which write of it) — the write is killed after its temporary file is complete
WRITES = [
    ("last.safetensors", 2),  # the second epoch's checkpoint
    ("metrics.csv", 2),
    ("model.safetensors", 1),
    ("run.json", 2),  # marking the run complete
]
#: written after run.json says complete: a run killed there cannot be resumed yet (issue 14's
#: "complete only when everything it promises exists", with ``mlplab report``)
REPORT_WRITES = [("learning_curves.png", 1), ("report.html", 1)]


def _steps(count: int) -> list[int]:
    """The first step, the first step after an epoch, and ``count`` seeded random ones."""
    return [1, 21, *sorted(random.Random(14).sample(range(2, STEPS + 1), count))]


def _run_plan(tmp_path, jobs) -> list[int]:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(jobs))
    env = dict(
        os.environ,
        PYTHONPATH=f"{ROOT / 'src'}{os.pathsep}{ROOT}",
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        MPLBACKEND="Agg",
    )
    done = subprocess.run(
        [sys.executable, str(RUNNER), str(plan)],
        capture_output=True, text=True, env=env, timeout=900, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _check(tmp_path, kills, plots: bool):
    flags = FLAGS + ([] if plots else ["--no-plots"])
    jobs = [{"argv": ["train", *flags, "--out", "reference", "-q"], "stderr": "reference.err"}]
    for i, kill in enumerate(kills):
        out = f"run{i}"
        jobs.append({"argv": ["train", *flags, "--out", out, "-q"], "kill": kill,
                     "stderr": f"{out}.killed.err"})  # fmt: skip
        jobs.append({"argv": ["train", "--resume", out], "stderr": f"{out}.err"})
    codes = _run_plan(tmp_path, jobs)
    assert codes[0] == 0, (tmp_path / "reference.err").read_text()
    for i, kill in enumerate(kills):
        out = tmp_path / f"run{i}"
        killed, resumed = codes[1 + 2 * i], codes[2 + 2 * i]
        assert killed == -signal.SIGKILL, (kill, (tmp_path / f"run{i}.killed.err").read_text())
        err = (tmp_path / f"run{i}.err").read_text()
        assert resumed == 0, (kill, err)
        assert "Traceback" not in err, err
        assert not list(out.rglob("*.tmp")), (kill, list(out.rglob("*.tmp")))
        assert json.loads((out / "run.json").read_text())["status"] == "complete"
        assert (out / "report.html").is_file()
        assert_same_run(out, tmp_path / "reference")


def test_kill_at_a_step_and_in_a_checkpoint_write_resumes_exactly(tmp_path):
    _check(tmp_path, [["step", 33], ["write", "last.safetensors", 2]], plots=False)


@pytest.mark.slow
def test_kill_at_random_steps_resumes_exactly(tmp_path):
    _check(tmp_path, [["step", n] for n in _steps(3)], plots=False)


@pytest.mark.slow
def test_kill_during_every_kind_of_write_resumes_exactly(tmp_path):
    _check(tmp_path, [["write", name, k] for name, k in WRITES], plots=True)


@pytest.mark.slow
def test_kill_during_the_plots_or_report_resumes_exactly(tmp_path):
    _check(tmp_path, [["write", name, k] for name, k in REPORT_WRITES], plots=True)
