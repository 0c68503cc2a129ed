"""Per-layer statistics over a run, from its history: the babysitting monitors at a glance.

Three panels against the epoch: each activation layer's output std (with its dead or saturated
fraction in the legend), each parameter's mean gradient norm ‖g‖₂, and each weight's
update/weight ratio ‖ΔW‖/‖W‖ with the rule of thumb 1e-3 drawn across.
"""

import math
from pathlib import Path


def _series(history: list[dict], prefix: str) -> dict:
    names = []
    for row in history:
        names += [k for k in row if k.startswith(prefix) and k not in names]
    return {name[len(prefix) :]: [_finite(row.get(name)) for row in history] for name in names}


def _finite(value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return math.nan
    return value if math.isfinite(value) else math.nan


def has_layer_statistics(history: list[dict]) -> bool:
    return any(k.startswith(("act_std/", "grad_norm/")) for row in history for k in row)


def plot_layer_history(history: list[dict], path, network=None) -> Path:
    """Draw the three panels from ``history`` rows (``act_std/<i>``, ``dead/<i>``,
    ``saturated/<i>``, ``grad_norm/<param>``, ``update_ratio/<param>``); write PNG atomically."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from mlplab.files.atomic import atomic_write_figure

    epochs = [row.get("epoch", i + 1) for i, row in enumerate(history)]
    figure = Figure(figsize=(14, 4), layout="constrained")
    act_axes, grad_axes, ratio_axes = figure.subplots(1, 3)
    dead, saturated = _series(history, "dead/"), _series(history, "saturated/")
    for layer, values in _series(history, "act_std/").items():
        label = _layer_name(network, layer)
        for kind, table in (("dead", dead), ("saturated", saturated)):
            if layer in table and not math.isnan(table[layer][-1]):
                label += f" ({kind} {table[layer][-1]:.0%})"
        act_axes.plot(epochs, values, marker=".", label=label)
    act_axes.set(xlabel="epoch", ylabel="std of the layer's output", title="Activations (probe)")
    for name, values in _series(history, "grad_norm/").items():
        grad_axes.plot(epochs, values, marker=".", label=name)
    grad_axes.set(xlabel="epoch", ylabel="mean ‖g‖₂", title="Gradient norms", yscale="log")
    for name, values in _series(history, "update_ratio/").items():
        ratio_axes.plot(epochs, values, marker=".", label=name)
    ratio_axes.axhline(1e-3, color="grey", linestyle="--", label="rule of thumb 1e-3")
    ratio_axes.set(xlabel="epoch", ylabel="‖ΔW‖ / ‖W‖", title="Update/weight ratio", yscale="log")
    for axes in (act_axes, grad_axes, ratio_axes):
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # no epoch 2.5
        axes.grid(alpha=0.3)
        if axes.get_legend_handles_labels()[0]:
            axes.legend(fontsize=7)
    return atomic_write_figure(figure, path, make_folder=False)


def _layer_name(network, index: str) -> str:
    try:
        return f"layer {index} ({type(network.layers[int(index)]).__name__})"
    except (AttributeError, IndexError, ValueError):
        return f"layer {index}"
