"""Cold start: ``mlplab train`` on the built-in digits, end to end, beside scikit-learn and PyTorch.

Each contender runs as a user would start it, in a fresh process and a fresh working directory,
timed from just before the process starts to its exit (and to the moment its model file was
written, from the file's modification time):

- **mlplab**: ``mlplab train`` — the README's first command, the default recipe: 64 → 256 →
  256 → 10, batch norm, ReLU, dropout 0.3, AdamW with cosine decay over a budget of 4,000
  steps (about 230 epochs of batch 64 on the digits' training rows) with early stopping, then
  the evaluation table, plots, report, checkpoints and ``model.safetensors`` in ``runs/``;
- **mlplab, 20 epochs**: the same command with the peers' recipe (``--optimizer adam
  --schedule constant --dropout 0 --epochs 20 --early-stopping 0``): the same work as theirs;
- **scikit-learn**: ``cold_start_scripts/sklearn_digits.py`` — ``MLPClassifier`` of the same
  sizes, Adam, 20 epochs of batch 64 (no batch norm: scikit-learn has none), pickled;
- **PyTorch**: ``cold_start_scripts/torch_digits.py`` — the same network with ``BatchNorm1d``,
  Adam, 20 epochs of batch 64, ``torch.save``.

Caches, per run:

- **cold**: a fresh ``PYTHONPYCACHEPREFIX`` (every module of every library is compiled to
  bytecode again) and a fresh ``MPLCONFIGDIR`` (matplotlib rebuilds its font cache): the first
  run after an install, or worse. The filesystem's page cache is not dropped (that needs
  root), so the libraries' files are read from memory, not disk: real first runs after a
  reboot are slower.
- **warm**: the same two directories, kept from an untimed run of the same contender.

mlplab's kernels are compiled when it is installed, never at run time: no cache of them to
warm.

Runs are interleaved in a fresh random order each repeat; the tables show medians (wall clock,
and the child's CPU time, user + system, from ``wait4``: steadier on a busy machine). Also
``python -X importtime -c "import mlplab"`` (warm bytecode): its total, the heaviest imports,
and a check that it imports none of the heavy libraries (the script exits 1 if it does).

    python benchmarks/cold_start.py            # 5 repeats, about 4 minutes on 2 idle cores
    python benchmarks/cold_start.py --quick    # 1 repeat: a check of the script
"""

import argparse
import datetime
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCRIPTS = os.path.join(HERE, "cold_start_scripts")
CACHE_VARS = ("PYTHONPYCACHEPREFIX", "MPLCONFIGDIR")
#: ``mlplab train``'s flags for the peers' recipe: Adam at a constant 1e-3, no dropout, 20 epochs.
PEERS_RECIPE = ["--optimizer", "adam", "--schedule", "constant", "--dropout", "0", "--epochs", "20",
                "--early-stopping", "0"]  # fmt: skip
HEAVY = ("numba", "sklearn", "scipy", "pandas", "matplotlib", "torch", "jax")


def contenders() -> dict:
    """Name → (command, the model file it writes, relative to its working directory)."""
    script = os.path.join(os.path.dirname(sys.executable), "mlplab")
    mlplab = [script] if os.path.exists(script) else [sys.executable, "-m", "mlplab"]
    return {
        "mlplab": ([*mlplab, "train"], "runs/*/model.safetensors"),
        "mlplab, 20 epochs": ([*mlplab, "train", *PEERS_RECIPE], "runs/*/model.safetensors"),
        "scikit-learn": (
            [sys.executable, os.path.join(SCRIPTS, "sklearn_digits.py"), "model.pkl"],
            "model.pkl",
        ),
        "PyTorch": (
            [sys.executable, os.path.join(SCRIPTS, "torch_digits.py"), "model.pt"],
            "model.pt",
        ),
    }


