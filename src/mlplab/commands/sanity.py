"""Sanity checks before a long training: initial loss at chance, regularization raises the loss,
overfitting a tiny subset, and a learning-rate sweep (too low / workable / too high).

Features are standardized with the training split's mean and std first. Exit code 0 when every
check passes, 1 when one fails.
"""

NAME = "sanity"
HELP = "check a network and learning rate before a long training"


def add_arguments(parser):
    parser.add_argument(
        "--data", default="digits", help="built-in dataset or file (default digits)"
    )
    parser.add_argument("--hidden", default="100", help="hidden sizes, comma-separated (100)")
    parser.add_argument("--activation", default="relu")
    parser.add_argument("--init", default=None, help="initializer (default: by activation)")
    parser.add_argument("--norm", default="none", choices=["none", "batch"])
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument(
        "--output-scale", type=float, default=0.1,
        help="the output layer's initial weights times this (0.1, as mlplab train's)",
    )  # fmt: skip
    parser.add_argument("--loss", default="softmax")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--optimizer", default="adam")
    parser.add_argument("--lr", type=float, default=1e-3, help="the learning rate to check")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--subset", type=int, default=20, help="examples to overfit (20)")
    parser.add_argument(
        "--overfit-epochs", type=int, default=500, help="most full-batch steps to overfit (500)"
    )
    parser.add_argument(
        "--overfit-lr", type=float, default=1e-2, help="Adam's rate for the overfit check (1e-2)"
    )
    parser.add_argument(
        "--sweep", default="1e-6:10:8", help="learning-rate sweep LOW:HIGH:COUNT, log-spaced"
    )
    parser.add_argument("--sweep-steps", type=int, default=100, help="steps per swept rate")
    parser.add_argument("--l2-check", type=float, default=1.0, help="strong L2 for check 2")
    parser.add_argument(
        "--tolerance", type=float, default=0.1, help="initial-loss tolerance (0.1: within 10%%)"
    )


def _sweep(text):
    from mlplab.errors import ConfigError

    try:
        low, high, count = text.split(":")
        return float(low), float(high), int(count)
    except ValueError:
        raise ConfigError(
            f"--sweep: expected LOW:HIGH:COUNT like 1e-6:10:8, got {text!r}"
        ) from None


def _hidden(text):
    from mlplab.errors import ConfigError

    try:
        return [int(h) for h in text.split(",") if h.strip()]
    except ValueError:
        raise ConfigError(f"--hidden: expected sizes like 100,50, got {text!r}") from None


def load_training_data(spec, seed):
    """(X, y, classes) of the training split, standardized with its own mean and std."""
    import numpy as np

    try:
        from mlplab.data import load_data
    except ImportError:  # the data package is not part of this build yet
        load_data = None
    if load_data is not None:
        ds = load_data(spec, seed=seed)
        X, y, classes = np.asarray(ds.x_train, dtype=np.float64), ds.y_train, ds.n_classes
    elif spec == "digits":
        from sklearn.datasets import load_digits

        d = load_digits()
        X, y, classes = d.data.astype(np.float64), d.target, 10
    else:
        from mlplab.errors import ConfigError

        raise ConfigError(f"--data: only 'digits' is available in this build, got {spec!r}")
    std = X.std(axis=0)
    X = (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)
    return X, np.asarray(y, dtype=np.int64), int(classes)


def run(args) -> int:
    import numpy as np

    from mlplab.commands._output import emit, format_table
    from mlplab.diagnostics.sanity import run_sanity
    from mlplab.optim import get_optimizer

    get_optimizer(args.optimizer, lr=args.lr)  # a bad name or rate fails before any work
    sweep = _sweep(args.sweep)
    X, y, classes = load_training_data(args.data, args.seed)
    config = {
        "input_size": int(X.shape[1]),
        "output_size": classes,
        "hidden": _hidden(args.hidden),
        "activation": args.activation,
        "init": args.init,
        "norm": args.norm,
        "dropout": args.dropout,
        "output_scale": args.output_scale,
        "loss": args.loss,
        "dtype": args.dtype,
    }
    X = X.astype(np.dtype(args.dtype))
    results = run_sanity(
        config, X, y, optimizer=args.optimizer, lr=args.lr, seed=args.seed, subset=args.subset,
        overfit_epochs=args.overfit_epochs, sweep=sweep,
        sweep_steps=args.sweep_steps, batch_size=args.batch_size, l2=args.l2_check,
        tolerance=args.tolerance, overfit_lr=args.overfit_lr,
    )  # fmt: skip
    passed = all(r.passed is not False for r in results)
    rows = [
        (r.name, "n/a" if r.passed is None else ("pass" if r.passed else "FAIL"), r.summary)
        for r in results
    ]
    text = format_table(["check", "result", "numbers"], rows)
    sweep = results[-1].numbers["rates"]
    text += "\n\nlearning-rate sweep (" + f"{args.optimizer}, {args.sweep_steps} steps):\n"
    text += format_table(
        ["lr", "initial loss", "final loss", "peak loss", "verdict"],
        [
            (r["lr"], r["initial_loss"], r["final_loss"], r["peak_loss"], r["verdict"])
            for r in sweep
        ],
    )
    text += f"\n\n{'all checks passed' if passed else 'some checks FAILED'}."
    emit(args, {"passed": passed, "checks": [r.to_dict() for r in results]}, text)
    return 0 if passed else 1
