"""Show a trained model: the network summary, how it was trained, and its final metrics."""

NAME = "info"
HELP = "network summary, training config and metrics of a run or model file"


def add_arguments(parser):
    parser.add_argument("run_path", metavar="RUN", help="run directory or model file")


def run(args) -> int:
    from mlplab.commands._output import emit, format_table
    from mlplab.diagnostics.batchnorm_gap import run_batchnorm_gap, summary_line
    from mlplab.evaluation import describe

    data = describe(args.run_path)
    lines = [f"{data['path']}  (mlplab {data['mlplab_version']}, format {data['format_version']})"]
    lines += ["", data["summary"], ""]
    classes = data["classes"]
    if classes is not None:
        lines.append(f"classes ({len(classes)}): {', '.join(map(str, classes))}")
    lines.append(f"input features: {data['n_features_in']}")
    steps = data["preprocessing"]
    lines.append(f"preprocessing: {', '.join(steps) if steps else 'none'}")
    config = data.get("config")
    if config:
        t, n, d = config["training"], config["network"], config["data"]
        lines.append(
            f"trained on {d['source']}: {t['optimizer']} lr {t['lr']:g} ({t['schedule']}), "
            f"{t['epochs']} epochs, batch {t['batch_size']}, weight decay {t['weight_decay']:g}, "
            f"seed {t['seed']}"
        )
        lines.append(
            f"network: hidden {n['hidden']}, {n['activation']}, init {n['init']}, "
            f"norm {n['norm']}, dropout {n['dropout']:g}, loss {n['loss']}, {n['dtype']}"
        )
    metrics = data.get("metrics") or {}
    if metrics:
        rows = [
            (name, m.get("examples", 0), m["loss"], m.get("accuracy", float("nan")))
            for key, name in (("train", "training"), ("val", "validation"), ("test", "test"))
            if (m := metrics.get(key))
        ]
        lines += ["", format_table(["split", "examples", "loss", "accuracy"], rows)]
    gap = run_batchnorm_gap(args.run_path, config)
    if gap:
        data["batchnorm_gap"] = gap
        lines.append("\n" + summary_line(gap, f" on the {gap['split']} split"))
    if data.get("status"):
        lines.append(
            f"\nstatus: {data['status']}, {data.get('epochs')} epochs, "
            f"{data.get('seconds', 0):.1f} s"
        )
    emit(args, data, "\n".join(lines))
    return 0
