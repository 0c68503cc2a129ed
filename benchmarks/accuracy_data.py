"""The datasets of the accuracy benchmark (``accuracy.py``): offline, fixed, split per seed.

Each dataset is generated (or read from scikit-learn's bundled files) once, with a fixed data
seed, so every seed sees the same rows; ``split(name, seed)`` then draws a stratified
train/test split with that seed — the same split for every model of that seed.

=================  ========  ========  =======  ===============================================
name               rows      features  classes  what it tests
=================  ========  ========  =======  ===============================================
iris               150       4         3        tiny, easy
wine               178       13        3        tiny, separable
breast_cancer      569       30        2        small, a few noisy rows
digits             1,797     64        10       small images (8 × 8)
moons              1,000     2         2        noise 0.3: a curved boundary, ~10 % overlap
classification10   3,000     50        10       20 informative, 5 % flipped labels
redundant          2,000     100       4        5 informative, 45 redundant, 50 noise features
many_classes       4,000     40        40       40 classes, 100 rows each
imbalanced         3,000     20        3        classes in 90 % / 7 % / 3 %
signals            5,000     128       10       noisy 1-D signals, shifted; 4,000 train / 1,000
shapes             4,000     256       10       16 × 16 images of shapes, moved and noisy
large              60,000    40        7        50,000 train / 10,000 test, 15 informative
=================  ========  ========  =======  ===============================================

    from accuracy_data import DATASETS, split, save_npz
    x_train, y_train, x_test, y_test = split("signals", seed=0)
    save_npz("signals", 0, "/tmp/signals.npz")      # what ``mlplab train --data`` reads
"""

from dataclasses import dataclass
from functools import cache

import numpy as np
from sklearn import datasets as skd
from sklearn.model_selection import train_test_split

#: the seed of every generated dataset (the rows); the split's seed is the benchmark's seed.
DATA_SEED = 1234


@dataclass(frozen=True)
class Spec:
    """A dataset: how to make its rows (X, y) and the share (or count) of test rows."""

    make: object
    test: float | int = 0.3
    kind: str = ""


def _iris():
    return skd.load_iris(return_X_y=True)


def _wine():
    return skd.load_wine(return_X_y=True)


def _breast_cancer():
    return skd.load_breast_cancer(return_X_y=True)


def _digits():
    return skd.load_digits(return_X_y=True)


def _moons():
    return skd.make_moons(n_samples=1000, noise=0.3, random_state=DATA_SEED)


def _classification10():
    return skd.make_classification(
        n_samples=3000, n_features=50, n_informative=20, n_redundant=0, n_classes=10,
        n_clusters_per_class=1, flip_y=0.05, random_state=DATA_SEED,
    )  # fmt: skip


def _redundant():
    return skd.make_classification(
        n_samples=2000, n_features=100, n_informative=5, n_redundant=45, n_classes=4,
        n_clusters_per_class=2, flip_y=0.02, random_state=DATA_SEED,
    )  # fmt: skip


def _many_classes():
    return skd.make_classification(
        n_samples=4000, n_features=40, n_informative=30, n_redundant=5, n_classes=40,
        n_clusters_per_class=1, class_sep=1.5, flip_y=0.01, random_state=DATA_SEED,
    )  # fmt: skip


def _imbalanced():
    return skd.make_classification(
        n_samples=3000, n_features=20, n_informative=8, n_redundant=4, n_classes=3,
        n_clusters_per_class=2, weights=[0.90, 0.07, 0.03], flip_y=0.01, class_sep=0.8,
        random_state=DATA_SEED,
    )  # fmt: skip


def _large():
    return skd.make_classification(
        n_samples=60_000, n_features=40, n_informative=15, n_redundant=10, n_classes=7,
        n_clusters_per_class=3, flip_y=0.03, class_sep=0.9, random_state=DATA_SEED,
    )  # fmt: skip


def _signals(n_per_class: int = 500, length: int = 128, noise: float = 0.9):
    """Ten classes of 1-D signals: each a waveform (sine, square, sawtooth, chirp, damped,
    bumps, two-tone, ...) with a class frequency; every row is shifted in time by a random
    phase, scaled in amplitude (0.6–1.4), given a random offset and Gaussian noise of std
    ``noise``. Neighbouring classes share waveforms and differ by frequency."""
    rng = np.random.default_rng(DATA_SEED)
    t = np.linspace(0.0, 1.0, length, endpoint=False)
    rows, labels = [], []
    for label in range(10):
        for _ in range(n_per_class):
            phase = rng.uniform(0, 2 * np.pi)
            shift = rng.uniform(0, 1)
            f = (2.0, 2.6, 3.4, 3.4, 4.2, 5.0, 5.0, 6.0, 3.0, 4.6)[label] * rng.uniform(0.92, 1.08)
            wave = _waveform(label, (t + shift) % 1.0, f, phase, rng)
            amplitude = rng.uniform(0.6, 1.4)
            rows.append(amplitude * wave + rng.normal(0, 0.3) + rng.normal(0, noise, length))
            labels.append(label)
    return np.asarray(rows, np.float32), np.asarray(labels)


