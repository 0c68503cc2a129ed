"""Train the same MLPs with mlplab, a hand-written NumPy MLP, PyTorch, JAX and scikit-learn.

Every measurement runs in its own process (so imports, allocator state and peak memory do not
leak between peers). On every repeat the networks come in a fresh random order, and the peers of
one network, optimizer and thread count run back to back (in random order), so that a ratio
between two peers compares runs seconds apart. The tables report medians over repeats; the
goals, the median over repeats of each repeat's ratio. Usage (from the repository root):

    python benchmarks/mlp_throughput.py          # full run (~20 min): benchmarks/RESULTS.md
    python benchmarks/mlp_throughput.py --quick  # harness check (~6 min on a quiet machine)

See benchmarks/README.md for what is measured and how.
"""

import argparse
import datetime
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from configs import CONFIGS, OPTIMIZERS, scaling_configs  # noqa: E402
from report import write_report  # noqa: E402
from runners import OPENBLAS_PEERS, PEERS  # noqa: E402

ENV_CORETYPE_DEFAULT = "Haswell"
#: peers measured for context (the goals compare mlplab's Trainer.fit with JAX): fewer repeats,
#: to keep the full run near 20 minutes; scikit-learn (slow: whole epochs) under the first BLAS
#: setting only
CONTEXT_PEERS = ("numpy", "torch", "sklearn", "mlplab-engine", "mlplab-numpy")
CONTEXT_REPEATS = 2
FIRST_BLAS_ONLY = ("sklearn",)


def child_env(blas: str, threads: int) -> dict:
    """The environment of one child: thread counts, and the BLAS kernel choice.

    Threads: ``MLPLAB_NUM_THREADS`` (mlplab's one setting for BLAS and kernel threads, where
    this mlplab has it) and, for every library and an mlplab without it, the BLAS variables and
    ``NUMBA_NUM_THREADS``.

    ``env``: OPENBLAS_CORETYPE as this environment sets it (Haswell when it is not set);
    ``unset``: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed, so OpenBLAS picks the kernel
    for the CPU it finds. Only the child's environment changes.
    """
    env = dict(os.environ)
    if blas == "env":
        env["OPENBLAS_CORETYPE"] = os.environ.get("OPENBLAS_CORETYPE", ENV_CORETYPE_DEFAULT)
    else:
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    for var in (
        "MLPLAB_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "NUMBA_NUM_THREADS",
    ):
        env[var] = str(threads)
    if threads < (os.cpu_count() or 1):
        env["XLA_FLAGS"] = (
            env.get("XLA_FLAGS", "")
            + f" --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads={threads}"
        ).strip()
    env.pop("PYTHONPATH", None)  # the child finds mlplab in src/ itself
    env["PYTHONHASHSEED"] = "0"  # the same allocation order in every run of a child
    return env


def fixed_layout_prefix() -> list[str]:
    """The command prefix that starts a child with address-space randomization off, or [].

    With two BLAS threads on this kind of machine, the same process runs in one of two speeds
    (about 1.5× apart, steady within a process) depending on where its memory lands: a plain
    NumPy matmul loop, started eight times, ran at 450 or 625 iterations/s. Started under
    ``setarch -R`` (and a fixed hash seed, so allocations come in the same order) it ran at
    ~625 every time. Every peer runs under the same prefix.
    """
    setarch = shutil.which("setarch")
    if not setarch or not sys.platform.startswith("linux"):
        return []
    probe = subprocess.run([setarch, "-R", "true"], capture_output=True)  # seccomp may forbid it
    return [setarch, "-R"] if probe.returncode == 0 else []


def run_child(spec: dict, blas: str, timeout: float, prefix: tuple[str, ...] = ()) -> dict:
    """Run one job in a fresh ``child.py`` under ``spec["threads"]`` threads; its JSON line."""
    spec = dict(spec)
    threads = spec["threads"]
    if threads < (os.cpu_count() or 1):
        spec["cores"] = threads
    cmd = [*prefix, sys.executable, os.path.join(HERE, "child.py"), json.dumps(spec)]
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, env=child_env(blas, threads), capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"spec": spec, "error": f"timed out after {timeout:.0f} s"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        return {"spec": spec, "error": f"exit {proc.returncode}: {' | '.join(tail)}"}
    out = json.loads(lines[-1])
    out["child_s"] = time.perf_counter() - started
    return out


def train_spec(args, table, peer, cfg, opt, threads, clock) -> dict:
    """One training measurement: a peer on a network with an optimizer, at a thread count."""
    return {
        "kind": "train",
        "table": table,
        "peer": peer,
        "config": cfg.__dict__ | {"hidden": list(cfg.hidden)},
        "optimizer": opt,
        "opt_args": OPTIMIZERS[opt],
        "threads": threads,
        "clock": clock,
        "warmup_s": args.warmup_s,
        "window_s": args.window_s,
        "windows": args.windows,
    }


