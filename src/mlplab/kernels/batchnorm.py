"""Batch normalization in two passes forward and two backward [Ioffe & Szegedy, 2015].

Forward (training): pass 1 gives each chunk of rows its column means and Σ(x - mean)², read
twice while the chunk is in cache, merged by Chan et al.'s rule (1979):
M2 = M2ₐ + M2_b + δ² nₐ n_b / n, δ = mean_b - meanₐ, in float64; pass 2 writes
x̂ = (x - μ) / √(σ² + ε) and y = γ x̂ + β, with μ and 1/√(σ² + ε) in float64
(a float32 μ loses digits that 1/σ magnifies on nearly constant columns). Backward: pass 1
sums Σ dy and Σ dy x̂ per column (float64 partials per chunk); pass 2 writes
dx = γ / (N √(σ² + ε)) (N dy - Σ dy - x̂ Σ dy x̂).
Evaluation: y = x · scale + shift in one pass. Shapes: x, x̂, y, dy, dx (N, D); the rest (D,).
"""

import numba
import numpy as np

from mlplab.kernels.eligibility import choose as _choose


@numba.njit(cache=True)
def _chunk_moments(x, mean, m2, start, stop):
    d = x.shape[1]
    for i in range(start, stop):
        for j in range(d):
            mean[j] += x[i, j]
    count = max(stop - start, 1)
    for j in range(d):
        mean[j] /= count
    for i in range(start, stop):
        for j in range(d):
            v = x[i, j] - mean[j]
            m2[j] += v * v


@numba.njit(cache=True)
def _merge_moments(means, m2s, n, n_chunks):
    """Chan's pairwise update over the chunks: (mean, M2) of all N rows, float64."""
    mean = means[0].copy()
    m2 = m2s[0].copy()
    count = n // n_chunks
    for c in range(1, n_chunks):
        size = (c + 1) * n // n_chunks - c * n // n_chunks
        total = count + size
        for j in range(mean.shape[0]):
            delta = means[c, j] - mean[j]
            mean[j] += delta * size / total
            m2[j] += m2s[c, j] + delta * delta * count * size / total
        count = total
    return mean, m2


@numba.njit(cache=True)
def _normalize_rows(x, mean, inv_std, gamma, beta, xhat, y, start, stop):
    for i in range(start, stop):
        for j in range(x.shape[1]):
            v = (x[i, j] - mean[j]) * inv_std[j]
            xhat[i, j] = v
            y[i, j] = v * gamma[j] + beta[j]


