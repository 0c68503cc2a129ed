"""Learning curves: loss and accuracy per epoch, training and validation (PNG)."""

import math
from pathlib import Path

from mlplab.files.atomic import atomic_write_figure


def plot_learning_curves(history, path, title: str | None = None) -> Path:
    """Draw the loss (left, log scale) and the accuracy (right; when logged) against the epoch,
    training and validation, and write the PNG to ``path`` atomically.

    ``history`` is a ``History`` or a dict of lists (``History.to_dict()``).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    data = history.to_dict() if hasattr(history, "to_dict") else dict(history)
    epochs = data.get("epoch") or list(range(1, len(data.get("loss", [])) + 1))
    has_accuracy = "accuracy" in data or "val_accuracy" in data
    fig = Figure(figsize=(10 if has_accuracy else 5.5, 4))
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 2 if has_accuracy else 1, squeeze=False)[0]
    panels = [(axes[0], "loss", "loss")]
    if has_accuracy:
        panels.append((axes[1], "accuracy", "accuracy"))
    for ax, key, label in panels:
        for prefix, name, style in (("", "training", "-"), ("val_", "validation", "--")):
            values = data.get(prefix + key)
            if values and any(math.isfinite(v) for v in values):
                ax.plot(epochs, values, style, marker="o", markersize=3, label=name)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
        ax.legend()
    losses = [v for k in ("loss", "val_loss") for v in data.get(k, []) if math.isfinite(v)]
    if losses and min(losses) > 0:
        axes[0].set_yscale("log")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return atomic_write_figure(fig, path)
