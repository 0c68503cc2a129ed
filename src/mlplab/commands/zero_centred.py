"""Sigmoid outputs are not zero-centred, so the gradient on the weights they feed has one sign:
measured as the fraction of per-example weight-gradient columns whose entries share a sign
(sigmoid and ReLU 1.0, tanh ≈ 0.5^(fan_in − 1)), and drawn as the zig-zag path of two weights
under SGD with all-positive against zero-centred inputs.
"""

NAME = "zero-centred"
HELP = "sigmoid vs tanh: one-sign weight gradients, and the zig-zag path of two weights"


def add_arguments(parser):
    parser.add_argument("--data", default="digits", help="built-in dataset or file (digits)")
    parser.add_argument("--fan-in", type=int, default=10, help="units feeding the layer (10)")
    parser.add_argument("--samples", type=int, default=200, help="examples, one gradient each")
    parser.add_argument("--steps", type=int, default=40, help="SGD steps of the two weights")
    parser.add_argument("--lr", type=float, default=0.5, help="their learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--paths-png", default="zig_zag.png", help="where to draw the paths")
    parser.add_argument("--no-plot", action="store_true", help="draw no figure")


def run(args) -> int:
    from mlplab.commands._output import emit, format_table
    from mlplab.commands.sanity import load_training_data
    from mlplab.diagnostics.zero_centred import same_sign_fraction, two_weight_paths
    from mlplab.errors import ConfigError

    if args.fan_in < 1 or args.samples < 1 or args.steps < 1 or not args.lr > 0:
        raise ConfigError(
            f"--fan-in, --samples and --steps must be at least 1 and --lr positive, got "
            f"{args.fan_in}, {args.samples}, {args.steps}, {args.lr}"
        )
    x, y, _ = load_training_data(args.data, args.seed)
    x, y = x[: args.samples], y[: args.samples]
    rows = [
        same_sign_fraction(activation, x, y, args.fan_in, args.seed)
        for activation in ("sigmoid", "tanh", "relu")
    ]
    walk = two_weight_paths(args.steps, args.lr, args.seed)
    data = {
        "data": args.data,
        "examples": len(x),
        "gradients": rows,
        "same_sign_steps": walk["same_sign_steps"],
        "final_weights": {k: p[-1].tolist() for k, p in walk["paths"].items()},
        "target": walk["target"].tolist(),
    }
    text = [
        f"{args.data}: {len(x)} examples, a layer fed by {args.fan_in} units, one gradient each",
        "",
        format_table(
            ["units", "columns", "one sign", "0.5^(fan_in-1)"],
            [
                (
                    r["activation"],
                    r["columns"],
                    r["same_sign_fraction"],
                    r["independent_signs_expectation"],
                )
                for r in rows
            ],
        ),
        "",
        f"two weights, {args.steps} SGD steps toward w* = (1, -1):",
    ]
    for name, points in walk["paths"].items():
        w1, w2 = points[-1]
        share = walk["same_sign_steps"][name]
        text.append(
            f"  {name} inputs: {share:.0%} of steps move both weights the same way, "
            f"end at ({w1:.3f}, {w2:.3f})"
        )
    if not args.no_plot:
        from mlplab.plots.weight_paths import plot_weight_paths

        path = plot_weight_paths(
            walk["paths"], walk["target"], args.paths_png, walk["same_sign_steps"]
        )
        data["paths_png"] = str(path)
        text.append(f"paths drawn to {path}")
    emit(args, data, "\n".join(text))
    return 0
