"""Built-in datasets by name (``DATASETS``): scikit-learn's bundled files or generated points.

Each factory takes ``seed``, ``val_fraction`` and ``test_fraction`` (and its own options) and
returns a ``Dataset`` with seeded stratified training/validation/test splits; features float32.
"""

import numpy as np

from mlplab.data.from_arrays import TEST_FRACTION, VAL_FRACTION, dataset_from_arrays
from mlplab.data.synthetic import make_circles, make_spiral, make_xor
from mlplab.registry import Registry

DATASETS = Registry("dataset")


def _split(name, x, y, seed, val_fraction, test_fraction, feature_shape=None, classes=None):
    if classes is not None:
        y = np.asarray(classes)[y]
    return dataset_from_arrays(
        name,
        x.astype(np.float32),
        y,
        source=f"built-in {name}",
        feature_shape=feature_shape,
        seed=seed,
        val_fraction=val_fraction,
        test_fraction=test_fraction,
    )


@DATASETS.register("digits")
def digits(seed=0, val_fraction=VAL_FRACTION, test_fraction=TEST_FRACTION):
    """1,797 handwritten digits, 8×8 grey levels 0..16, 10 classes (scikit-learn's bundled copy
    of the UCI optical digits test set). Feature shape (8, 8, 1)."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return _split("digits", bunch.data, bunch.target, seed, val_fraction, test_fraction, (8, 8, 1))


@DATASETS.register("iris")
def iris(seed=0, val_fraction=VAL_FRACTION, test_fraction=TEST_FRACTION):
    """Fisher's 150 irises: 4 measurements in cm, 3 species (labels are the species names)."""
    from sklearn.datasets import load_iris

    bunch = load_iris()
    return _split(
        "iris",
        bunch.data,
        bunch.target,
        seed,
        val_fraction,
        test_fraction,
        classes=list(bunch.target_names),
    )


@DATASETS.register("spiral")
def spiral(
    seed=0,
    val_fraction=VAL_FRACTION,
    test_fraction=TEST_FRACTION,
    classes=3,
    points_per_class=200,
    noise=0.2,
):
    """K interleaved spiral arms in the plane (default 3 × 200 points)."""
    x, y = make_spiral(points_per_class, classes, noise, seed=seed)
    return _split("spiral", x, y, seed, val_fraction, test_fraction)


@DATASETS.register("circles")
def circles(seed=0, val_fraction=VAL_FRACTION, test_fraction=TEST_FRACTION, n_samples=600):
    """The lecture's red and blue points: a disc inside a ring; no line separates them."""
    x, y = make_circles(n_samples, seed=seed)
    return _split("circles", x, y, seed, val_fraction, test_fraction)


@DATASETS.register("xor")
def xor(seed=0, val_fraction=VAL_FRACTION, test_fraction=TEST_FRACTION, n_samples=400):
    """Four blobs at (±1, ±1) labelled by the XOR of the coordinate signs."""
    x, y = make_xor(n_samples, seed=seed)
    return _split("xor", x, y, seed, val_fraction, test_fraction)
