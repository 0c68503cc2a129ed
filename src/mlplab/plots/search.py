"""The lecture's search plot: validation accuracy against each hyperparameter.

One panel per hyperparameter; log axes for log ranges (learning rate, weight decay), so that
"the best trials sit at the edge of the range" is visible at a glance — the sign to widen it.
Coarse-stage trials are hollow, fine-stage trials filled; pruned trials grey; failed ones are
left out (they have no accuracy).
"""

from pathlib import Path

from mlplab.files.atomic import atomic_write_figure
from mlplab.search.space import Choice, _option_text


def plot_search(rows: list, spaces: list, path) -> Path:
    from matplotlib.figure import Figure

    ranges = {}
    for space in spaces:  # the first (widest) stage's range sets the axis
        for name, r in space.ranges.items():
            ranges.setdefault(name, r)
    names = sorted(ranges)
    columns = min(3, max(1, len(names)))
    lines = -(-len(names) // columns)
    figure = Figure(figsize=(4.2 * columns, 3.4 * lines), layout="constrained")
    scored = [r for r in rows if r["val_accuracy"] is not None and r["state"] != "fail"]
    for i, name in enumerate(names):
        axes = figure.add_subplot(lines, columns, i + 1)
        r = ranges[name]
        for row in scored:
            if name not in row["params"]:
                continue
            x = row["params"][name]
            if isinstance(r, Choice):
                labels = [_option_text(o) for o in r.options]
                x = labels.index(_option_text(x)) if _option_text(x) in labels else None
                if x is None:
                    continue
            color = "0.6" if row["state"] == "pruned" else ("C0" if row["stage"] == 1 else "C3")
            filled = row["stage"] > 1
            axes.scatter(
                x, row["val_accuracy"], s=22, edgecolors=color,
                facecolors=color if filled else "none", linewidths=1.0,
            )  # fmt: skip
        if isinstance(r, Choice):
            axes.set_xticks(range(len(r.options)), [_option_text(o) for o in r.options])
        else:
            if r.log:
                axes.set_xscale("log")
            axes.set_xlim(r.low, r.high)  # the searched range: best points at an edge say widen it
        axes.set_xlabel(name + (" (log scale)" if getattr(r, "log", False) else ""))
        axes.set_ylabel("validation accuracy")
        axes.grid(alpha=0.3)
    figure.suptitle("Validation accuracy per trial (hollow: coarse, filled: fine, grey: pruned)")
    return atomic_write_figure(figure, path, dpi=110)
