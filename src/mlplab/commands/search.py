"""Search hyperparameters: random (or TPE) trials, coarse-to-fine, in parallel or across machines.

With no range it searches the default space (learning rate and weight decay log-uniform, dropout,
width); --budget stops by time, --ensemble K ends with the ensemble of the best K trials:

  mlplab search --data digits --budget 10m --ensemble 4 --out searches/digits

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
    parser.add_argument(
        "--trials", type=int,
        help="trials of the coarse stage (default 20; with --budget: as many as time allows)",
    )  # fmt: skip
    parser.add_argument(
        "--budget", metavar="TIME",
        help="stop by wall time (30s, 10m, 1h): no trial starts after it, a running trial stops"
        " at its next epoch; with a fine stage, each stage gets half",
    )  # fmt: skip
    parser.add_argument(
        "--ensemble", type=int, metavar="K",
        help="end by writing OUT/ensemble, the ensemble of the best K trials",
    )  # fmt: skip
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
    from mlplab.errors import ConfigError
    from mlplab.search.driver import SearchSettings
    from mlplab.search.edges import edges
    from mlplab.search.final import final_model
    from mlplab.search.run import search

    space, config = _space_and_config(args)
    stages, budget = _stages(args)
    if args.ensemble is not None and args.ensemble < 1:
        raise ConfigError(f"--ensemble: expected at least 1 trial, got {args.ensemble}")
    last = stages[-1].trials
    if args.ensemble is not None and budget is None and args.ensemble > last:
        raise ConfigError(f"--ensemble {args.ensemble}: more than the {last} trials of the search")
    settings = SearchSettings(
        stages=stages, sampler=args.sampler, pruner=args.pruner, jobs=args.jobs,
        storage=args.storage, study=args.study, out=args.out, seed=args.seed,
        top_fraction=args.top_fraction, vary_seed=not args.same_seed, budget_s=budget,
    )  # fmt: skip
    resumed = Path(args.out, "study.journal").exists() or bool(args.storage)
    result = search(space, config, settings)
    counts = {}
    for r in result.rows:
        counts[r["state"]] = counts.get(r["state"], 0) + 1
    if not counts.get("complete"):
        if budget is not None:
            raise ConfigError(_too_short(args.budget, result.rows))
        _emit(args, result, counts, resumed)
        return 1  # not one trial finished: a failed search
    found = edges(result.spaces[-1], result.best["params"])
    warning = _chance_warning(config, result.best)
    final = final_model(result, args.ensemble)
    _emit(args, result, counts, resumed, found, final, warning)
    return 0


def _chance_warning(config: dict, best: dict) -> str | None:
    """``search/chance.py``'s warning when the best trial is near guessing the commonest class
    of the validation rows (read once more from the trials' data)."""
    from mlplab.search.chance import chance_accuracy, near_chance
    from mlplab.search.training import run_config

    y_val = run_config(config).data.load().y_val
    return near_chance(best["val_accuracy"], chance_accuracy(y_val))


def _emit(args, result, counts, resumed, found=(), final=None, warning=None):
    from mlplab.commands._output import emit

    data = _data(args, result, counts, found, final) | {"near_chance": warning}
    text = _text(args, result, counts, found, final, resumed)
    short = (final or {}).get("short")
    for line in (short, warning):
        text = text if line is None else f"{text}\nwarning: {line}"
    emit(args, data, text)


def _space_and_config(args):
    """The space (the default one when no range is given) and the trials' base config."""
    from mlplab.errors import ConfigError
    from mlplab.search.space import (
        SearchSpace,
        default_space,
        load_space_file,
        merge,
        parse_assignments,
    )
    from mlplab.search.training import base_config, with_values

    space, extra = load_space_file(args.space) if args.space else (SearchSpace(), {})
    unknown = sorted(set(extra) - {"config"})
    if unknown:
        raise ConfigError(
            f"{args.space}: unknown table(s) {', '.join(f'[{t}]' for t in unknown)}"
            " (a search file holds [space] and [config])"
        )
    space = merge(space, parse_assignments(args.ranges))
    if not space.ranges:  # fixed values only (or nothing): the default ranges around them
        space = merge(default_space(), space)
    config = base_config(args.config, extra.get("config"), data=args.data)
    if args.tensorboard:
        config = with_values(config, {"output.tensorboard": str(Path(args.tensorboard).resolve())})
    return space, config


def _stages(args):
    """The stages and the budget in seconds (None without --budget)."""
    from mlplab.errors import ConfigError
    from mlplab.search.budget import parse_duration
    from mlplab.search.driver import Stage

    budget = parse_duration(args.budget) if args.budget is not None else None
    trials = args.trials if args.trials is not None or budget is not None else 20
    for name, value in (("--trials", trials), ("--fine-trials", args.fine_trials + 1)):
        if value is not None and value < 1:
            raise ConfigError(f"{name}: expected a positive number, got {value}")
    stages = [Stage(trials, args.epochs)]
    if args.fine_trials:
        stages.append(Stage(args.fine_trials, args.fine_epochs))
    return stages, budget


def _too_short(budget: str, rows) -> str:
    reached = max((r["epochs"] or 0 for r in rows), default=0)
    return (
        f"--budget {budget}: not one trial finished in time ({len(rows)} started, the furthest"
        f" reached epoch {reached}); give a longer budget or fewer --epochs"
    )


def _data(args, result, counts, found, final) -> dict:
    out = Path(args.out)
    return {
        "out": str(out),
        "trials": counts,
        "ranges": [s.to_specs() for s in result.spaces],
        "best": _plain_row(result.best),
        "top": [_plain_row(r) for r in result.top(args.top)],
        "failed": [_plain_row(r) for r in result.rows if r["state"] == "fail"],
        "edges": [
            {
                "name": e.name,
                "value": e.value,
                "side": e.side,
                "range": e.spec,
                "message": e.message(),
            }
            for e in found
        ],  # fmt: skip
        "final": final,
        "files": {k: str(out / f) for k, f in _FILES.items() if (out / f).exists()},
    }


def _text(args, result, counts, found, final, resumed) -> str:
    from mlplab.commands._output import format_table

    names = sorted({n for s in result.spaces for n in s.ranges})
    rows = [
        [r["stage"], r["trial"], r["val_accuracy"]] + [_show(r["params"].get(n)) for n in names]
        for r in result.top(args.top)
    ]
    lines = [
        f"search {'resumed from' if resumed else 'stored in'} {args.storage or args.out}",
        "trials: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())),
    ]
    for i, s in enumerate(result.spaces, 1):
        lines.append(f"stage {i} ranges: " + ", ".join(f"{k}={v}" for k, v in s.to_specs().items()))
    lines += ["", format_table(["stage", "trial", "val acc"] + names, rows), ""]
    lines += [f"edge: {e.message()}" for e in found]
    lines += [
        f"failed trial {r['trial']} (stage {r['stage']}): {r['reason']}"
        for r in result.rows
        if r["state"] == "fail"
    ]
    if final is not None:
        lines.append(_final_line(final))
    out = Path(args.out)
    lines += [f"{k}: {out / f}" for k, f in _FILES.items() if (out / f).exists()]
    return "\n".join(lines)


def _final_line(final: dict) -> str:
    line = f"final model ({final['kind']}): {final['path']}"
    if final.get("test_accuracy") is not None:
        line += (
            f"\ntest accuracy {final['test_accuracy']:.4f}, loss {final['test_loss']:.4f}"
            f" (measured once, on {final['evaluated_on']}; trials were compared on validation)"
        )
    elif final.get("no_test"):
        line += f"\nnot tested: {final['no_test']}"
    return line


_FILES = {"trials": "trials.csv", "plot": "search.png", "best config": "best.toml"}


def _plain_row(row):
    if row is None:
        return None
    return {k: v for k, v in row.items() if k != "config"} | {"config": row.get("config")}


def _show(value):
    if isinstance(value, float):
        return float(f"{value:.3g}")
    return value if value is not None else ""
