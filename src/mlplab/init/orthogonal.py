"""Orthogonal initialization [Saxe et al., 2013]."""

import numpy as np

from mlplab.init.spec import INITIALIZERS, check_positive


def orthogonal_matrix(rows: int, cols: int, rng) -> np.ndarray:
    """A (rows, cols) float64 matrix with orthonormal columns (rows ≥ cols) or rows (rows < cols).

    QR of a Gaussian matrix, with the signs of R's diagonal folded into Q so that Q is uniform
    (Haar) over the orthogonal group [Mezzadri, 2007].
    """
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.where(np.diag(r) < 0, -1.0, 1.0)
    return q if rows >= cols else q.T


@INITIALIZERS.register("orthogonal", "orthonormal")
def orthogonal(gain: float = 1.0):
    """W = gain · Q, Q a random orthogonal matrix [Saxe et al., 2013, "Exact solutions to the
    nonlinear dynamics of learning in deep linear neural networks"].

    For W of shape (in, out) with in ≥ out: Wᵀ W = gain² I (every singular value is gain, so a
    deep linear net neither shrinks nor grows any direction); with in < out: W Wᵀ = gain² I.
    A weight of more dimensions, such as Maxout's (in, out, pieces), is orthogonal as the
    (in, out · pieces) matrix it multiplies x with.
    """
    gain = check_positive("gain", gain)

    def init(shape, fan_in, fan_out, dtype, rng):
        cols = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
        rows = shape[0] if len(shape) > 1 else 1
        q = orthogonal_matrix(rows, cols, rng)
        return (gain * q).reshape(shape).astype(dtype)

    return init
