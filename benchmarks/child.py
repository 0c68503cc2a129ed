"""Run one benchmark in this process and print one JSON line.

The parent sets the environment (thread counts, OPENBLAS_CORETYPE) before this process starts,
because OpenBLAS reads it when NumPy is imported. Usage:
``python benchmarks/child.py '{"kind": "train", "peer": "numpy", "config": {...}, ...}'``.
"""

import importlib
import json
import os
import resource
import statistics
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.join(os.path.dirname(HERE), "src"))

from runners import PEERS  # noqa: E402

RUNNER_MODULES = {peer: module for peer, (module, _) in PEERS.items()}


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


BLAS_FIELDS = ("internal_api", "architecture", "num_threads", "version", "filepath")


def blas_info() -> dict:
    """The BLAS libraries loaded in this process, as threadpoolctl reports them."""
    from threadpoolctl import threadpool_info

    return [{k: i.get(k) for k in BLAS_FIELDS} for i in threadpool_info()]


def timed_windows(trainer, spec):
    """Warm up, then time ``windows`` windows of about ``window_s`` seconds each.

    Returns steps per second for each window by the wall clock and by this process's CPU time
    (the steadier measure for one thread on a busy machine).
    """
    warmup_s, window_s = spec["warmup_s"], spec["window_s"]
    t0 = time.perf_counter()
    steps = trainer.train(1)  # first step: lazy set-up, compilation
    first_s = time.perf_counter() - t0
    while time.perf_counter() - t0 < warmup_s or steps < 2:
        steps += trainer.train(1)
    t1 = time.perf_counter()
    probe = trainer.train(2)
    per_step = (time.perf_counter() - t1) / probe
    n = max(1, round(window_s / max(per_step, 1e-7)))
    wall, cpu = [], []
    for _ in range(spec["windows"]):
        t, c = time.perf_counter(), time.process_time()
        done = trainer.train(n)
        wall.append(done / (time.perf_counter() - t))
        cpu.append(done / max(time.process_time() - c, 1e-9))
    return wall, cpu, first_s, n


def use_peer(peer: str):
    """The runner module of ``peer``, imported after setting the peer's environment (the mlplab
    peers' ``MLPLAB_KERNELS``, read when mlplab is imported)."""
    module, env = PEERS[peer]
    os.environ.update(env)
    return importlib.import_module(module)


def kernel_info() -> dict:
    """Which elementwise path mlplab ran and its kernel thread count, for the mlplab peers."""
    if "mlplab" not in sys.modules:
        return {}
    from mlplab.kernels import fused, pool

    out = {"kernels": "fused" if fused() else "numpy"}
    if fused():
        out["kernel_threads"] = pool.threads()
    return out


def run_train(spec):
    from configs import config_from_dict, make_data

    cfg = config_from_dict(spec["config"])
    x, y = make_data(cfg, seed=0)
    module = use_peer(spec["peer"])
    trainer = module.prepare(cfg, spec["optimizer"], spec["opt_args"], x, y, seed=0)
    wall, cpu, first_s, n = timed_windows(trainer, spec)
    rates = cpu if spec.get("clock") == "cpu" else wall
    steps_per_s = statistics.median(rates)
    return {
        "samples_per_s": steps_per_s * cfg.batch,
        "wall_samples_per_s": statistics.median(wall) * cfg.batch,
        "cpu_samples_per_s": statistics.median(cpu) * cfg.batch,
        "window_samples_per_s": [r * cfg.batch for r in rates],
        "steps_per_window": n,
        "first_step_s": first_s,
        "gflops": steps_per_s * cfg.matmul_flops() / 1e9,
        "update": getattr(trainer, "update", None),
        **kernel_info(),
    }


def run_peak(spec):
    """Best float32 matrix-multiply rate (GFLOP/s) of one library, square n × n products, by
    the wall clock or (``clock: cpu``, meant for one thread) by this process's CPU time."""
    n, lib, budget = spec.get("n", 2048), spec["lib"], spec.get("seconds", 1.0)
    import numpy as np

    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    b = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
    if lib == "numpy":
        c = np.empty_like(a)

        def mm():
            np.matmul(a, b, out=c)

    elif lib == "torch":
        import torch

        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        tc = torch.empty_like(ta)

        def mm():
            torch.mm(ta, tb, out=tc)

    else:
        import jax
        import jax.numpy as jnp

        ja, jb = jnp.asarray(a), jnp.asarray(b)
        f = jax.jit(jnp.matmul)

        def mm():
            f(ja, jb).block_until_ready()

    mm()
    clock = time.process_time if spec.get("clock") == "cpu" else time.perf_counter
    best, t_end, runs = float("inf"), time.perf_counter() + budget, 0
    t0, c0 = time.perf_counter(), time.process_time()
    while time.perf_counter() < t_end or runs < 3:
        t = clock()
        mm()
        runs += 1
        best = min(best, clock() - t)
    cpu_per_wall = (time.process_time() - c0) / (time.perf_counter() - t0)
    return {"gflops": 2 * n**3 / best / 1e9, "cpu_per_wall": cpu_per_wall}


def versions(peer) -> dict:
    import numpy

    out = {"python": sys.version.split()[0], "numpy": numpy.__version__}
    mods = {"torch": "torch", "jax": "jax", "sklearn": "sklearn"}
    for name, module in mods.items():
        if module in sys.modules or name == peer:
            out[name] = importlib.import_module(module).__version__
    return out


def main():
    spec = json.loads(sys.argv[1])
    if spec.get("cores"):  # fewer threads than cores: keep every library on that many cores
        os.sched_setaffinity(0, range(spec["cores"]))
    out = {"spec": spec}
    try:
        if spec["kind"] == "train":
            out.update(run_train(spec))
        elif spec["kind"] == "peak":
            out.update(run_peak(spec))
        elif spec["kind"] == "callbacks":
            from callbacks_overhead import run_callbacks

            out.update(run_callbacks(spec))
        out["blas"] = blas_info()
        out["versions"] = versions(spec.get("peer") or spec.get("lib"))
    except NotImplementedError as e:
        out["skipped"] = str(e)
    except Exception as e:  # report, never hide: the parent prints it in the table
        out["error"] = f"{type(e).__name__}: {e}"
        out["traceback"] = traceback.format_exc()
    out["peak_rss_mib"] = peak_rss_mib()
    out["env"] = {
        k: os.environ.get(k)
        for k in (
            "OPENBLAS_CORETYPE",
            "OPENBLAS_L2_SIZE",
            "OPENBLAS_NUM_THREADS",
            "MLPLAB_NUM_THREADS",
            "MLPLAB_KERNELS",
            "XLA_FLAGS",
        )
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
