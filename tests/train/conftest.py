import numpy as np
import pytest


@pytest.fixture(scope="session")
def digits():
    """The 8×8 digits scaled to [0, 1] (float32), first 1000 rows train, rest test."""
    from sklearn.datasets import load_digits

    d = load_digits()
    X = (d.data / 16.0).astype(np.float32)
    y = d.target.astype(np.int64)
    return X[:1000], y[:1000], X[1000:], y[1000:]
