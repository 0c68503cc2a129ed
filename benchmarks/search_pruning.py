"""Does the median pruner stop trials that would have won? Pruned against unpruned, equal time.

For each dataset (``accuracy_data.py``, the accuracy benchmark's datasets and splits), two
random searches with the same wall-clock budget (``--budget``), run side by side (two processes, so
that on a shared machine both get the same share of it), the same ranges and the same sampler
seed: ``--pruner median`` (mlplab's default: from epoch 2, once 4 trials completed) and
``--pruner none``. The random sampler draws trial k's values from (seed, k) alone and trial k
initializes from seed + k, so trial k is the same run in both searches: a trial the pruned
search stopped can be looked up, run to the end, in the unpruned one. Reported per dataset:

- trials started / completed / pruned in the budget, best validation accuracy, and the best
  trial's test accuracy (the test split evaluated once, for that model);
- pruned trials that would have won: pruned trials whose full run (in the unpruned search)
  beats the pruned search's best validation accuracy, out of the pruned trials the unpruned
  search also ran; and how many of those are among the unpruned search's 5 best (the members
  ``--ensemble 5`` would have taken).

Writes ``benchmarks/results/search_pruning.json`` and prints a Markdown table.

    PYTHONPATH=src nice -n 10 python benchmarks/search_pruning.py   # 4 × 2 searches of 35 s
"""

import argparse
import json
import platform
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy_data import describe, save_npz  # noqa: E402

from mlplab.ensembles.evaluate import evaluate_models  # noqa: E402
from mlplab.io import load  # noqa: E402
from mlplab.search.driver import SearchSettings, Stage  # noqa: E402
from mlplab.search.run import search  # noqa: E402
from mlplab.search.space import parse_assignments  # noqa: E402

RANGES = ["lr=log:1e-4..3e-2", "weight_decay=log:1e-6..1e-2", "dropout=0..0.5"]
DATASETS = ("digits", "classification10", "signals", "shapes")
PRUNERS = ("median", "none")


def run_search(data: str, pruner: str, args, root: Path) -> dict:
    config = {"data": {"source": data}, "network": {"hidden": [128, 128]}}
    settings = SearchSettings(
        stages=[Stage(None, epochs=args.epochs)], sampler="random", pruner=pruner, jobs=1,
        seed=args.seed, budget_s=args.budget, out=str(root / f"{Path(data).stem}-{pruner}"),
    )  # fmt: skip
    start = time.perf_counter()
    with threadpool_limits(1):  # the two searches side by side share the cores, one each
        result = search(parse_assignments(RANGES), config, settings, plot=False)
    seconds = time.perf_counter() - start
    trials = {
        r["trial"]: {"state": r["state"], "val_accuracy": r["val_accuracy"], "reason": r["reason"]}
        for r in result.rows
    }
    best = result.best or {"trial": None, "val_accuracy": float("nan"), "run": None}
    test = evaluate_models([load(best["run"])])[0][0] if best["run"] else {"accuracy": np.nan}
    return {
        "seconds": round(seconds, 1),
        "trials": trials,
        "best_trial": best["trial"],
        "best_val_accuracy": best["val_accuracy"],
        "test_accuracy": test["accuracy"],
    }


def killed_winners(pruned: dict, full: dict) -> dict:
    """Pruned trials (not the ones the budget stopped) that ran to the end in ``full``, and
    those of them whose final validation accuracy beats ``pruned``'s best."""
    stopped = [
        k
        for k, t in pruned["trials"].items()
        if t["state"] == "pruned" and not t["reason"].startswith("stopped by the budget")
    ]
    checked = [k for k in stopped if full["trials"].get(k, {}).get("state") == "complete"]
    winners = [
        k for k in checked if full["trials"][k]["val_accuracy"] > pruned["best_val_accuracy"]
    ]
    done = [k for k, t in full["trials"].items() if t["state"] == "complete"]
    top5 = sorted(done, key=lambda k: -full["trials"][k]["val_accuracy"])[:5]
    return {
        "pruned": len(stopped),
        "checked": len(checked),
        "would_have_won": winners,
        "in_unpruned_top5": [k for k in checked if k in top5],  # lost ensemble members
    }


def counts(run: dict) -> str:
    states = [t["state"] for t in run["trials"].values()]
    budget = sum(t["reason"].startswith("stopped by the budget") for t in run["trials"].values())
    pruned = states.count("pruned") - budget
    return f"{len(states)} / {states.count('complete')} / {pruned}"


def table(results: dict) -> str:
    lines = [
        "| data | pruner | trials started / completed / pruned | best val acc | test acc of"
        " best | pruned trials that would have won |",
        "|---|---|---|---|---|---|",
    ]
    for name, pair in results.items():
        for pruner in ("median", "none"):
            run = pair[pruner]
            killed = ""
            if pruner == "median":
                k = pair["killed"]
                killed = (
                    f"{len(k['would_have_won'])} of {k['checked']} checked"
                    f" ({len(k['in_unpruned_top5'])} in the unpruned top 5)"
                )
            lines.append(
                f"| {name} | {pruner} | {counts(run)} | {run['best_val_accuracy']:.4f}"
                f" | {run['test_accuracy']:.4f} | {killed} |"
            )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--budget", type=float, default=35.0, help="seconds per search")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="benchmarks/results/search_pruning.json")
    parser.add_argument("--table", metavar="JSON", help="print the table of a results file")
    args = parser.parse_args()
    if args.table:
        results = json.loads(Path(args.table).read_text(encoding="utf-8"))["results"]
        for pair in results.values():
            pair["killed"] = killed_winners(pair["median"], pair["none"])
        print(table(results))
        return
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in args.datasets:
            data = save_npz(name, args.seed, root / f"{name}.npz")
            with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
                # side by side: on a shared machine both searches get the same share of it
                jobs = {p: pool.submit(run_search, data, p, args, root) for p in PRUNERS}
                pair = {p: job.result() for p, job in jobs.items()}
            pair["killed"] = killed_winners(pair["median"], pair["none"])
            results[name] = pair
            print(table({name: pair}).splitlines()[-2:], flush=True)
    document = {
        "ranges": RANGES,
        "network": [128, 128],
        "epochs": args.epochs,
        "budget_s": args.budget,
        "seed": args.seed,
        "datasets": {name: describe(name) for name in args.datasets},
        "machine": platform.processor() or platform.machine(),
        "results": results,
    }
    Path(args.out).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(table(results))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
