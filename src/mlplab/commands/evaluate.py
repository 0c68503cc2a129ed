"""Evaluate a trained model on data: accuracy, loss, per-class precision, recall and F1 with
macro and weighted averages, confusion (classification); per-label and averaged ones
(multi-label); R², MAE and MSE (regression). All from ``sklearn.metrics``.

RUN is a run directory or a model file. --data is a built-in name or a data file (default: the
run's own data); --split picks which part of it (default test: the held-out split, cut with the
run's own seed and fractions when the data has no test set).
"""

NAME = "evaluate"
HELP = "metrics of a trained model: accuracy, precision/recall/F1, confusion; or R², MAE"


def add_arguments(parser):
    parser.add_argument("run_path", metavar="RUN", help="run directory or model file")
    parser.add_argument(
        "--data", metavar="NAME|FILE", help="data to evaluate on (default: the run's)"
    )
    parser.add_argument(
        "--split",
        choices=("test", "val", "train", "all"),
        default="test",
        help="which split of the data (default test)",
    )
    parser.add_argument("--label", metavar="COLUMN", help="CSV label column (default: the run's)")
    parser.add_argument("--plot", metavar="FILE.png", help="draw the confusion matrix as PNG")


def run(args) -> int:
    from mlplab.commands._output import emit
    from mlplab.evaluation import evaluate_on_data

    result = evaluate_on_data(args.run_path, args.data, split=args.split, label=args.label)
    if args.plot and "confusion" in result:
        from mlplab.plots.confusion_matrix import plot_confusion_matrix

        plot_confusion_matrix(result["confusion"], result["classes"], args.plot)
        result["plot"] = str(args.plot)
    emit(args, result, render(result))
    return 0


def render(result: dict) -> str:
    """The text of ``mlplab evaluate``: the task's headline, then its per-class table."""
    from mlplab.commands._output import format_table

    lines = [f"{result['data']} ({result['split']}, {result['examples']} examples)"]
    if "r2" in result:  # regression
        lines.append(
            f"R² {result['r2']:.4f}   MAE {result['mae']:.4g}   MSE {result['mse']:.4g}   "
            f"loss {result['loss']:.4f}"
        )
        return "\n".join(lines)
    exact = " (exact match)" if result.get("task") == "multilabel" else ""
    lines += [f"accuracy{exact} {result['accuracy']:.4f}   loss {result['loss']:.4f}", ""]
    names = [str(c) for c in result["classes"]]
    rows = [
        (c, result["support"][i], result["precision"][i], result["recall"][i], result["f1"][i])
        for i, c in enumerate(names)
    ]
    rows += [
        (name, "", m["precision"], m["recall"], m["f1"])
        for name in ("micro avg", "macro avg", "weighted avg")
        if (m := result.get(name))
    ]
    first = "label" if exact else "class"
    lines.append(format_table([first, "examples", "precision", "recall", "f1"], rows))
    if "confusion" in result:
        confusion = result["confusion"]
        lines += ["", "confusion matrix (rows: true class, columns: predicted)"]
        lines.append(
            format_table(
                ["true \\ pred", *names], [(c, *confusion[i]) for i, c in enumerate(names)]
            )
        )
    if result.get("plot"):
        lines += ["", f"confusion matrix plot written to {result['plot']}"]
    return "\n".join(lines)
