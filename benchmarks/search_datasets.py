"""The one-command search on every dataset of the accuracy benchmark: data in, best model out.

For each dataset (``accuracy_data.py``, the split of seed 0, the same rows as the accuracy
table's), exactly what a user types with no range and no trial count:

    mlplab search --data split.npz --budget B --ensemble K --out DIR --json

(the default space: learning rate and weight decay log-uniform, dropout, width; validation
accuracy picks the trials; the ensemble of the best K is evaluated once, on the test rows).
Reported per dataset: the trials that finished, the best trial's validation accuracy, the final
ensemble's test accuracy, and the wall time; beside it the default ``mlplab train``'s test
accuracy on the same split (from ``results/accuracy-<label>.json``, seed 0) when given.

    PYTHONPATH=src python benchmarks/search_datasets.py --budget 1m --ensemble 3
    PYTHONPATH=src python benchmarks/search_datasets.py --datasets iris digits --budget 30s
    PYTHONPATH=src python benchmarks/search_datasets.py --datasets large --budget 5m \\
        --out benchmarks/results/search_datasets-large.json   # one minute completes 2 trials
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from accuracy_data import DATASETS, describe, save_npz  # noqa: E402

RESULTS = Path(__file__).parent / "results"


def search_one(name: str, budget: str, ensemble: int, seed: int = 0) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        data = save_npz(name, seed, Path(tmp) / f"{name}.npz")
        command = [sys.executable, "-m", "mlplab", "search", "--data", str(data),
                   "--budget", budget, "--ensemble", str(ensemble),
                   "--out", str(Path(tmp) / "search"), "--json"]  # fmt: skip
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:], "seconds": seconds}
    out = json.loads(done.stdout)
    return {
        "trials": out["trials"],
        "best_val_accuracy": out["best"]["val_accuracy"],
        "best_params": out["best"]["params"],
        "test_accuracy": out["final"]["test_accuracy"],
        "members": len(out["final"].get("members") or [1]),
        "edges": [e["message"] for e in out["edges"]],
        "near_chance": out.get("near_chance"),
        "seconds": seconds,
    }


def default_accuracy(path: Path | None, name: str, seed: int = 0):
    if path is None or not path.exists():
        return None
    entry = json.loads(path.read_text())["results"].get(name)
    if not entry:
        return None
    runs = next(iter(entry["models"].values()))
    return runs[seed]["accuracy"] if len(runs) > seed else None


def table(results: dict, budget: str, ensemble: int) -> str:
    lines = [
        f"| dataset | rows × features, classes | default `mlplab train` (test) | `mlplab search"
        f" --budget {budget} --ensemble {ensemble}` (test) | best trial (val) | trials | time |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        info = describe(name)
        shape = f"{info['rows']:,} × {info['features']}, {info['classes']}"
        default = "–" if r.get("default") is None else f"{r['default']:.3f}"
        if "error" in r:
            lines.append(f"| {name} | {shape} | {default} | failed: {r['error']} | | | |")
            continue
        done = r["trials"].get("complete", 0)
        stopped = sum(v for k, v in r["trials"].items() if k != "complete")
        lines.append(
            f"| {name} | {shape} | {default} | {r['test_accuracy']:.3f} |"
            f" {r['best_val_accuracy']:.3f} | {done} complete, {stopped} pruned or stopped |"
            f" {r['seconds']:.0f} s |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS))
    parser.add_argument("--budget", default="1m")
    parser.add_argument("--ensemble", type=int, default=3)
    parser.add_argument(
        "--defaults", type=Path, default=RESULTS / "accuracy-mlplab-after.json",
        help="the accuracy benchmark's mlplab results (the default column)",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, default=RESULTS / "search_datasets.json")
    args = parser.parse_args(argv)
    results = {}
    for name in args.datasets:
        results[name] = search_one(name, args.budget, args.ensemble)
        results[name]["default"] = default_accuracy(args.defaults, name)
        r = results[name]
        print(f"{name}: {r.get('test_accuracy', r.get('error'))} in {r['seconds']:.0f} s",
              file=sys.stderr, flush=True)  # fmt: skip
    print(table(results, args.budget, args.ensemble))
    meta = {"budget": args.budget, "ensemble": args.ensemble, "seed": 0}
    args.out.write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
