"""scikit-learn's MLPClassifier on the built-in digits: the network of ``mlplab train`` without
its batch norm (scikit-learn has none). Usage: ``python sklearn_digits.py MODEL_PATH``."""

import pickle
import sys

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

x, y = load_digits(return_X_y=True)
x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, random_state=0)
scaler = StandardScaler().fit(x_train)
clf = MLPClassifier(
    hidden_layer_sizes=(256, 256),
    solver="adam",
    learning_rate_init=1e-3,
    batch_size=64,
    max_iter=20,
    tol=0.0,
    n_iter_no_change=10**9,
    random_state=0,
)
clf.fit(scaler.transform(x_train), y_train)
with open(sys.argv[1], "wb") as f:
    pickle.dump((scaler, clf), f)
print(f"test accuracy {clf.score(scaler.transform(x_test), y_test):.4f}")
