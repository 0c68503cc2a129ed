"""Check every built-in layer, loss and a small network against finite differences (float64)."""

NAME = "gradcheck"
HELP = "gradient-check every layer, loss and a small network"


def add_arguments(parser):
    parser.add_argument("--seed", type=int, default=0, help="random seed for the inputs")


def run(args) -> int:
    from mlplab.commands._output import emit, format_table
    from mlplab.diagnostics.gradcheck_suite import run_suite
    from mlplab.errors import ConfigError

    if args.seed < 0:
        raise ConfigError(f"--seed: expected an integer >= 0, got {args.seed}")
    results = run_suite(seed=args.seed)
    failed = [r for r in results if not r.passed]
    rows = [(r.what, r.parameter, r.max_relative_error, r.passed) for r in results]
    text = format_table(["what", "parameter", "max rel. error", "result"], rows)
    text += (
        f"\n\n{len(results) - len(failed)} of {len(results)} checks passed "
        f"(tolerance {results[0].tolerance:g})."
    )
    emit(args, {"passed": not failed, "results": [r.to_dict() for r in results]}, text)
    return 1 if failed else 0
