"""Accuracy out of the box: mlplab's default beside four peers on the datasets of
``accuracy_data.py``.

For each dataset and seed, one stratified train/test split (the same for every model) and:

- **mlplab**: exactly what ``mlplab train --data split.npz --seed S --data-seed S`` does — the
  run config's defaults through ``mlplab.train`` (the CLI's pipeline); the validation rows it
  holds out come from the training split;
- **sk-MLP**: ``StandardScaler`` + scikit-learn's ``MLPClassifier()`` default;
- **HGB**: ``HistGradientBoostingClassifier()`` default;
- **LogReg**: ``StandardScaler`` + ``LogisticRegression(max_iter=5000)``;
- **torch**: a PyTorch MLP recipe (``torch_mlp``): two hidden layers of 256, ReLU, dropout 0.2,
  AdamW (lr 1e-3, weight decay 1e-2), batch 128, cosine decay over a budget of steps, early
  stopping on a 15 % validation split (patience 10 epochs) restoring the best epoch.

Each model's test accuracy: mean ± standard deviation over the seeds, and the mean wall time
of one fit (with its prediction), each fit in one thread, ``--jobs`` (2) fits side by side.
Prints a Markdown table and writes the raw numbers to
``benchmarks/results/accuracy-<label>.json``.

    PYTHONPATH=src python benchmarks/accuracy.py --label after          # ~20 min on 2 cores
    PYTHONPATH=src python benchmarks/accuracy.py --quick                # 6 datasets, 2 seeds
    PYTHONPATH=src python benchmarks/accuracy.py --models mlplab --datasets signals digits
    python benchmarks/accuracy.py --table benchmarks/results/accuracy-*.json   # merged
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from accuracy_data import DATASETS, QUICK, describe, save_npz, split  # noqa: E402

RESULTS = Path(__file__).parent / "results"
MODELS = ("mlplab", "sk-MLP", "HGB", "LogReg", "torch")


def fit_mlplab(name: str, seed: int, changes: dict | None = None) -> tuple[float, dict]:
    """``mlplab train --data <split>.npz --seed S --data-seed S --no-plots``; test accuracy.
    ``changes``: run-config keys to set first (dotted, e.g. ``{"training.steps": 8000}``)."""
    import mlplab

    with tempfile.TemporaryDirectory() as tmp:
        data = save_npz(name, seed, Path(tmp) / f"{name}.npz")
        config = mlplab.RunConfig()
        config.data.source, config.data.seed, config.training.seed = data, seed, seed
        config.output.dir, config.output.plots = str(Path(tmp) / "run"), False
        for dotted, value in (changes or {}).items():
            section, _, key = dotted.partition(".")
            setattr(getattr(config, section), key, value)
        run = mlplab.train(config)
        return float(run.test_accuracy), {"epochs": len(run.history)}


def fit_sklearn(model: str, name: str, seed: int) -> tuple[float, dict]:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x_train, y_train, x_test, y_test = split(name, seed)
    estimator = {
        "sk-MLP": lambda: make_pipeline(StandardScaler(), MLPClassifier(random_state=seed)),
        "HGB": lambda: HistGradientBoostingClassifier(random_state=seed),
        "LogReg": lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)),
    }[model]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLPClassifier's ConvergenceWarning at max_iter
        estimator.fit(x_train, y_train)
    return float(estimator.score(x_test, y_test)), {}


def fit_torch(name: str, seed: int) -> tuple[float, dict]:
    import torch
    from torch_mlp import fit_predict

    torch.set_num_threads(1)

    x_train, y_train, x_test, y_test = split(name, seed)
    predicted, epochs = fit_predict(x_train, y_train, x_test, seed)
    return float(np.mean(predicted == y_test)), {"epochs": epochs}


def fit(model: str, name: str, seed: int) -> dict:
    start = time.perf_counter()
    if model == "mlplab":
        accuracy, extra = fit_mlplab(name, seed)
    elif model == "torch":
        accuracy, extra = fit_torch(name, seed)
    else:
        accuracy, extra = fit_sklearn(model, name, seed)
    return {"accuracy": accuracy, "seconds": time.perf_counter() - start, **extra}


def _fit_task(task) -> dict:
    """One fit in one thread (OpenMP's spinning threads make HistGradientBoosting several
    times slower on a shared 2-core machine; ``--jobs`` fits run side by side instead)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return fit(*task)


