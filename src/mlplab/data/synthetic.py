"""Generated 2-D point sets: spiral arms, concentric circles, XOR. Seeded; nothing downloaded.

Each generator returns (x, y): x (N, 2) float64 points, y (N,) integer classes.
"""

import numpy as np

from mlplab.errors import ConfigError


def _check_count(name, value, minimum):
    if int(value) < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def make_spiral(points_per_class=200, classes=3, noise=0.2, turns=1.0, seed=0):
    """K interleaved spiral arms: radius r ∈ [0, 1], angle θ = 2π·turns·r·(4/2π) + 2πk/K + noise.

    The classic data that a linear classifier cannot fit (CS231n's spiral example).
    """
    n = _check_count("points_per_class", points_per_class, 1)
    k = _check_count("classes", classes, 2)
    rng = np.random.default_rng(seed)
    x = np.empty((n * k, 2))
    y = np.repeat(np.arange(k), n)
    for c in range(k):
        r = np.linspace(0.0, 1.0, n)
        theta = 4.0 * turns * r + 2 * np.pi * c / k + rng.standard_normal(n) * noise
        x[c * n : (c + 1) * n] = np.column_stack([r * np.sin(theta), r * np.cos(theta)])
    return x, y


def make_circles(n_samples=600, inner_radius=1.0, outer_radius=(1.5, 2.2), noise=0.05, seed=0):
    """The lecture's red and blue points: a disc of one class inside a ring of the other.

    No line separates them; in polar coordinates (r, θ) the threshold r = inner_radius does.
    Class 0: uniform in the disc r < inner_radius; class 1: uniform in the ring
    outer_radius[0] < r < outer_radius[1]; both jittered by Gaussian noise.
    """
    n = _check_count("n_samples", n_samples, 2)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    low = np.where(y == 0, 0.0, outer_radius[0])
    high = np.where(y == 0, inner_radius, outer_radius[1])
    # uniform in area: r = sqrt(U(low², high²))
    r = np.sqrt(rng.uniform(low**2, high**2))
    theta = rng.uniform(-np.pi, np.pi, n)
    x = np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    x += rng.standard_normal(x.shape) * noise
    return x, y


def make_xor(n_samples=400, spread=0.35, seed=0):
    """Four Gaussian blobs at (±1, ±1); the class is 1 where the signs of x and y differ."""
    n = _check_count("n_samples", n_samples, 4)
    rng = np.random.default_rng(seed)
    corners = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    which = np.arange(n) % 4
    x = corners[which] + rng.standard_normal((n, 2)) * spread
    y = (which >= 2).astype(np.int64)
    return x, y
