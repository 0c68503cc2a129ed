"""Figure: a perceptron's learned weights as 20×20 pictures, one per output unit."""

import numpy as np

from mlplab.files.atomic import atomic_write_figure


def plot_perceptron_weights(W, labels, path, examples=None, shape=(20, 20)):
    """Draw column k of W (D, K) as a ``shape`` image titled ``labels[k]`` (red positive, blue
    negative, zero white); with ``examples`` (K, D), draw one input image of each class above."""
    from matplotlib.figure import Figure

    W = np.asarray(W)
    n_units = W.shape[1]
    rows = 2 if examples is not None else 1
    figure = Figure(figsize=(1.1 * n_units + 0.4, 1.3 * rows + 0.5), layout="constrained")
    axes = figure.subplots(rows, n_units, squeeze=False)
    limit = float(np.abs(W).max()) or 1.0
    for k in range(n_units):
        if examples is not None:
            axes[0, k].imshow(np.asarray(examples[k]).reshape(shape), cmap="gray_r")
            axes[0, k].set_title(f"input {labels[k]}", fontsize=8)
        ax = axes[-1, k]
        ax.imshow(W[:, k].reshape(shape), cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(f"weights {labels[k]}", fontsize=8)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    figure.suptitle("Perceptron on 20×20 photocells: what each letter unit learned", fontsize=9)
    return atomic_write_figure(figure, path, make_folder=False)
