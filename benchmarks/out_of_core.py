"""Training from a memory-mapped ``.npy`` pair larger than memory would like, against in memory.

Generates x.npy (1 M × 784 float32, ~3 GB, fixed seed, written in chunks so that generating it
stays far below 1 GB) and y.npy (the argmax of a fixed random projection: learnable labels) in a
temporary folder, then trains the ``mnist`` network (784→512→512→10, ReLU, batch 128, SGD with
momentum 0.9, lr 0.01) through ``Trainer.fit`` for a fixed number of steps in a fresh child
process per mode, the modes interleaved round by round:

- ``memory``: the features read into RAM first (all rows when the machine has room for them,
  else the first ``--memory-rows``; the JSON says which);
- ``mmap``: the memory map gathered row by row through the map (``MLPLAB_PREFETCH=off``, the
  path before the prefetcher; resident memory grows toward the file's size);
- ``direct``: rows read from the file with ``pread`` in the training thread, no hints
  (``MLPLAB_PREFETCH=0``);
- ``prefetch``: the same reads, the kernel asked for the rows of the next 4 batches while rows
  come from the disk (``POSIX_FADV_WILLNEED``; the default);
- ``direct-cold``, ``prefetch-cold``: ``direct`` and ``prefetch`` with the file's pages dropped
  from the page cache (``posix_fadvise(POSIX_FADV_DONTNEED)``, no root needed) when training
  begins, after the loader's NaN scan: every row then comes from the disk (the first time).

Page cache: this cannot drop the whole cache (no root); the file is written just before, so in
the warm modes it sits in the page cache whenever the machine has the memory for it, and the
reads are copies from the cache. The ``-cold`` runs are the ones where it does not.

Reported per mode: samples/s (median over rounds, timed from step ``--warmup`` to the last),
its ratio to ``memory``, the child's peak resident memory (``ru_maxrss``), the set-up time
before the first step (the NaN scan of the features, reading the file once), and a hash of the
final weights (equal hashes: bit-identical training). Writes ``benchmarks/results/
out_of_core.json`` and ``benchmarks/OUT_OF_CORE.md``; deletes the files at the end (and on
Ctrl-C or SIGTERM).

    nice -n 10 env PYTHONPATH=src python benchmarks/out_of_core.py           # ~5 minutes
    nice -n 10 env PYTHONPATH=src python benchmarks/out_of_core.py --rows 200000 --steps 600
"""

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
MODES = ("memory", "mmap", "direct", "prefetch", "direct-cold", "prefetch-cold")
PREFETCH_SETTING = {
    "mmap": "off", "direct": "0", "prefetch": "4", "direct-cold": "0", "prefetch-cold": "4",
}  # fmt: skip
NETWORK = {"input_size": 784, "hidden": [512, 512], "output_size": 10, "dtype": "float32"}
BATCH = 128
CHUNK_ROWS = 16384


def generate(folder: Path, rows: int, features: int, seed: int) -> tuple[Path, Path]:
    """x.npy (rows, features) float32, standard normal, and y.npy int64, written chunk by chunk
    with ordinary writes (never through a map: mapped dirty pages would count as ours)."""
    x_path, y_path = folder / "x.npy", folder / "y.npy"
    rng = np.random.default_rng(seed)
    projection = rng.standard_normal((features, NETWORK["output_size"]), dtype=np.float32)
    labels = np.empty(rows, np.int64)
    header = {"descr": "<f4", "fortran_order": False, "shape": (rows, features)}
    with open(x_path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, header)
        for start in range(0, rows, CHUNK_ROWS):
            block = rng.standard_normal((min(CHUNK_ROWS, rows - start), features), np.float32)
            labels[start : start + len(block)] = (block @ projection).argmax(axis=1)
            block.tofile(f)
        f.flush()
        os.fsync(f.fileno())
    np.save(y_path, labels)
    return x_path, y_path


