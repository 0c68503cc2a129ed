"""The optimizer's update alone: NumPy reference against the fused kernel, A/B interleaved.

    nice -n 10 python benchmarks/fused_updates.py [--repeats 41] [--configs tiny,mnist]

For each benchmark network (its packed float32 parameters) and optimizer, one step each of
``numpy`` (reference), ``fused`` (the default: serial below ``PARALLEL_MIN`` values, the kernel
threads above), ``serial`` and ``parallel`` (forced), taken in turn so that a busy machine
slows them alike, at 1 and 2 threads (``mlplab.set_threads``); then the same fused step right
after a matrix product of the network's first layer (``after gemm``): the BLAS's worker threads
still spin for a while after a product, on the cores the kernel's threads want. Prints median
microseconds per step and the speedups, in Markdown. Every size runs the kernel here, even
if ``optim.FUSED_MIN`` is raised.
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.join(os.path.dirname(HERE), "src"))

from configs import CONFIGS, OPTIMIZERS  # noqa: E402

from mlplab import kernels, optim, set_threads  # noqa: E402
from mlplab.kernels import updates  # noqa: E402
from mlplab.network import build_mlp  # noqa: E402
from mlplab.optim import get_optimizer  # noqa: E402

NAMES = {"adam": "adam", "sgdm": "momentum"}


def variants(optimizer, product):
    """name -> a function doing one step that way."""

    def step(kernel, parallel_min=None, gemm=False):
        def run():
            if gemm:
                product()
            kernels.set_kernels(kernel)
            if parallel_min is not None:
                updates.PARALLEL_MIN = parallel_min
            start = time.perf_counter()
            optimizer.step()
            took = time.perf_counter() - start
            updates.PARALLEL_MIN = default_min
            kernels.set_kernels("fused")
            return took

        return run

    default_min = updates.PARALLEL_MIN
    return {
        "numpy": step("numpy"),
        "fused": step("fused"),
        "serial": step("fused", parallel_min=1 << 62),
        "parallel": step("fused", parallel_min=0),
        "numpy after gemm": step("numpy", gemm=True),
        "fused after gemm": step("fused", gemm=True),
        "parallel after gemm": step("fused", parallel_min=0, gemm=True),
    }


def measure(config, optimizer_name, threads, repeats):
    optim.FUSED_MIN = 0  # the kernel at every size, whatever the default
    net = build_mlp(
        {"input_size": config.in_features, "output_size": config.classes,
         "hidden": list(config.hidden), "dtype": "float32"},
        seed=0,
    )  # fmt: skip
    rng = np.random.default_rng(0)
    for _, layer, key in net.parameters():
        layer.grads[key][...] = rng.normal(scale=1e-2, size=layer.grads[key].shape)
    optimizer = get_optimizer(NAMES[optimizer_name], **OPTIMIZERS[optimizer_name]).bind(net)
    x = rng.normal(size=(config.batch, config.in_features)).astype(np.float32)
    w = net.layers[0].params["W"]
    runs = variants(optimizer, lambda: x @ w)
    times = {name: [] for name in runs}
    with set_threads(threads):
        for _ in range(3):  # compile, warm the caches
            for run in runs.values():
                run()
        for _ in range(repeats):
            for name, run in runs.items():
                times[name].append(run())
    return {name: statistics.median(t) * 1e6 for name, t in times.items()}, optimizer


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=41)
    p.add_argument("--configs", default="tiny,mnist,cifar,deep")
    p.add_argument("--optimizers", default="adam,sgdm")
    args = p.parse_args()
    head = None
    for name in args.configs.split(","):
        for optimizer_name in args.optimizers.split(","):
            for threads in (1, 2):
                result, optimizer = measure(CONFIGS[name], optimizer_name, threads, args.repeats)
                if head is None:
                    head = ["config", "params", "optimizer", "threads", *result, "numpy/fused"]
                    print("| " + " | ".join(head) + " |")
                    print("|" + "---|" * len(head))
                size = optimizer._flat.params.size
                cells = [f"{v:.0f}" for v in result.values()]
                ratio = result["numpy"] / result["fused"]
                row = [name, f"{size:,}", optimizer_name, str(threads), *cells, f"{ratio:.2f}"]
                print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
