"""Variants of the default recipe on the accuracy benchmark's datasets: what chose it.

Each variant is the default ``mlplab train`` with a few run-config keys changed (``VARIANTS``);
each fit is ``accuracy.py``'s ``fit_mlplab`` (the same splits), one thread per fit, ``--jobs``
side by side. Prints one row per variant: the mean test accuracy per dataset and over all of
them, and the summed fit time; the raw numbers go to ``results/recipe_variants.json``.

    PYTHONPATH=src python benchmarks/recipe_variants.py                  # all, seeds 0 1 2
    PYTHONPATH=src python benchmarks/recipe_variants.py --variants "no early stopping" --seeds 0
"""

import argparse
import json
import sys
import time
from multiprocessing import get_context
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from accuracy import fit_mlplab  # noqa: E402
from accuracy_data import DATASETS  # noqa: E402

RESULTS = Path(__file__).parent / "results"


def _on_accuracy(patience: int, ties: str) -> dict:
    spec = f"early_stopping:monitor=val_accuracy,patience={patience},ties={ties}"
    return {"training.early_stopping": 0, "training.callbacks": [spec]}


#: name → the run-config keys it changes (dotted); "default" changes none.
VARIANTS = {
    "default (val_accuracy, latest of equals, patience 30)": {},
    "val_loss, patience 10 (before)": {
        "training.early_stopping_monitor": "val_loss",
        "training.early_stopping": 10,
    },
    "val_loss, patience 20": {
        "training.early_stopping_monitor": "val_loss",
        "training.early_stopping": 20,
    },
    "val_accuracy, first of equals, patience 10": _on_accuracy(10, "first"),
    "val_accuracy, first of equals, patience 30": _on_accuracy(30, "first"),
    "val_accuracy, latest of equals, patience 20": _on_accuracy(20, "last"),
    "no early stopping": {"training.early_stopping": 0},
}


def fit(task) -> dict:
    """One mlplab fit of ``(variant, dataset, seed)`` in one thread: test accuracy, epochs, s."""
    from threadpoolctl import threadpool_limits

    variant, name, seed = task
    start = time.perf_counter()
    with threadpool_limits(1):
        accuracy, extra = fit_mlplab(name, seed, VARIANTS[variant])
    return {"accuracy": accuracy, "seconds": time.perf_counter() - start, **extra}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    tasks = [(v, n, s) for v in args.variants for n in args.datasets for s in args.seeds]
    results = {}
    with get_context("fork").Pool(args.jobs, maxtasksperchild=20) as pool:
        for (variant, name, _), r in zip(tasks, pool.imap(fit, tasks), strict=True):
            results.setdefault(variant, {}).setdefault(name, []).append(r)
    print("| variant | " + " | ".join(args.datasets) + " | mean | fit time |")
    print("|---|" + "---|" * (len(args.datasets) + 2))
    for variant, per_dataset in results.items():
        means = [np.mean([r["accuracy"] for r in per_dataset[n]]) for n in args.datasets]
        seconds = sum(r["seconds"] for runs in per_dataset.values() for r in runs)
        cells = " | ".join(f"{m:.3f}" for m in means)
        print(f"| {variant} | {cells} | {np.mean(means):.4f} | {seconds:.0f} s |")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "recipe_variants.json"
    out.write_text(json.dumps({"seeds": args.seeds, "results": results}, indent=1))
    print(f"\nraw numbers: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
