"""Data-parallel throughput: samples/s of ``Trainer(comm=...)`` on 1 and 2 MPI ranks, and the
time per step spent in the gradient ``Allreduce``.

    python benchmarks/distributed.py                 # mnist and cifar, 1 and 2 ranks, 3 repeats
    python benchmarks/distributed.py --repeats 5 --steps 60

Each measurement is one ``mpirun -n R`` job (one BLAS thread per rank, so R ranks use R cores):
it trains the benchmark net (``configs.py``; Adam, float32, synthetic data) for ``--steps``
steps after one warm-up epoch and reports samples/s (global batch × steps / seconds, by rank 0)
and the mean seconds per step inside the packed-gradient ``Allreduce`` (which includes waiting
for the slower rank). The table gives medians over repeats, jobs interleaved.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from configs import CONFIGS  # noqa: E402

ENV = {
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_btl": "self,vader",
    "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
    "OMPI_MCA_hwloc_base_binding_policy": "none",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def worker(name: str, steps: int) -> None:
    """Inside mpirun: train ``name`` and print one JSON line (rank 0)."""
    import numpy as np

    from mlplab.network import build_mlp
    from mlplab.training import Trainer
    from mlplab.training.distributed import SIGNAL_SLOTS, world

    comm = world()
    net_config = CONFIGS[name]
    rng = np.random.default_rng(0)
    rows = net_config.batch * steps
    x = rng.normal(size=(rows, net_config.in_features)).astype(np.float32)
    y = rng.integers(0, net_config.classes, rows)
    net = build_mlp(
        {"input_size": net_config.in_features, "output_size": net_config.classes,
         "hidden": list(net_config.hidden), "activation": net_config.activation},
        seed=0,
    )  # fmt: skip
    trainer = Trainer(net, "adam", batch_size=net_config.batch, epochs=1, quiet=True, comm=comm)
    trainer.fit(x, y)  # warm-up: buffers, BLAS, the first allreduces
    spent = [0.0, 0]
    reduce = comm.sum_in_place

    def timed(buffer):
        start = time.perf_counter()
        reduce(buffer)
        if buffer.size > 1 + SIGNAL_SLOTS:  # the gradients, not the step's loss and signals
            spent[0] += time.perf_counter() - start
            spent[1] += 1

    comm.sum_in_place = timed
    comm.comm.Barrier()
    start = time.perf_counter()
    trainer.fit(x, y, epochs=1)
    seconds = time.perf_counter() - start
    if comm.root:
        result = {"net": name, "ranks": comm.size, "samples_per_s": rows / seconds,
                  "allreduce_ms": 1e3 * spent[0] / max(spent[1], 1),
                  "step_ms": 1e3 * seconds / steps}  # fmt: skip
        print(json.dumps(result), flush=True)


def measure(name: str, ranks: int, steps: int) -> dict:
    src = os.path.join(os.path.dirname(HERE), "src")
    env = {**os.environ, **ENV, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    command = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-n", str(ranks)]
    command += [sys.executable, __file__, "--worker", name, "--steps", str(steps)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nets", default="mnist,cifar")
    parser.add_argument("--ranks", default="1,2")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.steps)
    if shutil.which("mpirun") is None:
        sys.exit("needs mpirun (Open MPI) and mpi4py")
    jobs = [(n, int(r)) for n in args.nets.split(",") for r in args.ranks.split(",")]
    found = {job: [] for job in jobs}
    for _ in range(args.repeats):
        for job in jobs:
            found[job].append(measure(*job, args.steps))
    print("| net | ranks | samples/s | ms/step | allreduce ms/step | speed-up |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, ranks in jobs:
        runs = found[(name, ranks)]
        rate = statistics.median(r["samples_per_s"] for r in runs)
        base = statistics.median(r["samples_per_s"] for r in found[(name, 1)])
        step = statistics.median(r["step_ms"] for r in runs)
        allreduce = statistics.median(r["allreduce_ms"] for r in runs)
        print(f"| {name} | {ranks} | {rate:,.0f} | {step:.1f} | {allreduce:.2f} | "
              f"{rate / base:.2f} |")  # fmt: skip
    print(json.dumps({f"{n}/{r}": v for (n, r), v in found.items()}))


if __name__ == "__main__":
    main()
