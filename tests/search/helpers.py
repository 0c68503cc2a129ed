"""A fake, instant trainer for search tests: accuracy is a known function of the parameters.

Accuracy peaks at lr = 1e-2 (1.0) and falls by 0.2 per decade; ``lr`` above ``DIVERGE_ABOVE``
raises DivergenceError like a real exploding run. Environment variables steer it from
subprocesses: ``FAKE_TRAIN_LOG`` (append ``pid lr`` per trial), ``FAKE_TRAIN_SLEEP`` (seconds per
epoch), ``FAKE_TRAIN_HANG`` (a path: the first trial to create it sleeps for a minute).
"""

import math
import os
import time

from mlplab.errors import DivergenceError

DIVERGE_ABOVE = 0.5


def accuracy(lr: float) -> float:
    return max(0.0, 1.0 - 0.2 * abs(math.log10(lr) + 2))


def fake_train(config, on_epoch, out_dir=None):
    lr = config["training"]["lr"]
    epochs = config["training"].get("epochs", 3)
    if log := os.environ.get("FAKE_TRAIN_LOG"):
        with open(log, "a") as f:
            f.write(f"{os.getpid()} {lr!r}\n")
    hang = os.environ.get("FAKE_TRAIN_HANG")
    if hang:
        try:
            with open(hang, "x"):
                pass
            time.sleep(60)
        except FileExistsError:
            pass
    if lr > DIVERGE_ABOVE:
        raise DivergenceError(f"training diverged: loss is nan at epoch 1; lower lr={lr:g}")
    final = accuracy(lr)
    for epoch in range(1, epochs + 1):
        time.sleep(float(os.environ.get("FAKE_TRAIN_SLEEP", "0")))
        on_epoch(epoch, {"val_accuracy": final * epoch / epochs, "val_loss": 1.0 / epoch})
    return {"val_accuracy": final, "test_accuracy": final - 0.01, "epoch": epochs}