def child_env(cache_dir: str) -> dict:
    """The user's environment, with this checkout's mlplab and the caches under ``cache_dir``.

    Without ``PYTHONDONTWRITEBYTECODE``: with it no run writes bytecode under the prefix, so a
    "warm" run compiled every module from source again (``import sklearn.base`` took 7 s against
    2 s from pip's own bytecode), as slow as a cold one."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.path.join(ROOT, "src")
    for var in CACHE_VARS:
        env[var] = os.path.join(cache_dir, var.lower())
    return env


def run_once(command, model_glob, cache_dir) -> dict:
    """Run ``command`` in a fresh directory; wall seconds to exit and to the model file, CPU s."""
    import glob

    with tempfile.TemporaryDirectory(prefix="coldstart-run-") as cwd:
        start = time.time()
        proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=child_env(cache_dir),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output = proc.stdout.read()
        proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.time() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        models = glob.glob(os.path.join(cwd, model_glob))
        model_s = os.path.getmtime(models[0]) - start if models else None
    out = {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "model_s": model_s}
    if proc.returncode != 0 or not models:
        out["error"] = f"exit {proc.returncode}: " + " | ".join(output.strip().splitlines()[-3:])
    accuracy = re.findall(r"(?:test accuracy|\ntest\s+\d+\s+\S+)\s+([0-9.]+)", output)
    out["test_accuracy"] = float(accuracy[-1]) if accuracy else None
    return out


def import_profile(cache_dir: str, runs: int) -> dict:
    """``python -X importtime -c "import mlplab"``: median total, heavy modules it pulls in."""
    cmd = [sys.executable, "-X", "importtime", "-c", "import mlplab"]
    totals, walls, stderr = [], [], ""
    for _ in range(runs + 1):  # the first run writes the bytecode cache
        start = time.perf_counter()
        proc = subprocess.run(cmd, env=child_env(cache_dir), capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        stderr = proc.stderr
        times = re.findall(r"import time:\s+\d+ \|\s+(\d+) \| mlplab$", stderr, re.M)
        totals.append(int(times[-1]) / 1e6 if times else None)
    modules = re.findall(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)$", stderr, re.M)
    heavy = {}
    for cumulative, _, name in modules:
        top = name.split(".")[0]
        if top in HEAVY and name == top:
            heavy[top] = int(cumulative) / 1e6
    python = [sys.executable, "-c", "pass"]
    bare = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(python, env=child_env(cache_dir))
        bare.append(time.perf_counter() - start)
    return {
        "importtime_s": statistics.median(t for t in totals[1:] if t is not None),
        "wall_s": statistics.median(walls[1:]),
        "python_alone_s": statistics.median(bare),
        "heavy_imports_s": heavy,
    }


def measure(repeats: int, seed: int = 0) -> dict:
    """Every contender cold and warm, ``repeats`` times, interleaved; and the import profile."""
    runs = {(name, state): [] for name in contenders() for state in ("cold", "warm")}
    warm_root = tempfile.mkdtemp(prefix="coldstart-warm-")
    try:
        for name, (command, model) in contenders().items():  # prime the warm caches
            run_once(command, model, os.path.join(warm_root, name))
        rng = random.Random(seed)
        for r in range(repeats):
            order = list(runs)
            rng.shuffle(order)
            for name, state in order:
                command, model = contenders()[name]
                if state == "warm":
                    out = run_once(command, model, os.path.join(warm_root, name))
                else:
                    with tempfile.TemporaryDirectory(prefix="coldstart-cold-") as cold:
                        out = run_once(command, model, cold)
                runs[(name, state)].append(out)
                print(
                    f"[{r + 1}/{repeats}] {name:12s} {state}: {out['wall_s']:6.2f} s wall, "
                    f"{out['cpu_s']:6.2f} s CPU {out.get('error', '')}",
                    file=sys.stderr,
                )
        imports = import_profile(os.path.join(warm_root, "mlplab"), max(3, repeats))
    finally:
        shutil.rmtree(warm_root, ignore_errors=True)
    return {
        "runs": {f"{name}/{state}": v for (name, state), v in runs.items()},
        "import": imports,
    }


def _median(runs, key):
    values = [r[key] for r in runs if r.get(key) is not None and "error" not in r]
    return statistics.median(values) if values else None


def _s(v, spec="{:.2f}"):
    return "–" if v is None else spec.format(v)


def report_lines(data: dict, heading: str = "#") -> list[str]:
    """The cold-start tables as markdown lines (used by COLD_START.md and RESULTS.md)."""
    meta, runs, imp = data["meta"], data["runs"], data["import"]
    rows = []
    for name in ("mlplab", "mlplab, 20 epochs", "scikit-learn", "PyTorch"):
        cold, warm = runs.get(f"{name}/cold", []), runs.get(f"{name}/warm", [])
        errors = [r["error"] for r in cold + warm if "error" in r]
        rows.append(
            f"| {name} | {_s(_median(cold, 'wall_s'))} | {_s(_median(cold, 'cpu_s'))} | "
            f"{_s(_median(warm, 'wall_s'))} | {_s(_median(warm, 'cpu_s'))} | "
            f"{_s(_median(warm, 'model_s'))} | {_s(_median(warm, 'test_accuracy'), '{:.3f}')} | "
            f"{len(cold)} + {len(warm)}"
            + (f" ({len(errors)} failed: {errors[0][:60]})" if errors else "")
            + " |"
        )
    heavy = ", ".join(f"{k} {v:.2f} s" for k, v in sorted(imp["heavy_imports_s"].items()))
    return [
        f"{heading} Cold start: `mlplab train` on the digits, beside scikit-learn and PyTorch",
        "",
        f"{meta['started']}, {meta['repeats']} interleaved repeats, medians; load average "
        f"{meta['load_before']:.2f} before, {meta['load_after']:.2f} after"
        + (" (`--quick`: a check of the script, not a measurement)" if meta["quick"] else "")
        + '. Seconds from process start to exit; the model file was written at the "model '
        'at" second. Cold: fresh bytecode cache (`PYTHONPYCACHEPREFIX`) and '
        "matplotlib cache; warm: the same kept from an earlier run. The page cache is not "
        "dropped (that needs root): library files come from memory in both.",
        "",
        "| program | cold s | cold CPU s | warm s | warm CPU s | warm: model at s | test acc. "
        "| runs |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "mlplab: `mlplab train`, the default recipe (64 → 256 → 256 → 10, batch norm, dropout "
        "0.3, AdamW and cosine decay over 4,000 steps with early stopping, batch 64), with its "
        "evaluation, plots, report and checkpoints; mlplab, 20 epochs: the same command with "
        f"`{' '.join(PEERS_RECIPE)}`, the peers' work (Adam, 20 epochs of batch 64); "
        "scikit-learn: `MLPClassifier` of the same sizes without batch norm; PyTorch: the same "
        "network with `BatchNorm1d`; both scripts in `benchmarks/cold_start_scripts/`, each "
        "pickling or saving its model.",
        "",
        f"`import mlplab` (warm bytecode): {_s(imp['importtime_s'])} s by "
        f'`python -X importtime` ({_s(imp["wall_s"])} s wall for `python -c "import mlplab"`, '
        f"{_s(imp['python_alone_s'])} s for `python -c pass`). Heavy libraries it imports: "
        f"{heavy or 'none'}"
        + (" (**a failure**: `import mlplab` must stay light)" if heavy else "")
        + ".",
        "",
    ]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="one repeat: a check of the script")
    p.add_argument("--repeats", type=int, default=None, help="interleaved repeats (default 5)")
    p.add_argument("--out", default=os.path.join(HERE, "COLD_START.md"))
    p.add_argument("--raw", default=os.path.join(HERE, "results", "cold_start.json"))
    args = p.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 5)
    started = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()[0]
    data = measure(repeats)
    data["meta"] = {
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "repeats": repeats,
        "quick": args.quick,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
    }
    os.makedirs(os.path.dirname(args.raw), exist_ok=True)
    with open(args.raw, "w") as f:
        json.dump(data, f, indent=1)
    text = "\n".join(report_lines(data))
    with open(args.out, "w") as f:
        f.write(text)
    print(text)
    return 1 if data["import"]["heavy_imports_s"] else 0


if __name__ == "__main__":
    sys.exit(main())
