"""Predict with a trained model: one prediction per line, labels in their original values.

INPUT is a CSV (optional header; the training label column is dropped if present), NPY or NPZ
file of raw features: the model applies its own preprocessing.
"""

NAME = "predict"
HELP = "predict labels (or --proba class probabilities) for the rows of a CSV/NPY/NPZ file"


def add_arguments(parser):
    parser.add_argument("run_path", metavar="RUN", help="run directory or model file")
    parser.add_argument("input", metavar="INPUT", help="features: .csv, .npy or .npz")
    parser.add_argument(
        "--proba", action="store_true", help="also print each class's probability (CSV)"
    )


def run(args) -> int:
    import sys

    from mlplab.data import load_features
    from mlplab.io import load

    model = load(args.run_path)
    label = (model.config or {}).get("data", {}).get("label") or None
    x = load_features(
        args.input,
        n_features=model.n_features_in,
        label_column=label,
        feature_names=model.feature_names,
    )
    from mlplab.errors import MlplabError

    try:
        labels = model.predict(x).tolist()
        proba = model.predict_proba(x) if args.proba else None
    except MlplabError as error:  # name the file, not just "model input"
        message = str(error).removeprefix("model input: ")
        raise type(error)(f"{args.input}: {message}") from None
    if args.json:
        import json

        rows = [{"prediction": v} for v in labels]
        if proba is not None:
            names = [str(c) for c in model.classes.tolist()]
            for row, p in zip(rows, proba.tolist(), strict=True):
                row["proba"] = dict(zip(names, p, strict=True))
        json.dump(rows, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    if args.quiet:
        return 0
    if labels and isinstance(labels[0], list):  # multi-label 0/1, or several targets
        labels = [" ".join(str(v) for v in row) for row in labels]
    out = []
    if proba is None:
        out = [str(v) for v in labels]
    else:
        out.append(",".join(["prediction", *(str(c) for c in model.classes.tolist())]))
        out += [
            ",".join([str(v), *(f"{q:.6f}" for q in p)])
            for v, p in zip(labels, proba.tolist(), strict=True)
        ]
    sys.stdout.write("\n".join(out) + "\n")
    return 0