class StepWindow:
    """A callback: the time from step ``warmup`` to step ``steps``, then stop training; drops
    the features' pages from the page cache when training begins if ``cold``."""

    def __init__(self, warmup: int, steps: int, cold_path=None):
        self.warmup, self.steps, self.cold_path = warmup, steps, cold_path
        self.seen, self.started, self.ended, self.first_step = 0, None, None, None

    def on_train_begin(self, trainer):
        if self.cold_path:
            fd = os.open(self.cold_path, os.O_RDONLY)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            os.close(fd)

    def on_batch_begin(self, trainer):
        if self.first_step is None:
            self.first_step = time.perf_counter()

    def on_batch_end(self, trainer):
        self.seen += 1
        if self.seen == self.warmup:
            self.started = (time.perf_counter(), time.process_time())
        if self.seen >= self.steps:
            self.ended = (time.perf_counter(), time.process_time())
            trainer.stop_training = True


def features(spec):
    """The training features of a mode: the loader's memory map, or rows read into RAM."""
    from mlplab.data.npy_pair import open_npy

    x = open_npy(spec["x"], mmap=True)
    if spec["mode"] != "memory":
        return x
    rows = min(len(x), spec["memory_rows"])
    offset = x.offset
    del x
    array = np.fromfile(spec["x"], np.float32, count=rows * 784, offset=offset)
    return array.reshape(rows, 784)


def child(spec) -> dict:
    """One mode's run, in this (fresh) process."""
    from mlplab.network import build_mlp
    from mlplab.training import Trainer

    start = time.perf_counter()
    x = features(spec)
    y = np.load(spec["y"])[: len(x)]
    loaded = time.perf_counter() - start
    net = build_mlp(NETWORK, seed=0)
    cold = spec["x"] if spec["mode"].endswith("-cold") else None
    window = StepWindow(spec["warmup"], spec["steps"], cold)
    trainer = Trainer(
        net, optimizer="momentum", lr=0.01, optimizer_options={"momentum": 0.9},
        batch_size=BATCH, epochs=1, seed=0, quiet=True, callbacks=[window],
    )  # fmt: skip
    fit_start = time.perf_counter()
    trainer.fit(x, y)
    (t0, c0), (t1, c1) = window.started, window.ended
    steps = window.seen - window.warmup
    digest = hashlib.sha256()
    for _, layer, key in net.parameters():
        digest.update(np.ascontiguousarray(layer.params[key]).tobytes())
    return {
        "mode": spec["mode"],
        "rows": len(x),
        "samples_per_s": steps * BATCH / (t1 - t0),
        "cpu_s_per_step": (c1 - c0) / steps,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "load_s": loaded,
        "setup_s": window.first_step - fit_start,
        "weights_sha256": digest.hexdigest()[:16],
    }


