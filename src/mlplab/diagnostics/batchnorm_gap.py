"""Batch norm's train/test mismatch: batch statistics against the running averages.

Training normalizes with the batch's μ_B, σ²_B; evaluation with the running averages. When they
disagree — small batches (noisy μ_B, σ²_B), data that shifts, a momentum that lags — the network
evaluated is not the network trained. Per BatchNorm layer and feature f:

    mean gap  = |μ_B,f − running_mean_f| / √(running_var_f + ε)   (in running std)
    var ratio = σ²_B,f / running_var_f                           (σ²_B unbiased, as PyTorch)

each averaged over features and over batches. The train/eval difference of the scores,
mean |s_train − s_eval| / mean |s_train|, with s_train from batch statistics (dropout off), is
*marked* above ``MARKED_DIFFERENCE`` = 0.5: the scores then move by half their own size between
the two modes, enough to change many predictions.
"""

import numpy as np

from mlplab.layers import BatchNorm, Dropout

#: a train/eval score difference above this is reported as marked (see the module docstring)
MARKED_DIFFERENCE = 0.5


def has_batchnorm(net) -> bool:
    return any(isinstance(layer, BatchNorm) for layer in net.layers)


def batch_statistics_gap(net, x) -> tuple[list[dict], np.ndarray]:
    """One batch x (N ≥ 2, D) through ``net`` with batch statistics, running averages untouched
    and dropout off: (per BatchNorm layer {"layer", "mean_gap", "var_ratio"}, scores (N, C))."""
    h = np.asarray(x, dtype=net.dtype)
    gaps = []
    for index, layer in enumerate(net.layers):
        if isinstance(layer, Dropout):
            continue
        if not isinstance(layer, BatchNorm):
            h = layer.forward(h, False)
            continue
        mean, var = h.mean(axis=0), h.var(axis=0)
        running_mean = layer.buffers["running_mean"].astype(np.float64)
        running_var = layer.buffers["running_var"].astype(np.float64)
        unbiased = var * (len(h) / (len(h) - 1))
        gaps.append(
            {
                "layer": index,
                "mean_gap": float(
                    np.mean(np.abs(mean - running_mean) / np.sqrt(running_var + layer.eps))
                ),
                "var_ratio": float(np.mean(unbiased / np.maximum(running_var, 1e-12))),
            }
        )
        h = (h - mean) / np.sqrt(var + layer.eps) * layer.params["gamma"] + layer.params["beta"]
    return gaps, np.asarray(h, dtype=np.float64)


def batchnorm_gap(net, x, batch_size: int, max_batches: int = 20) -> dict | None:
    """The gaps and the train/eval score difference over consecutive batches of ``batch_size``
    rows of x (at most ``max_batches``), averaged; None when the net has no BatchNorm layer."""
    if not has_batchnorm(net):
        return None
    x = np.asarray(x, dtype=net.dtype)
    size = max(2, min(int(batch_size), len(x)))
    starts = range(0, max(len(x) - size, 0) + 1, size)[:max_batches]
    per_batch, differences = [], []
    for start in starts:
        batch = x[start : start + size]
        gaps, train_scores = batch_statistics_gap(net, batch)
        eval_scores = np.asarray(net.forward(batch, False), dtype=np.float64)
        scale = max(float(np.abs(train_scores).mean()), 1e-12)
        differences.append(float(np.abs(train_scores - eval_scores).mean()) / scale)
        per_batch.append(gaps)
    layers = [
        {
            "layer": entries[0]["layer"],
            "mean_gap": float(np.mean([e["mean_gap"] for e in entries])),
            "var_ratio": float(np.mean([e["var_ratio"] for e in entries])),
        }
        for entries in zip(*per_batch, strict=True)
    ]
    difference = float(np.mean(differences))
    return {
        "batch_size": size,
        "batches": len(per_batch),
        "layers": layers,
        "train_eval_difference": difference,
        "marked": difference > MARKED_DIFFERENCE,
        "threshold": MARKED_DIFFERENCE,
    }


def summary_line(gap: dict, where: str = "") -> str:
    """One line for ``mlplab info``: the largest gap, the difference, and a warning if marked."""
    worst = max(gap["layers"], key=lambda e: e["mean_gap"])
    line = (
        f"batch norm{where}: batch of {gap['batch_size']} vs running averages: mean gap up to "
        f"{worst['mean_gap']:.2f} running std (layer {worst['layer']}), variance ratio "
        f"{worst['var_ratio']:.2f}; train/eval scores differ by "
        f"{gap['train_eval_difference']:.0%}"
    )
    if gap["marked"]:
        line += f" — WARNING: above {gap['threshold']:.0%}, evaluation is not what was trained"
    return line
