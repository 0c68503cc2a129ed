"""Per-layer statistics of a network's activations on a batch (babysitting).

For each layer's output H (N, units): the mean and std; for activation layers the fraction of
dead units (a rectifier unit whose output is ≤ 0 for every row) and of saturated outputs (tanh
beyond ±0.99, sigmoid below 0.01 or above 0.99).
"""

RECTIFIERS = {"ReLU", "LeakyReLU", "PReLU", "ELU", "Maxout", "HingedRectifier"}
SATURATION = {"Tanh": (-1.0, 1.0), "Sigmoid": (0.0, 1.0)}
MARGIN = 0.01


def layer_statistics(net, x) -> list[dict]:
    """Per layer of ``net``: the mean, std, dead and saturated fractions of its output on ``x``
    (evaluation mode). ``dead``/``saturated`` are ``None`` where they do not apply."""
    stats = []
    h = x
    for i, layer in enumerate(net.layers):
        h = layer.forward(h, False)
        kind = type(layer).__name__
        entry = {"layer": i, "type": kind, "mean": float(h.mean()), "std": float(h.std())}
        entry["dead"] = float((h <= 0).all(axis=0).mean()) if kind in RECTIFIERS else None
        if kind in SATURATION:
            low, high = SATURATION[kind]
            entry["saturated"] = float(((h < low + MARGIN) | (h > high - MARGIN)).mean())
        else:
            entry["saturated"] = None
        stats.append(entry)
    return stats
