"""A small stand-in trainer used by search trials when ``mlplab.train`` is not available.

Adam with L2 on weights, minibatches from a seeded generator, digits or spiral data split
60/20/20. It reads the same config keys as ``mlplab train`` (``data``, ``hidden``, ``lr``,
``weight_decay``, ``epochs``, ``batch_size``, ``seed``, ``activation``, ``init``).
"""

import math

import numpy as np

from mlplab.errors import ConfigError, DivergenceError
from mlplab.network import MLPConfig, build_mlp

KNOWN = {
    "data", "hidden", "lr", "weight_decay", "epochs", "batch_size", "seed", "activation", "init",
    "optimizer", "dropout", "norm", "out", "quiet",
}  # fmt: skip


def load_split(name: str, seed: int = 0):
    """``(x_train, y_train, x_val, y_val, x_test, y_test)`` for ``digits`` or ``spiral``."""
    if name == "digits":
        from sklearn.datasets import load_digits

        x, y = load_digits(return_X_y=True)
        x = x.astype(np.float32) / 16.0
    elif name == "spiral":
        x, y = spiral(points_per_class=300, classes=3, seed=1)
    else:
        raise ConfigError(f"data: expected digits or spiral, got {name!r}")
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order].astype(np.int64)
    a, b = int(0.6 * len(x)), int(0.8 * len(x))
    mean, std = x[:a].mean(0), x[:a].std(0) + 1e-6
    x = ((x - mean) / std).astype(np.float32)
    return x[:a], y[:a], x[a:b], y[a:b], x[b:], y[b:]


def spiral(points_per_class=300, classes=3, seed=1):
    """The CS231n spiral: ``classes`` arms of noisy points in 2-D."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for k in range(classes):
        r = np.linspace(0.0, 1, points_per_class)
        t = (
            np.linspace(k * 4, (k + 1) * 4, points_per_class)
            + rng.normal(size=points_per_class) * 0.2
        )
        xs.append(np.c_[r * np.sin(t), r * np.cos(t)])
        ys.append(np.full(points_per_class, k))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys)


def minimal_train(config: dict, on_epoch=None, data=None):
    """Train from ``config``; call ``on_epoch(epoch, metrics)``; return ``(model, metrics)``."""
    unknown = set(config) - KNOWN
    if unknown:
        raise ConfigError(f"training config: unknown option(s) {sorted(unknown)}")
    seed = int(config.get("seed", 0))
    xtr, ytr, xva, yva, xte, yte = data or load_split(config.get("data", "digits"), seed=0)
    hidden = config.get("hidden", [100])
    hidden = [int(h) for h in (hidden if isinstance(hidden, list | tuple) else [hidden])]
    net = build_mlp(
        MLPConfig(
            input_size=xtr.shape[1],
            output_size=int(max(ytr.max(), yva.max(), yte.max())) + 1,
            hidden=hidden,
            activation=config.get("activation", "relu"),
            init=config.get("init"),
        ),
        seed=seed,
    )
    lr, l2 = float(config.get("lr", 1e-3)), float(config.get("weight_decay", 0.0))
    epochs, batch = int(config.get("epochs", 10)), int(config.get("batch_size", 64))
    rng = np.random.default_rng(seed)
    slots = {name: [np.zeros_like(layer.params[key])] * 2 for name, layer, key in net.parameters()}
    step = 0
    metrics = {}
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(xtr))
        losses = []
        for i in range(0, len(xtr), batch):
            idx = order[i : i + batch]
            loss = net.loss_and_gradients(xtr[idx], ytr[idx], l2=l2)
            if not math.isfinite(loss):
                raise DivergenceError(
                    f"training diverged: loss is {loss} at epoch {epoch}; lower the learning rate"
                    f" (lr={lr:g})"
                )
            losses.append(loss)
            step += 1
            for name, layer, key in net.parameters():
                g = layer.grads[key]
                m, v = slots[name]
                m = 0.9 * m + 0.1 * g
                v = 0.999 * v + 0.001 * g * g
                slots[name] = [m, v]
                m_hat, v_hat = m / (1 - 0.9**step), v / (1 - 0.999**step)
                layer.params[key] -= (lr * m_hat / (np.sqrt(v_hat) + 1e-8)).astype(g.dtype)
        metrics = evaluate(net, xva, yva, "val") | evaluate(net, xte, yte, "test")
        metrics["train_loss"] = float(np.mean(losses))
        metrics["epoch"] = epoch
        if not math.isfinite(metrics["val_loss"]):
            raise DivergenceError(
                f"training diverged: validation loss is not finite at epoch {epoch}"
            )
        if on_epoch is not None:
            on_epoch(epoch, metrics)
    return net, metrics


def evaluate(net, x, y, prefix: str) -> dict:
    with np.errstate(all="ignore"):
        scores = net.scores(x) if np.isfinite(x).all() else net.forward(x)
        loss, _ = net.loss(scores, y)
    return {
        f"{prefix}_loss": float(loss),
        f"{prefix}_accuracy": float(np.mean(scores.argmax(1) == y)),
    }
