"""Without a nonlinearity a deep network collapses to one matrix: train the same network with
identity and with ReLU units on a dataset no line separates, multiply the identity network's
weight matrices into one W (and one bias b), check its scores equal x W + b to rounding, and
compare the accuracies with a linear softmax classifier and with chance.
"""

NAME = "linear-collapse"
HELP = "a deep identity-activation network is one matrix x W + b, and fails where ReLU succeeds"


def add_arguments(parser):
    parser.add_argument("--dataset", default="circles", help="built-in dataset (circles)")
    parser.add_argument("--hidden", default="100,100", help="hidden sizes, comma-separated")
    parser.add_argument("--epochs", type=int, default=100, help="epochs for every model")
    parser.add_argument("--lr", type=float, default=0.01, help="Adam's learning rate")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split and weights")


def run(args) -> int:
    from mlplab.commands._output import emit, format_table
    from mlplab.commands.sanity import _hidden
    from mlplab.data.builtin import DATASETS
    from mlplab.diagnostics.linear_collapse import linear_versus_relu
    from mlplab.errors import ConfigError

    hidden = _hidden(args.hidden)
    if not hidden or args.epochs < 1 or not args.lr > 0:
        raise ConfigError(
            f"--hidden needs at least one layer, --epochs ≥ 1 and --lr > 0, "
            f"got {args.hidden!r}, {args.epochs}, {args.lr}"
        )
    result = linear_versus_relu(
        DATASETS.get(args.dataset)(seed=args.seed), hidden, args.epochs, args.lr, args.seed
    )
    result["dataset"] = args.dataset
    layers = range(1, len(hidden) + 2)
    product = " ".join(f"W{i}" for i in layers)
    lecture = " ".join(f"W{i}" for i in reversed(layers))
    shape = "x".join(map(str, result["product_shape"]))
    verdict = "equal to rounding" if result["collapses"] else "NOT equal"
    text = "\n".join(
        [
            f"{args.dataset}, hidden {hidden}, {args.epochs} epochs, chance {result['chance']:.4f}",
            "",
            format_table(
                ["model", "parameters", "train acc.", "test acc."],
                [
                    (r["model"], r["parameters"], r["train_accuracy"], r["test_accuracy"])
                    for r in result["results"]
                ],
            ),
            "",
            f"identity network = one {shape} matrix W = {product} (the lecture's {lecture}, "
            f"transposed) of rank "
            f"{result['product_rank']}, plus a bias: its scores and x W + b are {verdict} "
            f"(max relative difference {result['max_relative_difference']:.1e})",
        ]
    )
    emit(args, result, text)
    return 0 if result["collapses"] else 1
