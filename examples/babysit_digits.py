"""Train an MLP on the 8×8 digits while babysitting it: update/weight ratios, layer statistics,
early stopping, checkpoints, and the figures.

    PYTHONPATH=src python examples/babysit_digits.py [OUT_DIR] [--epochs N]

The standardization statistics come from the training rows only, so no test row leaks into them.
"""

import argparse
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

from mlplab.network import build_mlp
from mlplab.plots.learning_curves import plot_learning_curves
from mlplab.plots.training_monitors import plot_training_monitors
from mlplab.training import (
    Checkpoint,
    EarlyStopping,
    LayerStatsMonitor,
    Trainer,
    UpdateRatioMonitor,
)


def main(out: Path, epochs: int = 30) -> None:
    digits = load_digits()
    X, y = digits.data.astype(np.float32), digits.target
    X_train, y_train, X_test, y_test = X[:1400], y[:1400], X[1400:], y[1400:]
    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-6
    X_train, X_test = (X_train - mean) / std, (X_test - mean) / std

    net = build_mlp(
        {"input_size": 64, "output_size": 10, "hidden": [128, 128], "norm": "batch"}, seed=0
    )
    trainer = Trainer(
        net,
        optimizer="adam",
        lr=1e-3,
        schedule="cosine:warmup=2",
        l2=1e-4,
        batch_size=64,
        epochs=epochs,
        seed=0,
        callbacks=[
            UpdateRatioMonitor(),
            LayerStatsMonitor(),
            EarlyStopping(monitor="val_loss", patience=5),
            Checkpoint(out / "checkpoints"),
        ],
    )
    history = trainer.fit(X_train, y_train, validation_split=0.15)
    test = trainer.evaluate(X_test, y_test)
    print(f"{len(history)} epochs; test accuracy {test['accuracy']:.4f}, loss {test['loss']:.4f}")
    ratios = {k: v for k, v in history.records[-1].items() if k.startswith("update_ratio/")}
    print("last update/weight ratios:", {k: f"{v:.1e}" for k, v in ratios.items()})
    history.to_csv(out / "metrics.csv")
    plot_learning_curves(history, out / "learning_curves.png")
    plot_training_monitors(history, out / "monitors.png")
    print(f"wrote {out}/metrics.csv, learning_curves.png, monitors.png, checkpoints/")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=Path("runs/babysit-digits"))
    parser.add_argument("--epochs", type=int, default=30, help="at most this many (default 30)")
    arguments = parser.parse_args()
    main(arguments.out, arguments.epochs)