def build_jobs(args) -> list[tuple[dict, str]]:
    """The main table's jobs: every peer at the first thread setting, ``--fewer-threads-peers``
    at the others; OpenBLAS peers under every BLAS setting (scikit-learn: the first only), the
    others under the first; one matmul-peak job per library, BLAS setting (NumPy) and thread
    count. The peers that are context, not goals, run in the first ``CONTEXT_REPEATS`` repeats."""
    jobs = []
    for i, (threads, clock) in enumerate(zip(args.threads, args.clock, strict=True)):
        peers = args.peers if i == 0 else [p for p in args.peers if p in args.fewer_threads_peers]
        for blas in args.blas:
            for peer in peers:
                if peer not in OPENBLAS_PEERS and blas != args.blas[0]:
                    continue
                if peer in FIRST_BLAS_ONLY and blas != args.blas[0]:
                    continue
                for name in args.configs:
                    for opt in args.optimizers:
                        spec = train_spec(args, "main", peer, CONFIGS[name], opt, threads, clock)
                        if peer in CONTEXT_PEERS:
                            spec["repeats"] = min(args.repeats, CONTEXT_REPEATS)
                        jobs.append((spec, blas))
            jobs.append((peak_spec(args, "numpy", threads, clock), blas))
        for lib in ("torch", "jax"):
            if lib in peers:
                jobs.append((peak_spec(args, lib, threads, clock), args.blas[0]))
    return jobs


def repeat_order(jobs, rng) -> list[tuple[dict, str]]:
    """One repeat's jobs: the groups (``side_by_side``) in a random order, the jobs of each
    group back to back in a random order."""
    groups = {}
    for job in jobs:
        groups.setdefault(side_by_side(job[0]), []).append(job)
    order = list(groups.values())
    rng.shuffle(order)
    for group in order:
        rng.shuffle(group)
    return [job for group in order for job in group]


def side_by_side(spec: dict) -> tuple:
    """The group a job runs with: every peer and BLAS setting of one network, optimizer and
    thread count in the main table (so a ratio between two of them, as the goals take it, is
    of runs seconds apart); any other job alone."""
    if spec.get("table") != "main":
        return (id(spec),)
    return (spec["threads"], spec["config"]["name"], spec["optimizer"])


def peak_spec(args, lib, threads, clock) -> dict:
    """The float32 2048² matmul rate of ``lib``, by the same clock as the training runs."""
    return {"kind": "peak", "lib": lib, "seconds": args.peak_s, "threads": threads, "clock": clock}


def build_scaling_jobs(args) -> list[tuple[dict, str]]:
    """mlplab's path users run and the NumPy reference, SGD + momentum, first thread setting."""
    jobs = []
    threads, clock = args.threads[0], args.clock[0]
    for axis, cfg in scaling_configs(args.quick):
        for peer in ("mlplab-fit", "numpy"):
            spec = train_spec(args, "scaling", peer, cfg, "sgdm", threads, clock)
            spec |= {"axis": axis, "repeats": 1 if peer == "numpy" else 2}
            jobs.append((spec, args.blas[0]))
    return jobs


def build_callback_jobs(args) -> list[tuple[dict, str]]:
    """One job: monitors off and on, alternating within one process (run on every repeat)."""
    spec = {
        "kind": "callbacks",
        "table": "callbacks",
        "peer": "mlplab-fit",
        "setting": "paired",
        "config": CONFIGS["mnist"].__dict__ | {"hidden": list(CONFIGS["mnist"].hidden)},
        "epochs": 2 if args.quick else 4,
        "n_batches": 32 if args.quick else 128,
        "rounds": 1 if args.quick else 3,
        "threads": args.threads[0],
        "clock": args.clock[0],
    }
    return [(spec, args.blas[0])]


