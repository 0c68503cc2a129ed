"""Figure: the decision regions of several classifiers on the same 2-D points, side by side."""

import numpy as np

from mlplab.files.atomic import atomic_write_figure


def plot_decision_boundaries(panels, x, y, path, resolution: int = 200):
    """One panel per (title, predict) pair: ``predict`` maps (M, 2) points to class indices;
    the plane is coloured by the predicted class and the points (N, 2) by their class y (N,)."""
    from matplotlib.figure import Figure

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y)
    low, high = x.min(axis=0), x.max(axis=0)
    pad = 0.1 * (high - low)
    u, v = np.meshgrid(
        np.linspace(low[0] - pad[0], high[0] + pad[0], resolution),
        np.linspace(low[1] - pad[1], high[1] + pad[1], resolution),
    )
    grid = np.stack([u.ravel(), v.ravel()], axis=1)
    n_classes = int(y.max()) + 1
    figure = Figure(figsize=(3.2 * len(panels), 3.4), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(panels)))
    for ax, (title, predict) in zip(axes, panels, strict=True):
        regions = np.asarray(predict(grid)).reshape(u.shape)
        ax.contourf(
            u, v, regions, levels=np.arange(n_classes + 1) - 0.5, cmap="coolwarm", alpha=0.35
        )
        ax.scatter(
            x[:, 0],
            x[:, 1],
            c=y,
            cmap="coolwarm",
            s=8,
            edgecolors="k",
            linewidths=0.2,
            vmin=0,
            vmax=max(n_classes - 1, 1),
        )
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    return atomic_write_figure(figure, path, make_folder=False)
