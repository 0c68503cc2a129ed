"""Figure: the path of two weights under SGD, all-positive inputs against zero-centred ones."""

import numpy as np

from mlplab.files.atomic import atomic_write_figure

#: the figure's size in inches; at 100 dpi the PNG is 1000 × 450 pixels
FIGSIZE = (10.0, 4.5)


def plot_weight_paths(paths: dict, target, path, same_sign_steps: dict | None = None):
    """One panel per (name, (steps + 1, 2) path of (w₁, w₂)): the path with a dot per step, its
    start and the target w*. ``same_sign_steps`` (name -> fraction) goes into the titles."""
    from matplotlib.figure import Figure

    target = np.asarray(target, dtype=np.float64)
    figure = Figure(figsize=FIGSIZE, layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(paths)))
    every = np.concatenate([np.asarray(p) for p in paths.values()] + [target[None]])
    low, high = every.min(axis=0) - 0.2, every.max(axis=0) + 0.2
    for ax, (name, points) in zip(axes, paths.items(), strict=True):
        points = np.asarray(points)
        ax.plot(points[:, 0], points[:, 1], "-o", color="tab:blue", markersize=3, linewidth=1)
        ax.plot(*points[0], "s", color="k", label="start")
        ax.plot(*target, "*", color="tab:red", markersize=14, label="w*")
        ax.axhline(0, color="0.8", linewidth=0.5)
        ax.axvline(0, color="0.8", linewidth=0.5)
        title = f"inputs: {name} units"
        if same_sign_steps and name in same_sign_steps:
            title += f" — {same_sign_steps[name]:.0%} of steps move w₁, w₂ the same way"
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("w₁")
        ax.set_ylabel("w₂")
        ax.set_xlim(low[0], high[0])
        ax.set_ylim(low[1], high[1])
        ax.set_aspect("equal", adjustable="box")
        ax.legend(fontsize=8, loc="upper right")
    return atomic_write_figure(figure, path, make_folder=False)
