"""Kill a training run with SIGKILL mid-epoch, resume it, and get bit-identical weights."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from mlplab.train.checkpoint import load_checkpoint

SCRIPT = Path(__file__).with_name("resume_script.py")
SRC = Path(__file__).resolve().parents[2] / "src"


def _env():
    return dict(
        os.environ,
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        PYTHONPATH=str(SRC),
    )


def _run(mode, out):
    subprocess.run(
        [sys.executable, str(SCRIPT), mode, str(out)], check=True, env=_env(), timeout=120
    )


@pytest.mark.slow
def test_sigkill_mid_epoch_then_resume_gives_identical_weights(tmp_path):
    full, killed = tmp_path / "full", tmp_path / "killed"
    full.mkdir()
    killed.mkdir()
    _run("full", full)

    proc = subprocess.Popen([sys.executable, str(SCRIPT), "slow", str(killed)], env=_env())
    checkpoint = killed / "checkpoints" / "last.safetensors"
    deadline = time.time() + 90
    try:
        while time.time() < deadline:
            time.sleep(0.05)
            if checkpoint.exists():
                try:
                    ck = load_checkpoint(checkpoint)
                except Exception:  # being replaced right now: read again
                    continue
                # 26 steps per epoch: stop in the second epoch, away from its edges
                if ck.step >= 30:
                    break
        assert proc.poll() is None, "training finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    ck = load_checkpoint(checkpoint)
    assert ck.meta["position"]["batch"] > 0, "the checkpoint should be mid-epoch"
    assert not (killed / "slow.npz").exists()

    _run("resume", killed)
    a = np.load(full / "full.npz")
    b = np.load(killed / "resume.npz")
    assert len(a.files) == len(b.files) > 0
    for key in a.files:
        np.testing.assert_array_equal(a[key], b[key])
    assert json.loads((full / "full.json").read_text()) == json.loads(
        (killed / "resume.json").read_text()
    )