@numba.njit(parallel=True, cache=True)
def _moments(x, n_chunks):
    n, d = x.shape
    means = np.zeros((n_chunks, d), np.float64)
    m2s = np.zeros((n_chunks, d), np.float64)
    for c in numba.prange(n_chunks):
        _chunk_moments(x, means[c], m2s[c], c * n // n_chunks, (c + 1) * n // n_chunks)
    return _merge_moments(means, m2s, n, n_chunks)


@numba.njit(parallel=True, cache=True)
def _normalize(x, mean, inv_std, gamma, beta, xhat, y, n_chunks):
    n = x.shape[0]
    for c in numba.prange(n_chunks):
        start, stop = c * n // n_chunks, (c + 1) * n // n_chunks
        _normalize_rows(x, mean, inv_std, gamma, beta, xhat, y, start, stop)


@numba.njit(cache=True)
def _gradient_sums_rows(dy, xhat, dbeta, dgamma, start, stop):
    for i in range(start, stop):
        for j in range(dy.shape[1]):
            dbeta[j] += dy[i, j]
            dgamma[j] += dy[i, j] * xhat[i, j]


@numba.njit(cache=True)
def _input_gradient_rows(dy, xhat, dbeta, dgamma, scale, dx, start, stop):
    n = dy.dtype.type(dy.shape[0])
    for i in range(start, stop):
        for j in range(dy.shape[1]):
            dx[i, j] = (dy[i, j] * n - dbeta[j] - xhat[i, j] * dgamma[j]) * scale[j]


@numba.njit(parallel=True, cache=True)
def _gradient_sums(dy, xhat, n_chunks):
    n, d = dy.shape
    dbetas = np.zeros((n_chunks, d), np.float64)
    dgammas = np.zeros((n_chunks, d), np.float64)
    for c in numba.prange(n_chunks):
        start, stop = c * n // n_chunks, (c + 1) * n // n_chunks
        _gradient_sums_rows(dy, xhat, dbetas[c], dgammas[c], start, stop)
    return dbetas.sum(axis=0), dgammas.sum(axis=0)


@numba.njit(parallel=True, cache=True)
def _input_gradient(dy, xhat, dbeta, dgamma, scale, dx, n_chunks):
    n = dy.shape[0]
    for c in numba.prange(n_chunks):
        start, stop = c * n // n_chunks, (c + 1) * n // n_chunks
        _input_gradient_rows(dy, xhat, dbeta, dgamma, scale, dx, start, stop)


@numba.njit(parallel=True, cache=True)
def _affine(x, scale, shift, y, n_chunks):
    n = x.shape[0]
    for c in numba.prange(n_chunks):
        for i in range(c * n // n_chunks, (c + 1) * n // n_chunks):
            for j in range(x.shape[1]):
                y[i, j] = x[i, j] * scale[j] + shift[j]


@numba.njit(cache=True)
def _moments_serial(x, n_chunks):
    mean = np.zeros(x.shape[1], np.float64)
    m2 = np.zeros(x.shape[1], np.float64)
    _chunk_moments(x, mean, m2, 0, x.shape[0])
    return mean, m2


@numba.njit(cache=True)
def _normalize_serial(x, mean, inv_std, gamma, beta, xhat, y, n_chunks):
    _normalize_rows(x, mean, inv_std, gamma, beta, xhat, y, 0, x.shape[0])


@numba.njit(cache=True)
def _gradient_sums_serial(dy, xhat, n_chunks):
    dbeta = np.zeros(dy.shape[1], np.float64)
    dgamma = np.zeros(dy.shape[1], np.float64)
    _gradient_sums_rows(dy, xhat, dbeta, dgamma, 0, dy.shape[0])
    return dbeta, dgamma


@numba.njit(cache=True)
def _input_gradient_serial(dy, xhat, dbeta, dgamma, scale, dx, n_chunks):
    _input_gradient_rows(dy, xhat, dbeta, dgamma, scale, dx, 0, dy.shape[0])


@numba.njit(cache=True)
def _affine_serial(x, scale, shift, y, n_chunks):
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            y[i, j] = x[i, j] * scale[j] + shift[j]


def batchnorm_train_forward(x, gamma, beta, eps):
    """(y, x̂, batch mean, biased batch variance, 1/√(σ² + ε)) of a training batch x (N, D);
    the statistics are in x's dtype."""
    moments, n_chunks = _choose(x, _moments, _moments_serial)
    mean, m2 = moments(x, n_chunks)
    var = m2 / x.shape[0]
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat, y = np.empty_like(x), np.empty_like(x)
    normalize, n_chunks = _choose(x, _normalize, _normalize_serial)
    normalize(x, mean, inv_std, gamma, beta, xhat, y, n_chunks)
    dtype = x.dtype
    return y, xhat, mean.astype(dtype), var.astype(dtype), inv_std.astype(dtype)


def batchnorm_train_backward(dy, xhat, gamma, inv_std, dgamma, dbeta, input_grad=True):
    """Fill dγ = Σ dy x̂ and dβ = Σ dy (D,); return dx (N, D), or None without ``input_grad``."""
    gradient_sums, n_chunks = _choose(dy, _gradient_sums, _gradient_sums_serial)
    sums_beta, sums_gamma = gradient_sums(dy, xhat, n_chunks)
    dbeta[...] = sums_beta
    dgamma[...] = sums_gamma
    if not input_grad:
        return None
    scale = gamma * inv_std
    scale /= dy.shape[0]
    dx = np.empty_like(dy)
    input_gradient, n_chunks = _choose(dy, _input_gradient, _input_gradient_serial)
    input_gradient(dy, xhat, dbeta, dgamma, scale, dx, n_chunks)
    return dx


def batchnorm_eval_forward(x, scale, shift):
    """y = x · scale + shift, per column (N, D)."""
    y = np.empty_like(x)
    affine, n_chunks = _choose(x, _affine, _affine_serial)
    affine(x, scale, shift, y, n_chunks)
    return y
