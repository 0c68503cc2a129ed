"""Export a trained model to another format: ONNX, with its preprocessing and its labels.

RUN is a run directory (its model file), a model file, or an ensemble directory (one graph that
averages the members' probabilities). The graph takes raw features ``input`` (N, D) and gives
``probabilities`` (N, C) and ``label`` (N,) in the original label values; see docs/export.md.

  mlplab export runs/digits --format onnx -o digits.onnx
"""

NAME = "export"
HELP = "export a model (or an ensemble) to ONNX"
FORMATS = ("onnx",)


def add_arguments(parser):
    parser.add_argument("run_path", metavar="RUN", help="run directory, model file or ensemble")
    parser.add_argument("--format", default="onnx", help="output format: onnx (the default)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="file to write")
    parser.add_argument(
        "--dtype",
        choices=("float32", "float64"),
        default=None,
        help="the graph's float type (default: the model's own)",
    )


def run(args) -> int:
    from mlplab import load
    from mlplab.commands._output import emit
    from mlplab.errors import ConfigError
    from mlplab.export import OPSET, save_onnx

    if args.format.lower() not in FORMATS:
        raise ConfigError(f"--format: unknown format {args.format!r}; choose from onnx")
    model = load(args.run_path)
    path = save_onnx(model, args.output, dtype=args.dtype)
    result = {"output": str(path), "format": "onnx", "opset": OPSET, "input": "input"}
    emit(args, result, f"wrote {path} (ONNX, opset {OPSET})")
    return 0
