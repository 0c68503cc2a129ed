"""Show a trained model: the network summary, how it was trained, and its final metrics."""

NAME = "info"
HELP = "network summary, training config and metrics of a run or model file"


def add_arguments(parser):
    parser.add_argument("run_path", metavar="RUN", help="run directory or model file")


def run(args) -> int:
    from mlplab.commands._output import emit, format_table
    from mlplab.diagnostics.batchnorm_gap import summary_line
    from mlplab.evaluation import describe
    from mlplab.runs.batchnorm_gap import run_batchnorm_gap

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
        lines += _training_lines(config)
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
        if data["status"] == "incomplete":
            lines.append(f"its plots or report are missing: mlplab report {args.run_path}")
    emit(args, data, "\n".join(lines))
    return 0


def _training_lines(config: dict) -> list[str]:
    """How the model was trained, from its run config (of this release or an earlier one)."""
    from mlplab.config import RunConfig

    run_config = RunConfig.from_dict(config, flat_notice=False)
    t, n, d = run_config.training, run_config.network, run_config.data
    optimizer = ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}"
                          for k, v in t.optimizer.items() if k != "name")  # fmt: skip
    schedule = ", ".join(f"{k}={v}" for k, v in t.schedule.items() if k != "name")
    knobs = "".join(
        f", {name} {value:g}"
        for name, value in (("l1", t.l1), ("max_norm", t.max_norm), ("clip_norm", t.clip_norm))
        if value
    )
    return [
        f"trained on {d.source}: {t.optimizer['name']} ({optimizer}), "
        f"schedule {t.schedule['name']}{f' ({schedule})' if schedule else ''}, "
        f"{f'{t.epochs} epochs' if t.epochs else f'a budget of {t.steps} steps'}, "
        f"batch {t.batch_size}, l2 {t.l2:g}{knobs}, seed {t.seed}",
        f"network: hidden {n.hidden}, {n.activation}, init {n.init}, "
        f"norm {n.norm}, dropout {n.dropout:g}, loss {n.loss}, {n.dtype}"
        f"{'' if n.bias else ', no bias'}",
    ]
