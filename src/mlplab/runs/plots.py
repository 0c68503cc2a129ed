"""The run's figures in ``plots/``: learning curves, the test confusion matrix, per-layer
statistics and the babysitting figures (when the monitors logged them): update/weight ratios
with dead and saturated units per layer, and batch norm's batch-vs-running-average gap."""

from mlplab.plots.confusion_matrix import plot_confusion_matrix
from mlplab.plots.layer_history import has_layer_statistics, plot_layer_history
from mlplab.plots.learning_curves import plot_learning_curves
from mlplab.plots.training_monitors import plot_training_monitors
from mlplab.runs.directory import PLOTS_DIR
from mlplab.training import History

#: the babysitting figures: (title, file, panels of ``plots.training_monitors.PANELS``).
MONITOR_FIGURES = (
    (
        "Babysitting: update/weight ratio, dead and saturated units per layer",
        "babysitting.png",
        ("update_ratio/", "dead/", "saturated/"),
    ),
    (
        "Batch norm: batch statistics against the running averages per layer",
        "batchnorm_gap.png",
        ("bn_mean_gap/", "bn_var_ratio/", "bn_train_eval_diff"),
    ),
)


def draw_plots(run) -> dict:
    """Draw the run's figures into ``plots/``; return {title: path}."""
    directory = run.directory / PLOTS_DIR
    directory.mkdir(exist_ok=True)
    plots = {}
    if run.history:
        plots["Learning curves"] = plot_learning_curves(
            History(run.history), directory / "learning_curves.png"
        )
    test = run.metrics.get("test", {})
    if "confusion" in test:
        classes = run.info.get("data", {}).get("classes") or list(range(len(test["confusion"])))
        plots["Confusion matrix (test)"] = plot_confusion_matrix(
            test["confusion"], classes, directory / "confusion_matrix.png"
        )
    if has_layer_statistics(run.history):
        plots["Per-layer statistics"] = plot_layer_history(
            run.history, directory / "layer_statistics.png", run.model.network
        )
    # metrics.csv leaves a cell empty where an epoch did not log the value
    logged = History([{k: v for k, v in row.items() if v != ""} for row in run.history])
    for title, name, panels in MONITOR_FIGURES:
        path = plot_training_monitors(logged, directory / name, prefixes=panels)
        if path is not None:
            plots[title] = path
    return plots
