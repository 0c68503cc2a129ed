"""Coarse-to-fine from a wrong range: does extending past an edge find the good learning rates?

On digits, a search starts from a learning-rate range below Adam's good rates (near 1e-3):
``lr=log:1e-6..1e-5`` (two decades too low: every trial stays near chance) and
``lr=log:1e-5..1e-4`` (one decade too low: accuracy still rises with lr), with
``weight_decay=log:1e-6..1e-4``. It runs ``--rounds`` stages of
``--trials`` random trials of ``--epochs`` epochs each; each stage's ranges are narrowed around
the best trials of the one before (``narrow()``, driven by the search driver). Two variants:

- ``extend``: a bound the best trial sits at moves one old width outward (mlplab's default);
- ``shrink only``: the old behaviour, ``SearchSettings(extend=0)``: ranges stay inside the
  first one.

Per round it records the lr range searched and the best validation accuracy; at the end the
best trial's model is evaluated once on the test split. Writes
``benchmarks/results/search_edges.json`` and prints a Markdown table.

    PYTHONPATH=src nice -n 10 python benchmarks/search_edges.py     # about 2 minutes
"""

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from mlplab.ensembles.evaluate import evaluate_models
from mlplab.io import load
from mlplab.search.driver import SearchSettings, Stage
from mlplab.search.run import search
from mlplab.search.space import parse_assignments

CASES = {
    "lr 1e-6..1e-5": ["lr=log:1e-6..1e-5", "weight_decay=log:1e-6..1e-4"],
    "lr 1e-5..1e-4": ["lr=log:1e-5..1e-4", "weight_decay=log:1e-6..1e-4"],
}
VARIANTS = {"extend": 1.0, "shrink only": 0.0}


def run_variant(ranges: list, extend: float, seed: int, args, root: Path) -> dict:
    config = {"data": {"source": "digits"}, "network": {"hidden": [128, 128]}}
    settings = SearchSettings(
        stages=[Stage(args.trials, epochs=args.epochs) for _ in range(args.rounds)],
        sampler="random", pruner="none", jobs=1, seed=seed, extend=extend,
        out=str(root / f"{ranges[0].replace(':', '-')}-extend{extend:g}-seed{seed}"),
    )  # fmt: skip
    start = time.perf_counter()
    with threadpool_limits(1):  # small networks: one BLAS thread is faster on a shared machine
        result = search(parse_assignments(ranges), config, settings, plot=False)
    seconds = time.perf_counter() - start
    rounds = []
    for stage, space in enumerate(result.spaces, 1):
        done = [r for r in result.rows if r["stage"] == stage and r["state"] == "complete"]
        best = max(done, key=lambda r: r["val_accuracy"])
        rounds.append(
            {
                "lr_range": space.to_specs()["lr"],
                "best_val_accuracy": best["val_accuracy"],
                "best_lr": best["params"]["lr"],
            }
        )
    (test,), _ = evaluate_models([load(result.best["run"])])
    return {"rounds": rounds, "test_accuracy": test["accuracy"], "seconds": round(seconds, 1)}


def table(results: dict) -> str:
    lines = [
        "| start | variant | round | lr range searched | best val acc (mean ± sd) | best lr"
        " (median) |",
        "|---|---|---|---|---|---|",
    ]
    for key, runs in results.items():
        case, name = key.split(" / ")
        for i in range(len(runs[0]["rounds"])):
            accs = np.array([r["rounds"][i]["best_val_accuracy"] for r in runs])
            lrs = np.median([r["rounds"][i]["best_lr"] for r in runs])
            ranges = sorted({r["rounds"][i]["lr_range"] for r in runs})
            shown = ranges[0] if len(ranges) == 1 else f"{ranges[0]} … ({len(ranges)} seeds)"
            lines.append(
                f"| {case} | {name} | {i + 1} | {shown} | {accs.mean():.3f} ± {accs.std():.3f}"
                f" | {lrs:.2g} |"
            )
    lines += ["", "| start / variant | test accuracy of the best trial (mean ± sd) | seconds |"]
    lines.append("|---|---|---|")
    for name, runs in results.items():
        test = np.array([r["test_accuracy"] for r in runs])
        secs = np.mean([r["seconds"] for r in runs])
        lines.append(f"| {name} | {test.mean():.3f} ± {test.std():.3f} | {secs:.0f} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--out", default="benchmarks/results/search_edges.json")
    args = parser.parse_args()
    results = {f"{case} / {name}": [] for case in CASES for name in VARIANTS}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:  # the variants interleaved: the same machine load for both
            for case, ranges in CASES.items():
                for name, extend in VARIANTS.items():
                    key = f"{case} / {name}"
                    results[key].append(run_variant(ranges, extend, seed, args, Path(tmp)))
                    test = results[key][-1]["test_accuracy"]
                    print(f"seed {seed} {key}: test {test:.4f}", flush=True)
    document = {
        "cases": CASES,
        "data": "digits",
        "rounds": args.rounds,
        "trials_per_round": args.trials,
        "epochs": args.epochs,
        "seeds": args.seeds,
        "machine": platform.processor() or platform.machine(),
        "results": results,
    }
    Path(args.out).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(table(results))


if __name__ == "__main__":
    main()
