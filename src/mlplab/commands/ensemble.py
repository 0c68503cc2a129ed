"""Combine trained models into one: their class probabilities are averaged.

  mlplab ensemble runs/a runs/b runs/c --out ensembles/abc
  mlplab ensemble --search searches/digits --top 5 --out ensembles/top5
  mlplab ensemble --snapshots runs/cyclic --count 5 --out ensembles/snapshots

The result is used like a model: mlplab evaluate ENS, mlplab predict ENS INPUT,
mlplab.load(ENS). The table compares each member with the ensemble on the first member's test
split (or --data).
"""

NAME = "ensemble"
HELP = "average the predictions of several runs (or a search's best trials, or snapshots)"


def add_arguments(parser):
    parser.add_argument("runs", nargs="*", metavar="RUN", help="run directories or model files")
    parser.add_argument("--search", metavar="DIR", help="take the best trials of this search")
    parser.add_argument("--top", type=int, default=5, help="how many trials with --search")
    parser.add_argument(
        "--snapshots", metavar="RUN",
        help="a run trained with a restarting cosine schedule and per-epoch checkpoints",
    )  # fmt: skip
    parser.add_argument("--count", type=int, help="how many cycle-end snapshots (default all)")
    parser.add_argument("--weights", help="comma-separated member weights (default equal)")
    parser.add_argument("--out", required=True, help="the ensemble directory to write")
    parser.add_argument("--force", action="store_true", help="replace an existing ensemble")
    parser.add_argument("--data", help="evaluate on this data instead of the runs' own test split")


def run(args) -> int:
    import sys
    from pathlib import Path

    from mlplab.commands._output import emit, format_table
    from mlplab.ensembles import Ensemble, cycle_ends, snapshot_ensemble
    from mlplab.ensembles.evaluate import evaluate_models
    from mlplab.errors import ConfigError
    from mlplab.io import load
    from mlplab.search.results import top_runs

    sources = list(args.runs)
    for source in sources:  # name a missing run before counting them
        if not Path(source).exists():
            raise ConfigError(f"{source}: no such run directory or model file")
    if args.search:
        if args.top < 1:
            raise ConfigError(f"--top: expected at least 1, got {args.top}")
        best = top_runs(args.search, args.top)
        if len(best) < args.top:
            print(
                f"mlplab ensemble: {args.search} has {len(best)} complete trials in its last "
                f"stage (pruned and failed ones do not count): using {len(best)}, not {args.top}",
                file=sys.stderr,
            )
        sources += best
    if args.snapshots:
        if sources:
            raise ConfigError("--snapshots: give one run alone, not together with RUN or --search")
        checkpoints = cycle_ends(Path(args.snapshots) / "checkpoints", args.count)
        ensemble = snapshot_ensemble(load(args.snapshots), checkpoints)
        members = [str(p) for p in checkpoints]
    else:
        if len(sources) < 2:
            raise ConfigError("ensemble: give at least two runs (or --search DIR, --snapshots RUN)")
        weights = None
        if args.weights:
            try:
                weights = [float(w) for w in args.weights.split(",")]
            except ValueError:
                raise ConfigError(f"--weights: expected numbers, got {args.weights!r}") from None
        ensemble = Ensemble([load(s) for s in sources], weights, sources=sources)
        members = list(sources)
    out = ensemble.save(args.out, force=args.force)
    results, where = evaluate_models([*ensemble.members, ensemble], data=args.data)
    rows, data = [], {"out": str(out), "kind": ensemble.kind, "evaluated_on": where, "members": []}
    for label, weight, result in zip(members, [*ensemble.weights, 1.0], results, strict=False):
        data["members"].append({"source": label, "weight": float(weight), **_short(result)})
        rows.append([label, float(weight), result["accuracy"], result["loss"]])
    data["ensemble"] = _short(results[-1])
    rows.append([f"ensemble of {len(ensemble)}", 1.0, results[-1]["accuracy"], results[-1]["loss"]])
    text = format_table(["model", "weight", "accuracy", "loss"], rows)
    emit(args, data, f"{text}\n\nevaluated on {where}\nwritten to {out}")
    return 0


def _short(result: dict) -> dict:
    return {k: result[k] for k in ("accuracy", "loss", "examples") if k in result}
