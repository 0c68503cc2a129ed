"""The confusion matrix as a picture: rows are true classes, columns predicted ones."""

from pathlib import Path

import numpy as np


def plot_confusion_matrix(confusion, classes, path) -> Path:
    """Draw counts (colour: share of each true class) and write a PNG atomically."""
    from matplotlib.figure import Figure

    from mlplab.files.atomic import atomic_write_figure

    counts = np.asarray(confusion)
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    size = 2.5 + 0.45 * len(classes)
    figure = Figure(figsize=(size + 1, size), layout="constrained")
    axes = figure.subplots()
    image = axes.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    ticks = range(len(classes))
    axes.set_xticks(ticks, [str(c) for c in classes], rotation=45 if len(classes) > 6 else 0)
    axes.set_yticks(ticks, [str(c) for c in classes])
    axes.set(xlabel="predicted", ylabel="true", title="Confusion matrix")
    for i in ticks:
        for j in ticks:
            if counts[i, j]:
                colour = "white" if shares[i, j] > 0.5 else "black"
                axes.text(
                    j, i, str(counts[i, j]), ha="center", va="center", color=colour, fontsize=8
                )
    figure.colorbar(image, ax=axes, label="share of the true class")
    return atomic_write_figure(figure, path, make_folder=False)