def _waveform(label: int, t, f: float, phase: float, rng):
    angle = 2 * np.pi * f * t + phase
    if label in (0, 1):
        return np.sin(angle)
    if label == 2:
        return np.sign(np.sin(angle))
    if label == 3:
        return 2 * ((f * t + phase / (2 * np.pi)) % 1.0) - 1  # sawtooth
    if label == 4:
        return np.sin(2 * np.pi * (f * t + 3 * t**2) + phase)  # chirp
    if label == 5:
        return np.exp(-2 * t) * np.sin(angle) * 1.6  # damped
    if label == 6:
        return np.sin(angle) + 0.6 * np.sin(2 * angle)  # two-tone
    if label == 7:
        return np.abs(np.sin(angle)) * 2 - 1  # rectified
    if label == 8:
        centres = rng.uniform(0.1, 0.9, 3)
        return sum(np.exp(-((t - c) ** 2) / 0.002) for c in centres) * 1.5 - 0.3  # bumps
    return np.sin(angle) * (t > rng.uniform(0.2, 0.5))  # a burst that starts late


def _shapes(n_per_class: int = 400, size: int = 16, noise: float = 0.3):
    """Ten classes of ``size`` × ``size`` grey images: bars, cross, square, disc, ring,
    triangle, L, T, diagonal — each drawn at a random position and scale, with random
    brightness and Gaussian pixel noise."""
    rng = np.random.default_rng(DATA_SEED)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    rows, labels = [], []
    for label in range(10):
        for _ in range(n_per_class):
            r = rng.uniform(3.0, 5.5)
            cy, cx = rng.uniform(r, size - r, 2)
            image = _shape(label, yy - cy, xx - cx, r).astype(np.float32)
            image *= rng.uniform(0.6, 1.2)
            rows.append((image + rng.normal(0, noise, image.shape)).ravel())
            labels.append(label)
    return np.asarray(rows, np.float32), np.asarray(labels)


def _shape(label: int, dy, dx, r: float):
    near = np.abs
    if label == 0:
        return (near(dy) < 1) & (near(dx) < r)  # horizontal bar
    if label == 1:
        return (near(dx) < 1) & (near(dy) < r)  # vertical bar
    if label == 2:
        return ((near(dy) < 1) & (near(dx) < r)) | ((near(dx) < 1) & (near(dy) < r))  # cross
    if label == 3:
        return (np.maximum(near(dy), near(dx)) < r) & (np.maximum(near(dy), near(dx)) > r - 1.5)
    if label == 4:
        return dy**2 + dx**2 < r**2  # disc
    if label == 5:
        d = np.sqrt(dy**2 + dx**2)
        return (d < r) & (d > r - 1.5)  # ring
    if label == 6:
        return (dy < r) & (dy > -r) & (near(dx) < (dy + r) / 2)  # triangle
    if label == 7:
        return ((near(dx + r / 2) < 1) & (near(dy) < r)) | ((near(dy - r + 1) < 1) & (near(dx) < r))
    if label == 8:
        return ((near(dy + r - 1) < 1) & (near(dx) < r)) | ((near(dx) < 1) & (near(dy) < r))  # T
    return (near(dy - dx) < 1.2) & (near(dx) < r)  # diagonal


DATASETS = {
    "iris": Spec(_iris, kind="tabular, tiny"),
    "wine": Spec(_wine, kind="tabular, tiny"),
    "breast_cancer": Spec(_breast_cancer, kind="tabular, small"),
    "digits": Spec(_digits, kind="8x8 images"),
    "moons": Spec(_moons, kind="2-D, noise 0.3"),
    "classification10": Spec(_classification10, kind="10 classes, 5% flipped"),
    "redundant": Spec(_redundant, kind="redundant + noise features"),
    "many_classes": Spec(_many_classes, kind="40 classes"),
    "imbalanced": Spec(_imbalanced, kind="90/7/3 % classes"),
    "signals": Spec(_signals, test=1000, kind="noisy 1-D signals"),
    "shapes": Spec(_shapes, kind="16x16 noisy images"),
    "large": Spec(_large, test=10_000, kind="60k rows"),
}
#: a few datasets of every kind, for iterating (``accuracy.py --quick``).
QUICK = ("digits", "moons", "classification10", "signals", "shapes", "imbalanced")


@cache
def rows(name: str):
    """All rows of dataset ``name``: (X float32, y int64), generated once."""
    x, y = DATASETS[name].make()
    return np.asarray(x, np.float32), np.asarray(y, np.int64)


def split(name: str, seed: int):
    """``x_train, y_train, x_test, y_test`` of ``name``: a stratified split drawn with ``seed``."""
    x, y = rows(name)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=DATASETS[name].test, stratify=y, random_state=seed
    )
    return x_train, y_train, x_test, y_test


def save_npz(name: str, seed: int, path) -> str:
    """Write the split of ``name`` with ``seed`` as an NPZ that ``mlplab train --data`` reads."""
    x_train, y_train, x_test, y_test = split(name, seed)
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return str(path)


def describe(name: str) -> dict:
    """Rows, features, classes and kind of ``name`` (for the report)."""
    x, y = rows(name)
    return {
        "rows": len(x),
        "features": int(x.shape[1]),
        "classes": int(len(np.unique(y))),
        "kind": DATASETS[name].kind,
    }
