"""The lecture's progression on one dataset: the perceptron, the linear score function f = Wx
(softmax), a 2-layer network f = W₂ max(0, W₁x) and a 3-layer network
f = W₃ max(0, W₂ max(0, W₁x)). Prints their test accuracy side by side and draws each model's
decision regions on ``circles``, the two rings no line separates.

Features are standardized with the training split's mean and deviation; the networks are trained
by the same trainer (Adam by default) for the same number of epochs.
"""

NAME = "compare"
HELP = "perceptron vs linear softmax vs 2- and 3-layer networks: accuracy and decision regions"


def add_arguments(parser):
    parser.add_argument("--dataset", default="spiral", help="built-in dataset for the table")
    parser.add_argument("--epochs", type=int, default=200, help="epochs for every model")
    parser.add_argument("--hidden", type=int, default=100, help="units per hidden layer")
    parser.add_argument("--lr", type=float, default=0.01, help="Adam's learning rate")
    parser.add_argument("--seed", type=int, default=0, help="seed of the splits and weights")
    parser.add_argument(
        "--boundaries-png",
        default="decision_boundaries.png",
        help="where to draw the decision regions on circles",
    )
    parser.add_argument("--no-plot", action="store_true", help="draw no figure")


def models(epochs: int, hidden: int, lr: float, seed: int):
    """(name, score function, model) for each step of the progression, untrained."""
    from mlplab.classic.linear import LinearClassifier
    from mlplab.classic.perceptron import Perceptron
    from mlplab.sklearn import MLPClassifier

    common = {"lr": lr, "epochs": epochs, "seed": seed}
    return [
        ("perceptron", "step(Wx)", Perceptron(epochs=epochs, seed=seed)),
        ("linear softmax", "f = Wx", LinearClassifier(loss="softmax", **common)),
        ("2-layer network", "f = W2 max(0, W1 x)", MLPClassifier(hidden=(hidden,), **common)),
        (
            "3-layer network",
            "f = W3 max(0, W2 max(0, W1 x))",
            MLPClassifier(hidden=(hidden, hidden), **common),
        ),
    ]


def parameter_count(model) -> int:
    if hasattr(model, "net_"):
        return model.net_.parameter_count()
    return int(model.W.size + model.b.size)


def train_all(data, epochs, hidden, lr, seed):
    """Fit every model on standardized training data; return (scaler, rows of results, models)."""
    import time

    from mlplab.data.preprocessing import Standardize

    scaler = Standardize().fit(data.x_train)
    x_train, x_test = scaler.transform(data.x_train), scaler.transform(data.x_test)
    rows, fitted = [], []
    for name, formula, model in models(epochs, hidden, lr, seed):
        start = time.perf_counter()
        model.fit(x_train, data.y_train)
        seconds = time.perf_counter() - start
        rows.append(
            {
                "model": name,
                "scores": formula,
                "parameters": parameter_count(model),
                "train_accuracy": float(model.score(x_train, data.y_train)),
                "test_accuracy": float(model.score(x_test, data.y_test)),
                "seconds": seconds,
            }
        )
        fitted.append((name, model))
    return scaler, rows, fitted


def run(args) -> int:
    from mlplab.commands._output import emit, format_table
    from mlplab.data.builtin import DATASETS
    from mlplab.errors import ConfigError

    if args.epochs < 1 or args.hidden < 1 or not args.lr > 0:
        raise ConfigError(
            f"--epochs and --hidden must be at least 1 and --lr positive, "
            f"got {args.epochs}, {args.hidden}, {args.lr}"
        )
    data = DATASETS.get(args.dataset)(seed=args.seed)
    _, rows, _ = train_all(data, args.epochs, args.hidden, args.lr, args.seed)
    result = {
        "dataset": args.dataset,
        "train_samples": len(data.x_train),
        "test_samples": len(data.x_test),
        "classes": data.n_classes,
        "results": rows,
    }
    text = [
        f"{args.dataset}: {len(data.x_train)} training and {len(data.x_test)} test samples, "
        f"{data.n_features} features, {data.n_classes} classes, {args.epochs} epochs",
        "",
        format_table(
            ["model", "scores", "parameters", "train acc.", "test acc.", "seconds"],
            [
                (
                    r["model"],
                    r["scores"],
                    r["parameters"],
                    r["train_accuracy"],
                    r["test_accuracy"],
                    r["seconds"],
                )
                for r in rows
            ],
        ),
    ]
    if not args.no_plot:
        path, circle_rows = draw_circles(args)
        result["boundaries_png"] = str(path)
        result["circles_test_accuracy"] = {r["model"]: r["test_accuracy"] for r in circle_rows}
        text += ["", f"decision regions on circles drawn to {path}"]
    emit(args, result, "\n".join(text))
    return 0


def draw_circles(args):
    """Train the four models on ``circles`` and draw their decision regions."""
    from mlplab.data.builtin import DATASETS
    from mlplab.plots.decision_boundaries import plot_decision_boundaries

    data = DATASETS.get("circles")(seed=args.seed)
    scaler, rows, fitted = train_all(data, args.epochs, args.hidden, args.lr, args.seed)
    panels = [
        (
            f"{name}: test {row['test_accuracy']:.0%}",
            lambda grid, model=model: model.predict(scaler.transform(grid)),
        )
        for (name, model), row in zip(fitted, rows, strict=True)
    ]
    path = plot_decision_boundaries(panels, data.x_test, data.y_test, args.boundaries_png)
    return path, rows