def run_all(datasets, models, seeds, jobs: int, log, mlplab_name="mlplab") -> dict:
    """Every (dataset, model, seed) fit, ``jobs`` at a time (each in one thread)."""
    from multiprocessing import get_context

    tasks = [(model, name, seed) for name in datasets for model in models for seed in seeds]
    done = {}
    with get_context("fork").Pool(jobs, maxtasksperchild=20) as pool:
        for task, result in zip(tasks, pool.imap(_fit_task, tasks), strict=True):
            done[task] = result
            log(f"  {task[1]} {task[0]} seed {task[2]}: {result['accuracy']:.3f}, "
                f"{result['seconds']:.1f} s")  # fmt: skip
    results = {}
    for name in datasets:
        results[name] = {"info": describe(name), "models": {}}
        for model in models:
            runs = [done[(model, name, seed)] for seed in seeds]
            results[name]["models"][mlplab_name if model == "mlplab" else model] = runs
            acc = [r["accuracy"] for r in runs]
            log(f"{name:17s} {model:7s} {np.mean(acc):.3f} ± {np.std(acc):.3f}  "
                f"{np.mean([r['seconds'] for r in runs]):6.1f} s")  # fmt: skip
    return results


def table(results: dict) -> str:
    """Markdown: a row per dataset, ``mean ± sd (time)`` per model, the best mean in bold;
    then the mean accuracy and total time per model."""
    models = list(dict.fromkeys(m for r in results.values() for m in r["models"]))
    lines = ["| dataset | rows × features, classes | " + " | ".join(models) + " |",
             "|---|---|" + "---|" * len(models)]  # fmt: skip
    means = {m: [] for m in models}
    times = {m: 0.0 for m in models}
    for name, entry in results.items():
        info = entry["info"]
        cells, best = [], max(_mean(entry["models"][m]) for m in models if m in entry["models"])
        for m in models:
            runs = entry["models"].get(m)
            if not runs:
                cells.append("–")
                continue
            acc = [r["accuracy"] for r in runs]
            means[m].append(np.mean(acc))
            times[m] += sum(r["seconds"] for r in runs)
            text = f"{np.mean(acc):.3f} ± {np.std(acc):.3f}"
            text = f"**{text}**" if np.mean(acc) == best else text
            cells.append(f"{text} ({np.mean([r['seconds'] for r in runs]):.1f} s)")
        shape = f"{info['rows']:,} × {info['features']}, {info['classes']}"
        lines.append(f"| {name} | {shape} | " + " | ".join(cells) + " |")
    lines.append("| **mean accuracy** | | " + " | ".join(f"{np.mean(means[m]):.3f}" for m in models)
                 + " |")  # fmt: skip
    lines.append("| **total time** | | " + " | ".join(f"{times[m]:.0f} s" for m in models) + " |")
    return "\n".join(lines)


def merged(paths) -> dict:
    """The results of several JSON files, one table: each file's models added side by side."""
    results = {}
    for path in paths:
        for name, entry in json.loads(Path(path).read_text())["results"].items():
            results.setdefault(name, {"info": entry["info"], "models": {}})
            results[name]["models"].update(entry["models"])
    return results


def _mean(runs) -> float:
    return float(np.mean([r["accuracy"] for r in runs]))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="6 datasets, seeds 0 1")
    parser.add_argument("--datasets", nargs="+", choices=list(DATASETS))
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--seeds", nargs="+", type=int)
    parser.add_argument("--jobs", type=int, default=2, help="fits side by side (default 2)")
    parser.add_argument("--label", default="", help="names the JSON: accuracy-<label>.json")
    parser.add_argument("--mlplab-name", default="mlplab", help="mlplab's column (e.g. mlplab-0.x)")
    parser.add_argument(
        "--table", nargs="+", metavar="JSON", help="print the table of results files, merged"
    )
    args = parser.parse_args(argv)
    if args.table:
        print(table(merged(args.table)))
        return 0
    datasets = args.datasets or (QUICK if args.quick else list(DATASETS))
    seeds = args.seeds or ([0, 1] if args.quick else [0, 1, 2, 3, 4])
    start = time.perf_counter()
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    results = run_all(datasets, args.models, seeds, args.jobs, log, args.mlplab_name)
    print(table(results))
    if args.label:
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / f"accuracy-{args.label}.json"
        meta = {"seeds": seeds, "jobs": args.jobs, "seconds": time.perf_counter() - start,
                "cpus": os.cpu_count(), "machine": platform.platform()}  # fmt: skip
        out.write_text(json.dumps({"meta": meta, "results": results}, indent=1))
        print(f"\nraw numbers: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
