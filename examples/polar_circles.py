"""The lecture's feature transform: a linear classifier fails on the red and blue circles and
succeeds once the points are mapped to polar coordinates f(x, y) = (r, θ).

The classifier is softmax regression (one Linear layer, softmax cross-entropy) trained by plain
full-batch gradient descent. Run: PYTHONPATH=src python examples/polar_circles.py
"""

import numpy as np

from mlplab.data import Preprocessing, load_data
from mlplab.layers import Linear
from mlplab.losses import SoftmaxCrossEntropy


def train_softmax_regression(x, y, n_classes, steps=500, lr=0.5, seed=0):
    """Fit W, b of scores = x W + b by gradient descent on the softmax loss; return the layer."""
    layer = Linear(
        x.shape[1], n_classes, init="xavier", dtype=np.float64, rng=np.random.default_rng(seed)
    )
    loss = SoftmaxCrossEntropy()
    for _ in range(steps):
        _, dscores = loss(layer.forward(x, training=True), y)
        layer.backward(dscores)
        for key, param in layer.params.items():
            param -= lr * layer.grads[key]
    return layer


def accuracy(layer, x, y):
    return float((layer.forward(x).argmax(axis=1) == y).mean())


def main():
    data = load_data("circles", seed=0)
    results = {}
    for name, specs in (("raw (x, y)", "standardize"), ("polar (r, θ)", "polar,standardize")):
        prep = Preprocessing.from_specs(specs).fit(data.x_train)
        x_train = prep.transform(data.x_train).astype(np.float64)
        x_test = prep.transform(data.x_test).astype(np.float64)
        layer = train_softmax_regression(x_train, data.y_train, data.n_classes)
        results[name] = (
            accuracy(layer, x_train, data.y_train),
            accuracy(layer, x_test, data.y_test),
        )
        train, test = results[name]
        print(f"{name:14s} train accuracy {train:.3f}   test accuracy {test:.3f}")
    return results


if __name__ == "__main__":
    main()
