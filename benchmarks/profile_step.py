"""Profile one peer's training steps with pyinstrument (or time them bare).

    OPENBLAS_NUM_THREADS=1 python benchmarks/profile_step.py mnist sgdm --peer mlplab-fit

Prints pyinstrument's call tree of ``steps`` training steps after a short warm-up; with
``--bare``, only the microseconds per step.
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.join(os.path.dirname(HERE), "src"))

from child import RUNNER_MODULES, use_peer  # noqa: E402
from configs import CONFIGS, OPTIMIZERS, make_data  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("config", choices=list(CONFIGS))
    p.add_argument("optimizer", choices=list(OPTIMIZERS))
    p.add_argument("--peer", default="mlplab-fit", choices=list(RUNNER_MODULES))
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--bare", action="store_true", help="no profiler: print µs per step")
    args = p.parse_args()

    cfg = CONFIGS[args.config]
    x, y = make_data(cfg)
    module = use_peer(args.peer)
    trainer = module.prepare(cfg, args.optimizer, OPTIMIZERS[args.optimizer], x, y)
    trainer.train(20)
    if args.bare:
        best = best_cpu = float("inf")
        for _ in range(5):
            t, c = time.perf_counter(), time.process_time()
            trainer.train(args.steps)
            best = min(best, (time.perf_counter() - t) / args.steps)
            best_cpu = min(best_cpu, (time.process_time() - c) / args.steps)
        print(
            f"{args.peer:7s} {args.config:9s} {args.optimizer}: {best * 1e6:8.0f} µs wall, "
            f"{best_cpu * 1e6:8.0f} µs CPU per step (best of 5)"
        )
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0002)
    profiler.start()
    trainer.train(args.steps)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
