"""Column means and covariances accumulated over row chunks in float64.

Fitting on a memory-mapped training set therefore never holds more than one chunk in memory.
"""

import numpy as np

from mlplab.data.validation import row_chunks


def _chunks(x):
    return row_chunks(x.shape[0], x.shape[1] * max(x.itemsize, 8))


def column_mean(x):
    """μ = (1/N) Σₙ xₙ. Shapes: x (N, D) -> (D,)."""
    total = np.zeros(x.shape[1])
    for rows in _chunks(x):
        total += x[rows].sum(axis=0, dtype=np.float64)
    return total / x.shape[0]


def column_variance(x, mean, ddof=0):
    """σ² = Σₙ (xₙ - μ)² / (N - ddof), per column. Shapes: x (N, D), mean (D,) -> (D,)."""
    total = np.zeros(x.shape[1])
    for rows in _chunks(x):
        centered = x[rows] - mean
        total += (centered * centered).sum(axis=0)
    return total / (x.shape[0] - ddof)


def covariance(x, mean):
    """C = (X - μ)ᵀ (X - μ) / (N - 1), the unbiased covariance (as ``np.cov`` and scikit-learn's
    PCA). Shapes: x (N, D), mean (D,) -> (D, D)."""
    total = np.zeros((x.shape[1], x.shape[1]))
    for rows in _chunks(x):
        centered = x[rows] - mean
        total += centered.T @ centered
    return total / (x.shape[0] - 1)


def eigen_decomposition(cov):
    """Eigenvalues (descending, clipped at 0) and eigenvectors (columns) of a covariance matrix.

    Each eigenvector's sign is fixed so that its largest-magnitude entry is positive (the
    convention of scikit-learn's ``svd_flip``), which makes the result deterministic.
    """
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1]
    values, vectors = np.maximum(values[order], 0.0), vectors[:, order]
    signs = np.sign(vectors[np.argmax(np.abs(vectors), axis=0), np.arange(vectors.shape[1])])
    signs[signs == 0] = 1
    return values, vectors * signs
