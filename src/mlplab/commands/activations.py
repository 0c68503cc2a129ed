"""Reproduce the lecture's activation-statistics experiment: a deep net of [affine (no bias) →
activation] layers fed a unit-Gaussian batch, and the mean, std, saturated and dead fractions of
every layer's activations for a chosen initialization (or several, side by side).

Saturated: tanh/sigmoid outputs within 0.01 of a limit (fraction of all outputs). Dead: units
that output 0 for the whole batch (fraction of units). With --backward, a unit-Gaussian gradient
is fed in at the top and the std of dL/dH and dL/dW (summed over the batch) is shown per layer.
"""

NAME = "activations"
HELP = "activation statistics of a deep net per layer, for one or several initializations"


def add_arguments(parser):
    parser.add_argument("--activation", default="tanh", help="tanh, sigmoid, relu, ... (tanh)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--init", default=None, help="init spec NAME or NAME:ARG, e.g. normal:0.01, xavier, he"
    )
    which.add_argument(
        "--compare", default=None, metavar="SPECS", help="several init specs, e.g. xavier,he"
    )
    parser.add_argument("--depth", type=int, default=10, help="hidden layers (10)")
    parser.add_argument("--width", type=int, default=500, help="units per layer and inputs (500)")
    parser.add_argument("--samples", type=int, default=1000, help="examples in the batch (1000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (0)")
    parser.add_argument(
        "--backward", action="store_true", help="also the std of dL/dH and dL/dW per layer"
    )
    parser.add_argument(
        "--batchnorm", action="store_true", help="insert batch norm before each nonlinearity"
    )
    parser.add_argument("--plot", metavar="FILE.png", help="draw layer mean/std and histograms")


def init_specs(args) -> list[str]:
    """The init specs to run: ``--compare`` split on commas, else ``--init`` (normal:0.01)."""
    from mlplab.errors import ConfigError

    if args.compare is None:
        return [args.init or "normal:0.01"]
    specs = [s.strip() for s in args.compare.split(",")]
    if not all(specs):
        raise ConfigError(f"--compare {args.compare!r}: an init spec is empty")
    return list(dict.fromkeys(specs))


def run(args) -> int:
    from mlplab.commands._output import emit
    from mlplab.diagnostics.activation_statistics import activation_statistics
    from mlplab.init import get_initializer
    from mlplab.plots.activation_statistics import check_png_path, plot_activation_statistics

    specs = init_specs(args)
    for spec in specs:
        get_initializer(spec)
    if args.plot:
        check_png_path(args.plot)
    runs = [
        activation_statistics(
            activation=args.activation,
            init=spec,
            depth=args.depth,
            width=args.width,
            samples=args.samples,
            seed=args.seed,
            backward=args.backward,
            batchnorm=args.batchnorm,
        )
        for spec in specs
    ]
    text = format_runs(runs, args.backward)
    if args.plot:
        plot_activation_statistics(runs, args.plot)
        text += f"\n\nfigure written to {args.plot}"
    data = runs[0].to_dict() if args.compare is None else {r.init: r.to_dict() for r in runs}
    emit(args, data, text)
    return 0


def format_runs(runs, backward: bool) -> str:
    """The lecture's table (input, then each hidden layer), one column group per init."""
    from mlplab.commands._output import format_table

    first = runs[0]
    title = (
        f"{first.activation}, {first.depth} hidden layers of {first.width} units"
        f"{' with batch norm' if first.batchnorm else ''}, {first.samples} samples, "
        f"seed {first.seed}"
    )
    many = len(runs) > 1
    saturating = first.layers[0].saturated is not None
    if many:  # side by side: only what tells the inits apart
        columns = ["mean", "std", "saturated" if saturating else "dead"]
        columns += ["dL/dW std"] if backward else []
    else:
        columns = ["mean", "std", "saturated", "dead"]
        columns += ["dL/dH std", "dL/dW std"] if backward else []
    headers = ["layer"] + [f"{r.init} {c}" if many else c for r in runs for c in columns]
    rows = [["input"] + [v for r in runs for v in _input_cells(r, len(columns))]]
    for i in range(first.depth):
        row = [str(i + 1)]
        for r in runs:
            layer = r.layers[i]
            cells = {
                "mean": _number(layer.mean),
                "std": _number(layer.std),
                "saturated": _percent(layer.saturated),
                "dead": _percent(layer.dead),
                "dL/dH std": _number(layer.grad_activation_std),
                "dL/dW std": _number(layer.grad_weight_std),
            }
            row += [cells[c] for c in columns]
        rows.append(row)
    if not many:
        title += f", init {first.init}"
    note = (
        "saturated: outputs within 0.01 of the activation's limits (tanh, sigmoid only); "
        "dead: units that output 0 for the whole batch"
    )
    return f"{title}\n\n{format_table(headers, rows)}\n\n{note}"


def _input_cells(run, count):
    return [_number(run.input_mean), _number(run.input_std)] + [""] * (count - 2)


def _number(value) -> str:
    if value is None:
        return "-"
    return f"{value:.6f}" if value == 0 or 1e-3 <= abs(value) < 1e3 else f"{value:.3e}"


def _percent(value) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"
