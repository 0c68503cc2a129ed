"""Evaluate a trained model on data: accuracy, loss, per-class precision and recall, confusion.

RUN is a run directory or a model file. --data is a built-in name or a data file (default: the
run's own data); --split picks which part of it (default test: the held-out split, cut with the
run's own seed and fractions when the data has no test set).
"""

NAME = "evaluate"
HELP = "accuracy, loss, per-class precision/recall and confusion matrix of a trained model"


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
    if args.plot:
        from mlplab.plots.confusion_matrix import plot_confusion_matrix

        plot_confusion_matrix(result["confusion"], result["classes"], args.plot)
        result["plot"] = str(args.plot)
    emit(args, result, render(result))
    return 0


def render(result: dict) -> str:
    from mlplab.commands._output import format_table

    lines = [
        f"{result['data']} ({result['split']}, {result['examples']} examples)",
        f"accuracy {result['accuracy']:.4f}   loss {result['loss']:.4f}",
        "",
    ]
    classes = [str(c) for c in result["classes"]]
    confusion = result["confusion"]
    rows = [
        (c, sum(confusion[i]), result["precision"][i], result["recall"][i])
        for i, c in enumerate(classes)
    ]
    lines.append(format_table(["class", "examples", "precision", "recall"], rows))
    lines += ["", "confusion matrix (rows: true class, columns: predicted)"]
    lines.append(
        format_table(
            ["true \\ pred", *classes], [(c, *confusion[i]) for i, c in enumerate(classes)]
        )
    )
    if result.get("plot"):
        lines += ["", f"confusion matrix plot written to {result['plot']}"]
    return "\n".join(lines)
