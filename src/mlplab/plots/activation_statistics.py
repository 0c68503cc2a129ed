"""The lecture's activation-statistics figure: layer mean and std against depth, and one
histogram of activations per layer (one row of histograms per initialization compared)."""

import os

from mlplab.errors import ConfigError
from mlplab.files.atomic import atomic_write_figure

#: at most this many histograms side by side; deeper nets wrap onto more rows.
HISTOGRAMS_PER_ROW = 10


def plot_activation_statistics(runs, path) -> str:
    """Draw ``runs`` (``ActivationStatistics``, one per init) to the PNG file ``path``, atomically.

    Returns the path written. The histograms of a run share one range (tanh [-1, 1],
    sigmoid [0, 1], otherwise the run's min to max), so a collapsing layer shows as a spike.
    """
    from matplotlib.figure import Figure

    path = os.fspath(path)
    check_png_path(path)
    runs = list(runs)
    depth = max(len(run.layers) for run in runs)
    columns = min(depth, HISTOGRAMS_PER_ROW)
    rows_per_run = -(-depth // columns)
    hist_rows = rows_per_run * len(runs)
    fig = Figure(figsize=(max(10.0, 1.7 * columns), 3.6 + 1.7 * hist_rows), dpi=80)
    grid = fig.add_gridspec(1 + hist_rows, 2 * columns, height_ratios=[2.2] + [1] * hist_rows)
    ax_mean = fig.add_subplot(grid[0, :columns])
    ax_std = fig.add_subplot(grid[0, columns:])
    for run in runs:
        depths = [layer.layer for layer in run.layers]
        label = run.init + (" + batch norm" if run.batchnorm else "")
        ax_mean.plot(depths, [layer.mean for layer in run.layers], "o-", label=label)
        ax_std.plot(depths, [layer.std for layer in run.layers], "o-", label=label)
    stds = [layer.std for run in runs for layer in run.layers if layer.std > 0]
    if stds and max(stds) / min(stds) > 100:
        ax_std.set_yscale("log")
    ax_mean.set_title("layer mean")
    ax_std.set_title("layer std")
    for ax in (ax_mean, ax_std):
        ax.set_xlabel("hidden layer")
        ax.legend(fontsize="small")
    for r, run in enumerate(runs):
        for i, layer in enumerate(run.layers):
            row = 1 + r * rows_per_run + i // columns
            col = i % columns
            ax = fig.add_subplot(grid[row, 2 * col : 2 * col + 2])
            edges, counts = layer.histogram["edges"], layer.histogram["counts"]
            ax.stairs(counts, edges, fill=True)
            ax.set_yticks([])
            ax.tick_params(labelsize="x-small")
            ax.set_title(f"{run.init} L{layer.layer}" if len(runs) > 1 else f"layer {layer.layer}",
                         fontsize="small")  # fmt: skip
    first = runs[0]
    fig.suptitle(
        f"{first.activation}, {first.depth} layers of {first.width} units, {first.samples} samples"
    )
    fig.tight_layout()
    atomic_write_figure(fig, path)
    return path


def check_png_path(path) -> None:
    """Raise a ``ConfigError`` unless ``path`` ends in .png and its folder exists."""
    path = os.fspath(path)
    if not path.lower().endswith(".png"):
        raise ConfigError(f"plot file {path!r}: expected a name ending in .png")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ConfigError(f"plot file {path!r}: folder {folder!r} does not exist")