def _names(text: str) -> list[str]:
    return [s for s in text.split(",") if s]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="short windows, one repeat: a smoke test")
    p.add_argument("--repeats", type=int, default=None, help="interleaved repeats (default 3)")
    p.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated config names")
    p.add_argument("--optimizers", default=",".join(OPTIMIZERS), help="sgdm,adam")
    p.add_argument("--peers", default=",".join(PEERS), help=",".join(PEERS))
    p.add_argument("--blas", default="env,unset", help="env (OPENBLAS_CORETYPE kept), unset")
    cores = os.cpu_count() or 1
    p.add_argument(
        "--threads",
        default=f"{cores},1" if cores > 1 else "1",
        help="thread counts, comma-separated; every peer runs at the first, "
        "--fewer-threads-peers at the others",
    )
    p.add_argument(
        "--clock",
        default=None,
        help="wall or cpu for each thread count (default: wall at the first, cpu at the "
        "others: process CPU time is the steadier measure of one thread on a busy machine)",
    )
    p.add_argument(
        "--fewer-threads-peers",
        default="mlplab-fit,jax",
        help="peers that also run at the thread counts after the first",
    )
    p.add_argument("--window-s", type=float, default=None, help="seconds per timed window")
    p.add_argument("--windows", type=int, default=None, help="timed windows per process")
    p.add_argument("--warmup-s", type=float, default=None)
    p.add_argument("--peak-s", type=float, default=None, help="seconds of matmul-peak timing")
    p.add_argument(
        "--aslr",
        action="store_true",
        help="leave address-space randomization on in the children (by default they start "
        "under `setarch -R`: see benchmarks/README.md)",
    )
    p.add_argument("--no-scaling", action="store_true")
    p.add_argument("--no-callbacks", action="store_true")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds before a child is killed")
    p.add_argument(
        "--budget-min",
        type=float,
        default=22.0,
        help="stop starting new runs after this many minutes (the report says what ran)",
    )
    p.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"), help="markdown report")
    p.add_argument("--raw", default=os.path.join(HERE, "results.json"), help="raw results (JSON)")
    p.add_argument("--note", default="", help="a line added to the report (e.g. machine load)")
    args = p.parse_args(argv)
    quick = args.quick
    args.repeats = args.repeats or (1 if quick else 3)
    args.window_s = args.window_s or (0.1 if quick else 0.3)
    args.windows = args.windows or (2 if quick else 3)
    args.warmup_s = args.warmup_s if args.warmup_s is not None else (0.05 if quick else 0.2)
    args.peak_s = args.peak_s or (0.3 if quick else 1.0)
    for name in ("configs", "optimizers", "peers", "blas", "fewer_threads_peers"):
        setattr(args, name, _names(getattr(args, name)))
    args.threads = [int(t) for t in _names(args.threads)]
    clocks = _names(args.clock or ",".join(["wall"] + ["cpu"] * (len(args.threads) - 1)))
    args.clock = clocks * len(args.threads) if len(clocks) == 1 else clocks
    if len(args.clock) != len(args.threads) or set(args.clock) - {"wall", "cpu"}:
        p.error("--clock: one of wall/cpu, or one per --threads value")
    for what, names, known in (
        ("config", args.configs, CONFIGS),
        ("peer", args.peers + args.fewer_threads_peers, PEERS),
    ):
        unknown = [c for c in names if c not in known]
        if unknown:
            p.error(f"unknown {what}(s) {unknown}; choose from {list(known)}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    start = time.time()
    started = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()
    jobs = build_jobs(args)
    if not args.no_scaling:
        jobs += build_scaling_jobs(args)
    if not args.no_callbacks:
        jobs += build_callback_jobs(args)
    prefix = [] if args.aslr else fixed_layout_prefix()
    rng = random.Random(12345)
    results = []

    def repeated(job, r):  # a job with "repeats": n runs in the first n repeats only
        return r < job[0].get("repeats", args.repeats)

    total = sum(repeated(j, r) for j in jobs for r in range(args.repeats))
    done = 0
    stopped = None
    for r in range(args.repeats):
        batch = repeat_order([job for job in jobs if repeated(job, r)], rng)
        for spec, blas in batch:
            if time.time() - start > args.budget_min * 60:
                stopped = f"time budget of {args.budget_min:g} min reached: {done} of {total} runs"
                break
            out = run_child(spec, blas, args.timeout, prefix)
            out["blas_mode"], out["repeat"] = blas, r
            results.append(out)
            done += 1
            what = spec.get("peer") or spec.get("lib")
            name = spec.get("config", {}).get("name", spec["kind"])
            status = out.get("error") or out.get("skipped") or ""
            print(
                f"[{time.time() - start:6.0f} s] {done}/{total} {blas:5s} {spec['threads']}t "
                f"{what:13s} {name:10s} "
                f"{spec.get('optimizer', spec.get('setting', '')):5s} "
                f"{out.get('samples_per_s', out.get('gflops', 0)):10.0f} {status[:60]}",
                file=sys.stderr,
                flush=True,
            )
        if stopped:
            print(stopped, file=sys.stderr)
            break
    meta = {
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "seconds": time.time() - start,
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "cpu_count": os.cpu_count(),
        "threads": args.threads,
        "clocks": args.clock,
        "repeats": args.repeats,
        "quick": args.quick,
        "timing": {
            "warmup_s": args.warmup_s,
            "window_s": args.window_s,
            "windows": args.windows,
        },
        "env_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "env_l2_size": os.environ.get("OPENBLAS_L2_SIZE"),
        "command": " ".join(["python", "benchmarks/mlp_throughput.py", *(argv or sys.argv[1:])]),
        "note": "; ".join(x for x in (args.note, stopped) if x),
        "blas_modes": args.blas,
        "launcher": " ".join(os.path.basename(p) for p in prefix) or "plain (ASLR on)",
    }
    with open(args.raw, "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1)
    text = write_report(meta, results, args.out)
    print(text)
    print(f"wrote {args.out} and {args.raw} in {meta['seconds']:.0f} s", file=sys.stderr)
    return 0


def median(values):
    return statistics.median(values) if values else float("nan")


if __name__ == "__main__":
    sys.exit(main())
