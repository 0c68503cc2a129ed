"""Search hyperparameters: random (or TPE) trials, coarse-to-fine, in parallel or across machines.

Ranges are NAME=SPEC arguments or a TOML file's [space] table:

  mlplab search lr=log:1e-5..1e-1 weight_decay=log:1e-6..1e-2 dropout=0..0.6 \\
      'hidden=choice:[256,256]|[512,512]' --trials 30 --epochs 3 \\
      --fine-trials 10 --fine-epochs 15 --jobs 2 --out searches/digits

Running the same command again resumes an interrupted search from its storage. Several machines
share one search with --storage postgresql://USER:PASSWORD@HOST/DB and the same --study.
"""

from pathlib import Path

NAME = "search"
HELP = "search hyperparameters (random/TPE, coarse-to-fine, parallel, resumable)"


def add_arguments(parser):
    parser.add_argument(
        "ranges", nargs="*", metavar="NAME=SPEC",
        help="a range to search (lr=log:1e-5..1e-1, dropout=0..0.6, hidden=choice:[64]|[128], "
        "epochs=int:2..8) or a fixed value (epochs=5)",
    )  # fmt: skip
    parser.add_argument("--space", metavar="FILE", help="TOML file with a [space] table of ranges")
    parser.add_argument("--config", metavar="FILE", help="base training config (TOML)")
    parser.add_argument("--data", help="dataset for every trial (built-in name or file)")
    parser.add_argument("--trials", type=int, default=20, help="trials of the coarse stage")
    parser.add_argument("--epochs", type=int, help="epochs per coarse trial (short runs)")
    parser.add_argument(
        "--fine-trials", type=int, default=0, help="trials of the fine stage (0: no fine stage)"
    )
    parser.add_argument("--fine-epochs", type=int, help="epochs per fine trial (longer runs)")
    parser.add_argument(
        "--top-fraction", type=float, default=0.25,
        help="the fine ranges enclose this fraction of the best coarse trials (at least 3)",
    )  # fmt: skip
    parser.add_argument("--sampler", default="random", choices=["random", "tpe"])
    parser.add_argument("--pruner", default="median", choices=["median", "hyperband", "none"])
    parser.add_argument("--jobs", "-j", type=int, default=1, help="parallel trials on this machine")
    parser.add_argument(
        "--storage", metavar="URL",
        help="shared storage: a journal file path (default OUT/study.journal) or "
        "postgresql://USER:PASSWORD@HOST/DB for several machines",
    )  # fmt: skip
    parser.add_argument("--study", default="search", help="study name inside the storage")
    parser.add_argument("--out", default="searches/search", help="output directory")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sampler")
    parser.add_argument(
        "--tensorboard",
        metavar="DIR",
        help="TensorBoard event files: one folder per trial, hyperparameters for HParams",
    )
    parser.add_argument(
        "--same-seed", action="store_true",
        help="every trial initializes from the config's seed (default: seed + trial number)",
    )  # fmt: skip
    parser.add_argument("--top", type=int, default=5, help="rows in the table of best trials")


def run(args) -> int:
    from mlplab.commands._output import emit, format_table
    from mlplab.errors import ConfigError
    from mlplab.search.driver import SearchSettings, Stage
    from mlplab.search.run import search
    from mlplab.search.space import SearchSpace, load_space_file, merge, parse_assignments
    from mlplab.search.training import base_config, with_values

    space, extra = load_space_file(args.space) if args.space else (SearchSpace(), {})
    unknown = sorted(set(extra) - {"config"})
    if unknown:
        raise ConfigError(
            f"{args.space}: unknown table(s) {', '.join(f'[{t}]' for t in unknown)}"
            " (a search file holds [space] and [config])"
        )
    space = merge(space, parse_assignments(args.ranges))
    config = base_config(args.config, extra.get("config"), data=args.data)
    if args.tensorboard:
        config = with_values(config, {"output.tensorboard": str(Path(args.tensorboard).resolve())})
    for name, value in (("--trials", args.trials), ("--fine-trials", args.fine_trials + 1)):
        if value < 1:
            raise ConfigError(f"{name}: expected a positive number, got {value}")
    stages = [Stage(args.trials, args.epochs)]
    if args.fine_trials:
        stages.append(Stage(args.fine_trials, args.fine_epochs))
    settings = SearchSettings(
        stages=stages, sampler=args.sampler, pruner=args.pruner, jobs=args.jobs,
        storage=args.storage, study=args.study, out=args.out, seed=args.seed,
        top_fraction=args.top_fraction, vary_seed=not args.same_seed,
    )  # fmt: skip
    resumed = Path(args.out, "study.journal").exists() or bool(args.storage)
    result = search(space, config, settings)
    out = Path(args.out)
    names = sorted({n for s in result.spaces for n in s.ranges})
    top = result.top(args.top)
    counts = {}
    for r in result.rows:
        counts[r["state"]] = counts.get(r["state"], 0) + 1
    data = {
        "out": str(out),
        "trials": counts,
        "ranges": [s.to_specs() for s in result.spaces],
        "best": _plain_row(result.best),
        "top": [_plain_row(r) for r in top],
        "failed": [_plain_row(r) for r in result.rows if r["state"] == "fail"],
        "files": {k: str(out / f) for k, f in _FILES.items() if (out / f).exists()},
    }
    rows = [
        [r["stage"], r["trial"], r["val_accuracy"], _blank(r["test_accuracy"])]
        + [_show(r["params"].get(n)) for n in names]
        for r in top
    ]
    lines = [
        f"search {'resumed from' if resumed else 'stored in'} {settings.storage or out}",
        "trials: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())),
    ]
    for i, s in enumerate(result.spaces, 1):
        lines.append(f"stage {i} ranges: " + ", ".join(f"{k}={v}" for k, v in s.to_specs().items()))
    lines += ["", format_table(["stage", "trial", "val acc", "test acc"] + names, rows), ""]
    lines += [
        f"failed trial {r['trial']} (stage {r['stage']}): {r['reason']}" for r in data["failed"]
    ]
    lines += [f"{k}: {v}" for k, v in data["files"].items()]
    emit(args, data, "\n".join(lines))
    return 0 if counts.get("complete") else 1  # not one trial finished: a failed search


_FILES = {"trials": "trials.csv", "plot": "search.png", "best config": "best.toml"}


def _plain_row(row):
    if row is None:
        return None
    return {k: v for k, v in row.items() if k != "config"} | {"config": row.get("config")}


def _show(value):
    if isinstance(value, float):
        return float(f"{value:.3g}")
    return value if value is not None else ""


def _blank(value):
    return "" if value is None else value
