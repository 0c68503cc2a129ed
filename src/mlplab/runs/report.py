"""``report.html``: one self-contained page per run — config, final metrics, plots, network.

Self-contained means no external reference of any kind: the style sheet is inline, the plots are
PNGs embedded as base64 ``data:`` URIs, there is no script, link or remote font. The page opens
offline, can be mailed as one file, and stays correct when the run directory moves.
"""

import base64
import html
from pathlib import Path

from mlplab.files.atomic import atomic_write
from mlplab.runs.directory import REPORT_FILE

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 62em; padding: 0 1em;
       color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; display: block; max-width: 100%; overflow-x: auto; }
td, th { padding: .25em .8em; border-bottom: 1px solid #eee; }
th { text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f6f6f6; padding: .8em; overflow-x: auto; font-size: .85em; }
img { max-width: 100%; } .headline { font-size: 1.25em; }
"""


#: the per-epoch table's columns (metrics.csv has every logged value).
EPOCH_COLUMNS = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "time")


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def _number(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def _table(headers, rows) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{_esc(_number(v))}</td>'
            if isinstance(v, int | float)
            else f"<td>{_esc(v)}</td>"
            for v in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _image(path: Path, title: str) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<h3>{_esc(title)}</h3><img alt="{_esc(title)}" src="data:image/png;base64,{data}">'


def render(run, plots: dict) -> str:
    """The report page of ``run`` as an HTML string; ``plots`` maps titles to PNG paths."""
    info, metrics = run.info, run.metrics
    test = metrics.get("test", {})
    title = f"mlplab run {run.directory.name}"
    headline = ""
    if "r2" in test:
        headline = (
            f'<p class="headline">Test R² <b>{test["r2"]:.4f}</b> (MAE {test["mae"]:.4g}, '
            f"MSE {test['mse']:.4g}, {test.get('examples', '?')} examples)</p>"
        )
    elif "accuracy" in test:
        headline = (
            f'<p class="headline">Test accuracy <b>{test["accuracy"]:.4f}</b> '
            f"(test loss {test['loss']:.4f}, {test.get('examples', '?')} examples)</p>"
        )
    rows = [
        (name, m.get("examples", ""), m.get("loss"), m.get("accuracy", ""))
        for key, name in (("train", "training"), ("val", "validation"), ("test", "test"))
        if (m := metrics.get(key))
    ]
    facts = [
        (
            "data",
            f"{info.get('data', {}).get('name', '')} ({info.get('data', {}).get('source', '')})",
        ),
        ("epochs", info.get("epochs", "")),
        ("time", f"{info.get('seconds', 0):.1f} s"),
        ("parameters", f"{info.get('parameters', 0):,}"),
        ("mlplab", info.get("mlplab_version", "")),
        ("finished", info.get("finished", "")),
        ("directory", str(run.directory)),
    ]
    if "keep_best" in info:
        best = info["keep_best"]
        facts.insert(
            2, ("model from", f"epoch {best['epoch']} (best {best['monitor']} {best['value']:.4f})")
        )
    if "weights" in info:
        given = {k: v for k, v in info["weights"].items() if v}
        facts.insert(2, ("weights", ", ".join(f"{k} {v}" for k, v in given.items())))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_esc(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{_esc(title)}</h1>",
        headline,
        "<h2>Final metrics</h2>",
        _table(["split", "examples", "loss", "accuracy"], rows),
        _table(["", ""], facts),
    ]
    if "precision" in test:
        parts += ["<h2>Test set per class</h2>", _per_class(test, info)]
    parts += _batchnorm_gap(run.history)
    if plots:
        parts.append("<h2>Plots</h2>")
        parts += [_image(path, name) for name, path in plots.items()]
    if run.model is not None:
        parts += ["<h2>Network</h2>", f"<pre>{_esc(run.model.summary())}</pre>"]
    parts += ["<h2>Config</h2>", f"<pre>{_esc(run.config.to_toml())}</pre>"]
    if run.history:
        columns = [c for c in EPOCH_COLUMNS if c in run.history[0]]
        parts += [
            "<h2>Per epoch</h2>",
            _table(columns, [[row.get(c, "") for c in columns] for row in run.history]),
        ]
    parts.append("</body></html>\n")
    return "\n".join(p for p in parts if p)


def _per_class(test: dict, info: dict) -> str:
    """Precision, recall and F1 per class (or label) with their averages (``task_metrics``)."""
    classes = info.get("data", {}).get("classes") or list(range(len(test["precision"])))
    support = test.get("support") or [sum(row) for row in test["confusion"]]
    rows = [
        (str(c), support[i], test["precision"][i], test["recall"][i], *_f1(test, i))
        for i, c in enumerate(classes)
    ]
    rows += [
        (name, "", m["precision"], m["recall"], m["f1"])
        for name in ("micro avg", "macro avg", "weighted avg")
        if (m := test.get(name))
    ]
    headers = ["class", "examples", "precision", "recall", "f1"]
    return _table(headers if "f1" in test else headers[:-1], rows)


def _f1(test: dict, i: int) -> tuple:
    return (test["f1"][i],) if "f1" in test else ()


def _batchnorm_gap(history: list) -> list[str]:
    """The last epoch's batch-norm gap per layer (``BatchNormGapMonitor``), if it was logged."""
    last = next((row for row in reversed(history) if row.get("bn_train_eval_diff", "") != ""), {})
    layers = [k.partition("/")[2] for k in last if k.startswith("bn_mean_gap/")]
    if not layers:
        return []
    rows = [
        (f"layer {i}", last[f"bn_mean_gap/{i}"], last.get(f"bn_var_ratio/{i}", "")) for i in layers
    ]
    difference = float(last["bn_train_eval_diff"])
    verdict = "marked: evaluation is not what was trained" if difference > 0.5 else "below 50%"
    return [
        "<h2>Batch norm at test time</h2>",
        f"<p>Epoch {_esc(last.get('epoch', ''))}, the epoch's last batch: its statistics against "
        "the running averages that evaluation uses. Train/eval score difference "
        f"<b>{difference:.0%}</b> ({verdict}).</p>",
        _table(["layer", "|μ_B − running mean| / running std", "σ²_B / running var"], rows),
    ]


def write_report(run, plots: dict) -> Path:
    """Write ``report.html`` into the run directory, atomically."""
    return atomic_write(run.directory / REPORT_FILE, render(run, plots))
