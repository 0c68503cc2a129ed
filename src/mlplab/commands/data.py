"""Inspect a dataset (a built-in name or a file): shapes, classes and counts, value ranges, NaN
count; ``--plot`` draws the lecture's preprocessing figure."""

import argparse

NAME = "data"
HELP = "inspect a dataset: shapes, classes, ranges; draw the preprocessing figure"


def add_arguments(parser):
    sub = parser.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    info = sub.add_parser("info", help="describe a built-in dataset or a data file")
    info.add_argument(
        "spec",
        metavar="FILE-or-NAME",
        help="built-in name (digits, iris, spiral, "
        "circles, xor) or a path (.npz, .npy, .csv, MNIST IDX, CIFAR-10 .bin)",
    )
    info.add_argument(
        "--plot",
        metavar="FILE.png",
        help="draw original → zero-centered → normalized; decorrelated → whitened",
    )
    info.add_argument(
        "--columns",
        default="0,1",
        metavar="I,J",
        help="the two features the figure shows (default 0,1)",
    )
    info.add_argument("--label-column", help="CSV label column: a header name or an index")
    info.add_argument(
        "--format",
        choices=["npz", "npy", "csv", "mnist", "cifar10"],
        help="file format (default: from the name)",
    )
    info.add_argument("--seed", type=int, default=0, help="seed of the generated splits")
    # accepted after the action too: `mlplab data info digits --json`
    info.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print results as JSON"
    )
    info.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print nothing but errors",
    )


def run(args) -> int:
    from mlplab.commands._output import emit, format_table
    from mlplab.data import load_data

    label_column = args.label_column
    if label_column is not None and label_column.lstrip("-").isdigit():
        label_column = int(label_column)
    dataset = load_data(
        args.spec,
        seed=args.seed,
        label_column=label_column,
        format=args.format,
        allow_nonfinite=True,
    )
    info = dataset.summary()
    if args.plot:
        info["plot"] = str(_plot(dataset, args))
    emit(args, info, _text(info, format_table))
    return 0


def _plot(dataset, args):
    import numpy as np

    from mlplab.errors import ConfigError
    from mlplab.plots.preprocessing import plot_preprocessing

    try:
        columns = [int(c) for c in args.columns.split(",")]
    except ValueError:
        columns = []
    if len(columns) != 2 or not all(0 <= c < dataset.n_features for c in columns):
        raise ConfigError(
            f"--columns: expected two feature indices in 0..{dataset.n_features - 1}, "
            f"got {args.columns!r}"
        )
    x = np.asarray(dataset.x_train[:, columns], dtype=np.float64)
    finite = np.isfinite(x).all(axis=1)
    title = f"{dataset.name}: training set, features {columns[0]} and {columns[1]}"
    if dataset.n_features != 2:
        title += f" of {dataset.n_features}"
    return plot_preprocessing(
        x[finite],
        dataset.y_train[finite],
        args.plot,
        title,
        feature_names=(f"feature {columns[0]}", f"feature {columns[1]}"),
    )


def _text(info, format_table):
    lines = [
        f"dataset   {info['name']}" + (f" ({info['source']})" if info["source"] else ""),
        f"features  {info['n_features']} per example, shape {tuple(info['feature_shape'])}, "
        f"dtype {info['dtype']}",
        f"classes   {len(info['classes'])}: {', '.join(map(str, info['classes']))}",
        "",
    ]
    rows = []
    for which, split in info["splits"].items():
        rows.append((which, split["examples"], _range(split), split["nonfinite"]))
    lines.append(format_table(["split", "examples", "value range", "NaN/inf"], rows))
    lines.append("")
    counts = [
        (str(label), *(info["splits"][w]["class_counts"][i] for w in info["splits"]))
        for i, label in enumerate(info["classes"])
    ]
    lines.append(format_table(["class", *info["splits"]], counts))
    for note in info["notes"]:
        lines.append(f"note: {note}")
    if any(s["nonfinite"] for s in info["splits"].values()):
        lines.append("warning: the data holds NaN or inf values; training will refuse it")
    if "plot" in info:
        lines.append(f"figure written to {info['plot']}")
    return "\n".join(lines)


def _range(split):
    if split["min"] is None:
        return "-"
    return f"{split['min']:.4g} .. {split['max']:.4g}"
