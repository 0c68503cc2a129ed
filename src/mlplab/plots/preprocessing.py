"""The lecture's preprocessing figure on 2-D data.

Top row: original data → zero-centered (X -= mean) → normalized (X /= std).
Bottom row: original data → decorrelated (X_rot = X U, diagonal covariance) → whitened
(X_rot / √(λ + ε), covariance the identity).
"""

from pathlib import Path

import numpy as np

from mlplab.errors import ShapeError
from mlplab.files.atomic import atomic_write_figure


def plot_preprocessing(x, y, path, title: str = "", feature_names=("x₁", "x₂")):
    """Draw the six panels for points x (N, 2) coloured by class y (N,) and save a PNG at
    ``path`` (written atomically). Returns the path."""
    from matplotlib.figure import Figure

    from mlplab.data.preprocessing import PCA, Standardize, ZeroCenter

    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ShapeError(f"preprocessing figure: expected points of shape (N, 2), got {x.shape}")
    panels = [
        ("original data", x),
        ("zero-centered data", ZeroCenter().fit_transform(x)),
        ("normalized data", Standardize().fit_transform(x)),
        ("original data", x),
        ("decorrelated data", PCA().fit_transform(x)),
        ("whitened data", PCA(whiten=True).fit_transform(x)),
    ]
    fig = Figure(figsize=(12, 8), layout="constrained")
    axes = fig.subplots(2, 3)
    cmap = "coolwarm" if len(np.unique(y)) <= 2 else "tab10"
    for i, (ax, (name, points)) in enumerate(zip(axes.flat, panels, strict=True)):
        ax.scatter(points[:, 0], points[:, 1], c=y, cmap=cmap, s=8, alpha=0.8)
        ax.axhline(0, color="0.6", lw=0.8)
        ax.axvline(0, color="0.6", lw=0.8)
        ax.set_aspect("equal", adjustable="datalim")
        cov = np.cov(points, rowvar=False)
        ax.set_title(
            f"{name}\nvariances {cov[0, 0]:.2f}, {cov[1, 1]:.2f}; covariance {cov[0, 1]:.2f}"
        )
        rotated = i in (4, 5)
        ax.set_xlabel("principal component 1" if rotated else feature_names[0])
        ax.set_ylabel("principal component 2" if rotated else feature_names[1])
    if title:
        fig.suptitle(title)
    return atomic_write_figure(fig, Path(path))
