"""The run's figures in ``plots/``: learning curves, the test confusion matrix, per-layer
statistics (when the babysitting monitors logged them)."""

from mlplab.plots.confusion_matrix import plot_confusion_matrix
from mlplab.plots.layer_history import has_layer_statistics, plot_layer_history
from mlplab.plots.learning_curves import plot_learning_curves
from mlplab.runs.directory import PLOTS_DIR
from mlplab.training import History


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
    return plots
