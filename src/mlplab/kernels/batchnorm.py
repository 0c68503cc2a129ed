"""Batch normalization in two passes forward and two backward [Ioffe & Szegedy, 2015].

Forward (training): pass 1 gives each span of rows its column means and Σ(x - mean)², read
twice while the span is in cache, merged by Chan et al.'s rule (1979):
M2 = M2ₐ + M2_b + δ² nₐ n_b / n, δ = mean_b - meanₐ, in float64; pass 2 writes
x̂ = (x - μ) / √(σ² + ε) and y = γ x̂ + β, with μ and 1/√(σ² + ε) in float64
(a float32 μ loses digits that 1/σ magnifies on nearly constant columns). Backward: pass 1
sums Σ dy and Σ dy x̂ per column (float64 partials per span); pass 2 writes
dx = γ / (N √(σ² + ε)) (N dy - Σ dy - x̂ Σ dy x̂).
Evaluation: y = x · scale + shift in one pass. The passes are ``native/batchnorm.h``.
Shapes: x, x̂, y, dy, dx (N, D); the rest (D,).
"""

import numpy as np

from mlplab.kernels import pool
from mlplab.kernels.eligibility import row_spans
from mlplab.kernels.runtime import compiled


def _merge_moments(means, m2s, spans):
    """Chan's pairwise update over the spans: (mean, M2) of all rows, float64."""
    if len(spans) == 1:
        return means[0], m2s[0]
    mean, m2 = means[0].copy(), m2s[0].copy()
    count = spans[0][1] - spans[0][0]
    for c in range(1, len(spans)):
        size = spans[c][1] - spans[c][0]
        total = count + size
        delta = means[c] - mean
        mean += delta * size / total
        m2 += m2s[c] + delta * delta * count * size / total
        count = total
    return mean, m2


def batchnorm_train_forward(x, gamma, beta, eps):
    """(y, x̂, batch mean, biased batch variance, 1/√(σ² + ε)) of a training batch x (N, D);
    the statistics are in x's dtype."""
    kernels = compiled()
    spans = row_spans(x)
    means, m2s = np.zeros((2, len(spans), x.shape[1]))
    pool.each_span(kernels.bn_moments, spans, x, sums=(means, m2s))
    mean, m2 = _merge_moments(means, m2s, spans)
    var = m2 / x.shape[0]
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat, y = np.empty_like(x), np.empty_like(x)
    pool.each_span(kernels.bn_normalize, spans, x, mean, inv_std, gamma, beta, xhat, y)
    dtype = x.dtype
    return y, xhat, mean.astype(dtype), var.astype(dtype), inv_std.astype(dtype)


def batchnorm_train_backward(dy, xhat, gamma, inv_std, dgamma, dbeta, input_grad=True):
    """Fill dγ = Σ dy x̂ and dβ = Σ dy (D,); return dx (N, D), or None without ``input_grad``."""
    kernels = compiled()
    spans = row_spans(dy)
    dbetas, dgammas = np.zeros((2, len(spans), dy.shape[1]))
    pool.each_span(kernels.bn_gradient_sums, spans, dy, xhat, sums=(dbetas, dgammas))
    dbeta[...] = dbetas.sum(axis=0)
    dgamma[...] = dgammas.sum(axis=0)
    if not input_grad:
        return None
    scale = gamma * inv_std
    scale /= dy.shape[0]
    dx = np.empty_like(dy)
    pool.each_span(kernels.bn_input_gradient, spans, dy, xhat, dbeta, dgamma, scale, dx)
    return dx


def batchnorm_eval_forward(x, scale, shift):
    """y = x · scale + shift, per column (N, D)."""
    y = np.empty_like(x)
    pool.each_span(compiled().affine_columns, row_spans(x), x, scale, shift, y)
    return y