def run_child(spec) -> dict:
    env = dict(os.environ, PYTHONPATH=f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    if spec.get("threads"):
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = str(spec["threads"])
    if spec["mode"] in PREFETCH_SETTING:
        env["MLPLAB_PREFETCH"] = PREFETCH_SETTING[spec["mode"]]
    done = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{spec['mode']} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def memory_rows(x_bytes: int, rows: int, wanted: int | None) -> int:
    """All rows if the machine has twice the file's size available, else ``wanted`` or a
    quarter of the memory available."""
    if wanted:
        return min(wanted, rows)
    available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    if available > 2 * x_bytes:
        return rows
    return max(BATCH, int(available // 4 // (x_bytes / rows)))


def paired_ratio(runs: list[dict], mode: str) -> float | None:
    """The median over rounds of ``mode``'s rate ÷ ``memory``'s in the same round: the modes of
    a round run back to back, so a machine that speeds up or slows down between rounds (a
    neighbour's load) cancels out, as it does not in the ratio of the two medians."""
    rates = {(r["mode"], r.get("round")): r["samples_per_s"] for r in runs}
    ratios = [
        rates[mode, round_] / rates["memory", round_]
        for m, round_ in rates
        if m == mode and ("memory", round_) in rates and round_ is not None
    ]
    return statistics.median(ratios) if ratios else None


def summarize(runs: list[dict], args, x_bytes: int) -> dict:
    by_mode = {m: [r for r in runs if r["mode"] == m] for m in args.modes}
    reference = statistics.median(r["samples_per_s"] for r in by_mode.get("memory", [])) or None
    rows = {}
    for mode, found in by_mode.items():
        rate = statistics.median(r["samples_per_s"] for r in found)
        rows[mode] = {
            "samples_per_s": rate,
            "ratio_to_memory": rate / reference if reference else None,
            "paired_ratio_to_memory": paired_ratio(runs, mode),
            "peak_rss_mib": max(r["peak_rss_mib"] for r in found),
            "setup_s": statistics.median(r["setup_s"] for r in found),
            "cpu_s_per_step": statistics.median(r["cpu_s_per_step"] for r in found),
            # by this process's CPU time (all its threads: the reader's work is counted)
            "cpu_samples_per_s": BATCH / statistics.median(r["cpu_s_per_step"] for r in found),
            "rows": found[0]["rows"],
            "weights_sha256": sorted({r["weights_sha256"] for r in found}),
        }
    return {
        "file": {"rows": args.rows, "features": 784, "dtype": "float32", "bytes": x_bytes},
        "network": "mnist: 784→512→512→10 ReLU, batch 128, momentum 0.9, lr 0.01",
        "steps": args.steps,
        "blas_threads": args.threads or "default",
        "warmup": args.warmup,
        "rounds": args.rounds,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_end": os.getloadavg()[0],
            "memory_gib": os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30,
        },
        "modes": rows,
        "runs": runs,
    }


def markdown(result: dict) -> str:
    """The modes side by side, and the row for RESULTS.md's scaling table."""
    modes, size = result["modes"], result["file"]["bytes"] / 2**30
    data = f"{result['file']['rows']:,} × 784 float32 ({size:.1f} GiB)"
    machine = result["machine"]
    lines = [
        "# Training from a memory-mapped file larger than memory would like",
        "",
        "`benchmarks/out_of_core.py`: the `mnist` network (784 → 512 → 512 → 10, batch 128, "
        "momentum) through `Trainer.fit` from a generated `.npy` pair, one fresh process per "
        f"mode, {result['steps']} steps each ({result['warmup']} untimed), "
        f"{result['rounds']} round(s) interleaved, medians. Machine: "
        f"{machine['cpus']} CPUs, {machine.get('memory_gib', 0):.0f} GiB; load average "
        f"{machine.get('load_average_at_end', float('nan')):.1f} at the end "
        "(other work running: wall-clock rates are indicative only).",
        "",
        "Page cache: the file is written just before, so the warm modes read it from the page "
        "cache; the `-cold` modes drop its pages (`posix_fadvise(DONTNEED)`) when training "
        "starts, so the rows come from the disk. Peak RSS is the child's `ru_maxrss` "
        "(file-backed pages touched through a map count; `pread` reads do not). Equal weight "
        "hashes in the JSON mean bit-identical training.",
        "",
    ]
    hashes = {h for row in modes.values() for h in row["weights_sha256"]}
    same_rows = len({row["rows"] for row in modes.values()}) == 1
    if same_rows:
        verdict = "identical in every mode" if len(hashes) == 1 else "NOT identical"
        lines += [f"Final weights (sha256 of the parameters): {verdict}.", ""]
    if result.get("note"):
        lines += [f"Note: {result['note']}.", ""]
    lines += [
        "| data | mode | rows trained from | samples/s | × in memory | × in memory, same round "
        "| samples per CPU s | × in memory (CPU) | peak RSS | set-up |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    cpu_reference = modes.get("memory", {}).get("cpu_s_per_step")
    for mode, row in modes.items():
        ratio = f"{row['ratio_to_memory']:.2f}" if row["ratio_to_memory"] else "–"
        paired = row.get("paired_ratio_to_memory")
        ratio += f" | {paired:.2f}" if paired else " | –"
        cpu_rate = BATCH / row["cpu_s_per_step"]
        cpu_ratio = f"{cpu_reference / row['cpu_s_per_step']:.2f}" if cpu_reference else "–"
        lines.append(
            f"| {data} | {mode} | {row['rows']:,} | {row['samples_per_s']:,.0f} | {ratio} | "
            f"{cpu_rate:,.0f} | {cpu_ratio} | {row['peak_rss_mib']:,.0f} MiB | "
            f"{row['setup_s']:.1f} s |"
        )
    best = modes.get("prefetch")
    if best:
        ratio = f"{best['ratio_to_memory']:.2f} × in memory" if best["ratio_to_memory"] else "–"
        paired = best.get("paired_ratio_to_memory")
        ratio += f" ({paired:.2f} round by round)" if paired else ""
        lines += [
            "",
            "Row for the scaling table (axis, value, network, batch, samples/s, ms/step, "
            "GFLOP/s, % peak, × NumPy ref → × in memory, peak RSS MiB):",
            "",
            f"| data | memory-mapped .npy, {data}, read ahead | 784 → 512 → 512 → 10 | 128 | "
            f"{best['samples_per_s']:,.0f} | {BATCH * 1000 / best['samples_per_s']:.2f} | – | – | "
            f"{ratio} | {best['peak_rss_mib']:,.0f} |",
        ]
    return "\n".join(lines) + "\n"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--steps", type=int, default=1500, help="steps per run, warm-up included")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=None, help="BLAS threads (default: all)")
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    parser.add_argument("--memory-rows", type=int, default=None, help="rows read into RAM")
    parser.add_argument("--dir", default=None, help="where to write the temporary files")
    parser.add_argument("--out", default=str(HERE / "results" / "out_of_core.json"))
    parser.add_argument("--markdown", default=str(HERE / "OUT_OF_CORE.md"))
    parser.add_argument("--report", help="only rewrite the Markdown from this JSON result")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return
    if args.report:
        table = markdown(json.loads(Path(args.report).read_text()))
        Path(args.markdown).write_text(table)
        print(table)
        return
    x_bytes = args.rows * 784 * 4
    parent = Path(args.dir or tempfile.gettempdir())
    if shutil.disk_usage(parent).free < 2 * x_bytes:
        sys.exit(f"out_of_core: {parent} has less than {2 * x_bytes / 2**30:.1f} GiB free")
    folder = Path(tempfile.mkdtemp(prefix="mlplab-out-of-core-", dir=parent))
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM cleans up too
    try:
        start = time.perf_counter()
        x_path, y_path = generate(folder, args.rows, 784, seed=0)
        generated = time.perf_counter() - start
        gen_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"generated {x_bytes / 2**30:.2f} GiB in {generated:.0f} s (RSS {gen_rss:.0f} MiB)",
              flush=True)  # fmt: skip
        spec = {"x": str(x_path), "y": str(y_path), "steps": args.steps, "warmup": args.warmup}
        spec["threads"] = args.threads
        spec["memory_rows"] = memory_rows(x_bytes, args.rows, args.memory_rows)
        runs = []
        for round_ in range(args.rounds):
            for mode in args.modes:
                found = run_child({**spec, "mode": mode})
                runs.append({**found, "round": round_})
                print(json.dumps(found), flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result = summarize(runs, args, x_bytes)
    result["generate"] = {"seconds": generated, "peak_rss_mib": gen_rss}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    table = markdown(result)
    Path(args.markdown).write_text(table)
    print(table)


if __name__ == "__main__":
    main()
