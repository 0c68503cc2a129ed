"""Learning curves of a run: loss and accuracy per epoch, training against validation.

The lecture's two babysitting plots: the loss (its shape tells a learning rate too low, too
high or right) and training versus validation accuracy (the gap is the amount of overfitting).
"""

from pathlib import Path


def plot_run_history(history: list[dict], path) -> Path:
    """Draw loss and accuracy against epoch from ``history`` rows; write a PNG atomically."""
    from matplotlib.figure import Figure

    from mlplab.plots._atomic_png import save_figure

    epochs = [row["epoch"] for row in history]
    figure = Figure(figsize=(10, 3.8), layout="constrained")
    loss_axes, accuracy_axes = figure.subplots(1, 2)
    for key, label in (("loss", "training"), ("val_loss", "validation")):
        values = [row.get(key) for row in history]
        if any(v not in (None, "") for v in values):
            loss_axes.plot(epochs, values, marker=".", label=label)
    loss_axes.set(xlabel="epoch", ylabel="loss", title="Loss")
    loss_axes.legend()
    for key, label in (("accuracy", "training"), ("val_accuracy", "validation")):
        values = [row.get(key) for row in history]
        if any(v not in (None, "") for v in values):
            accuracy_axes.plot(epochs, values, marker=".", label=label)
    accuracy_axes.set(xlabel="epoch", ylabel="accuracy", title="Accuracy")
    accuracy_axes.legend()
    for axes in (loss_axes, accuracy_axes):
        axes.grid(alpha=0.3)
    return save_figure(figure, path)
