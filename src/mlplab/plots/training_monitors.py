"""The babysitting monitors over epochs: update/weight ratios, gradient norms, activation std,
dead and saturated fractions, per layer, and batch norm's gap between batch statistics and
running averages (PNG)."""

import math
from pathlib import Path

from mlplab.files.atomic import atomic_write_figure

PANELS = (
    ("update_ratio/", "update / weight ratio", True),
    ("grad_norm/", "gradient norm", True),
    ("act_std/", "activation std", False),
    ("dead/", "dead fraction", False),
    ("saturated/", "saturated fraction", False),
    ("bn_mean_gap/", "batch norm: |μ_B − running mean| / running std", False),
    ("bn_var_ratio/", "batch norm: σ²_B / running var", False),
    ("bn_train_eval_diff", "train/eval score difference", False),
)
#: lines drawn across a panel: the rule of thumb, or the value that should (not) be crossed.
REFERENCES = {
    "update_ratio/": (1e-3, "1e-3"),
    "bn_var_ratio/": (1.0, "1"),
    "bn_train_eval_diff": (0.5, "marked above 0.5"),
}


def monitor_keys(history, prefixes=None) -> dict:
    """{panel prefix: [history keys]} for the monitor metrics present in ``history`` (only the
    panels in ``prefixes``, when given)."""
    keys = history.keys() if hasattr(history, "keys") else list(history)
    panels = [p for p, _, _ in PANELS if prefixes is None or p in prefixes]
    found = {p: [k for k in keys if k.startswith(p)] for p in panels}
    return {p: ks for p, ks in found.items() if ks}


def plot_training_monitors(history, path, title: str | None = None, prefixes=None) -> Path | None:
    """One panel per monitored quantity logged by ``UpdateRatioMonitor``, ``LayerStatsMonitor``
    and ``BatchNormGapMonitor`` (one line per layer or parameter; ``prefixes`` picks panels of
    ``PANELS``); the ratio panel marks the 1e-3 rule of thumb. Writes the PNG atomically;
    returns None (and writes nothing) when no monitor metric was logged."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    data = history.to_dict() if hasattr(history, "to_dict") else dict(history)
    present = monitor_keys(data, prefixes)
    if not present:
        return None
    epochs = data.get("epoch") or list(range(1, len(next(iter(data.values()))) + 1))
    fig = Figure(figsize=(4.5 * len(present), 3.8))
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(present), squeeze=False)[0]
    labels = {p: (label, log) for p, label, log in PANELS}
    for ax, (prefix, keys) in zip(axes, present.items(), strict=True):
        label, log = labels[prefix]
        for key in keys:
            values = data[key]
            name = key[len(prefix) :].lstrip("/")
            name = name if "." in name or not name else f"layer {name}"
            ax.plot(epochs, values, marker="o", markersize=3, label=name or None)
        positive = [v for k in keys for v in data[k] if math.isfinite(v) and v > 0]
        if log and positive:
            ax.set_yscale("log")
        if "fraction" in label:
            ax.set_ylim(-0.02, 1.02)
        if prefix in REFERENCES:
            value, text = REFERENCES[prefix]
            ax.axhline(value, color="grey", linestyle=":", label=text)
        ax.set_title(label)
        ax.set_xlabel("epoch")
        ax.set_xlim(epochs[0] - 0.3, epochs[-1] + 0.3)  # the run's epochs, logged or not
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return atomic_write_figure(fig, path)
