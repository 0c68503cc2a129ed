"""The benchmark harness runs end to end on mlplab and the NumPy reference (a smoke test)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from configs import CONFIGS  # noqa: E402


def test_matmul_flops_skip_the_first_layers_input_gradient():
    # tiny: 64 → 100 → 10, batch 64: forward and dW for both layers, dx for the second only
    n = 64
    expected = 2 * (2 * n * 64 * 100) + 3 * (2 * n * 100 * 10)
    assert CONFIGS["tiny"].matmul_flops() == expected


def test_a_networks_peers_run_back_to_back_in_each_repeat():
    import random

    from mlp_throughput import build_jobs, parse_args, repeat_order

    args = parse_args(["--no-scaling", "--no-callbacks", "--configs=tiny,mnist"])
    jobs = build_jobs(args)
    for seed in range(3):
        order = repeat_order(jobs, random.Random(seed))
        assert sorted(map(id, order)) == sorted(map(id, jobs))  # every job once
        groups = [
            (s["threads"], s["config"]["name"], s["optimizer"])
            for s, _ in order
            if s.get("table") == "main"
        ]
        runs = [g for i, g in enumerate(groups) if i == 0 or g != groups[i - 1]]
        assert len(runs) == len(set(runs))  # no group comes back once left


def test_quick_run_writes_a_report(tmp_path):
    out, raw = tmp_path / "RESULTS.md", tmp_path / "results.json"
    cmd = [
        sys.executable,
        str(ROOT / "benchmarks" / "mlp_throughput.py"),
        "--quick",
        "--peers=numpy,mlplab-engine,mlplab-fit",
        "--configs=tiny",
        "--optimizers=adam",
        "--blas=env",
        "--threads=1",
        "--no-scaling",
        "--no-callbacks",
        "--window-s=0.02",
        f"--out={out}",
        f"--raw={raw}",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(raw.read_text())["results"]
    train = [r for r in results if r["spec"]["kind"] == "train"]
    assert {r["spec"]["peer"] for r in train} == {"numpy", "mlplab-engine", "mlplab-fit"}
    assert all("error" not in r and r["samples_per_s"] > 0 for r in train)
    assert all(r["gflops"] > 0 for r in results if r["spec"]["kind"] == "peak")
    updates = {r["spec"]["peer"]: r["update"] for r in train}
    assert updates["mlplab-engine"] == "mlplab.optim" and updates["mlplab-fit"] == "Trainer.fit"
    text = out.read_text()
    assert "| tiny | adam | mlplab engine |" in text and "| tiny | adam | NumPy reference |" in text
    assert "| tiny | adam | mlplab `Trainer.fit` |" in text
    assert "## Headline: mlplab against the goals" in text


def test_hook_timer_counts_only_the_time_inside_the_hooks():
    from callbacks_overhead import time_hooks

    ticks = iter(range(0, 1000, 10))  # a fake clock: each reading 10 s after the last

    class Monitor:
        calls = 0

        def on_batch_end(self, trainer):
            next(ticks)  # the hook itself takes one tick
            self.calls += 1

    monitor, total = Monitor(), [0.0]
    time_hooks(monitor, total, clock=lambda: next(ticks))
    for _ in range(3):
        monitor.on_batch_end(None)
    assert monitor.calls == 3
    assert total == [3 * 20.0]  # start reading, hook's tick, end reading: 20 s per call
    assert not hasattr(monitor, "on_epoch_end")  # hooks it lacks stay absent
