"""Every optimizer's update over the packed parameter buffer in one pass, with the gradient
transforms folded in.

The NumPy reference (``mlplab.optim``) makes 4 (momentum) to 12 (Adam) passes over the
buffer per step, plus 2–3 per gradient transform. Here each element is read and written once:

    ĝ = ((g + λ₂·w) + λ₁·sign(w))·s     (λ₂, λ₁ on weights only; s the clipping factor)
    then the optimizer's rule on ĝ, written back to g when a transform changed it

with the same float operations in the same order as the reference, each constant rounded to
the buffer's dtype as NumPy rounds a Python float (so the two paths agree bit for bit; only
the clipping factor's and the penalty's sums, here accumulated in float64 chunk by chunk,
differ in rounding). ``error_model="numpy"`` (x/0 is inf, no exception branch) lets LLVM
vectorize the loops.

The buffer is cut into ``chunks``: rows (start, stop, decays) of at most ``optim.CHUNK``
values, split where a weight (``layer.decay_params``) meets a bias, so weight decay is a
per-chunk flag. With ``serial`` the chunks run in order on the calling thread (small
buffers: starting the thread team costs more than it saves); else ``numba.prange`` spreads
them over Numba's threads (``mlplab.set_threads``).
"""

import numba
import numpy as np

#: below this many values (above every benchmark network) an update runs on the calling thread:
#: serial, the fused update is already 2–6× the reference's speed and a small share of a step,
#: while a fork-join over cores that other work holds waited 10–100× longer (measured with
#: benchmarks/fused_updates.py; docs/performance.md)
PARALLEL_MIN = 1 << 23

#: flags of the folded gradient transforms and AdamW's decoupled decay
L2, L1, CLIP, DECOUPLED = 1, 2, 4, 8
#: a folded transform changes g: the update writes ĝ back (the layers' grads read as after
#: the reference chain)
CHANGES_GRADIENT = L2 | L1 | CLIP

JIT = {"cache": True, "error_model": "numpy", "nogil": True}


@numba.njit(**JIT)
def _transformed(gi, wi, decays, flags, fold):
    """ĝ of one element, ``fold`` = (λ₂, λ₁, s): the reference chain's L2, L1 and clipping
    steps, in its order."""
    if decays:
        if flags & L2:
            gi = gi + fold[0] * wi
        if flags & L1:
            gi = gi + fold[1] * np.sign(wi)
    if flags & CLIP:
        gi = gi * fold[2]
    return gi


@numba.njit(**JIT)
def _momentum_chunk(p, g, v, decays, flags, fold, kind, hyper):
    """``hyper`` = (μ, −lr). kind 0 SGD: p += g·(−lr); 1 momentum: v = v·μ + g,
    p += v·(−lr); 2 Nesterov: v = v·μ + g, p += (v·μ + g)·(−lr)."""
    mu, neg_lr = hyper
    for i in range(p.shape[0]):
        gi = _transformed(g[i], p[i], decays, flags, fold)
        if flags & CHANGES_GRADIENT:
            g[i] = gi
        if kind == 0:
            step = gi * neg_lr
        else:
            vi = v[i] * mu + gi
            v[i] = vi
            step = (vi * mu + gi) * neg_lr if kind == 2 else vi * neg_lr
        p[i] = p[i] + step


@numba.njit(**JIT)
def _mean_square_chunk(p, g, e, decays, flags, fold, hyper):
    """``hyper`` = (ρ, 1−ρ, ε, −lr). RMSProp: e = e·ρ + (g·g)·(1−ρ); p += g / (√e + ε)·(−lr).
    AdaGrad is ρ = 1, 1−ρ = 1 (a product with 1 is exact: the reference's e + g·g)."""
    rho, one_minus_rho, eps, neg_lr = hyper
    for i in range(p.shape[0]):
        gi = _transformed(g[i], p[i], decays, flags, fold)
        if flags & CHANGES_GRADIENT:
            g[i] = gi
        ei = e[i] * rho + (gi * gi) * one_minus_rho
        e[i] = ei
        p[i] = p[i] + (gi / (np.sqrt(ei) + eps)) * neg_lr


@numba.njit(**JIT)
def _adam_chunk(p, g, m, v, decays, flags, fold, hyper):
    """``hyper`` = (1 − lr·λ, β₁, 1−β₁, β₂, 1−β₂, ε·c, −lr·c/(1−β₁ᵗ)) with c = √(1−β₂ᵗ).
    AdamW's p·(1 − lr·λ) (weights, with DECOUPLED), then m = m·β₁ + g·(1−β₁),
    v = v·β₂ + (g·g)·(1−β₂), p += m / (√v + ε·c)·(−lr·c/(1−β₁ᵗ))."""
    keep, b1, c1, b2, c2, eps, neg_step = hyper
    for i in range(p.shape[0]):
        wi = p[i]
        gi = _transformed(g[i], wi, decays, flags, fold)
        if flags & CHANGES_GRADIENT:
            g[i] = gi
        if decays and flags & DECOUPLED:
            wi = wi * keep
        mi = m[i] * b1 + gi * c1
        vi = v[i] * b2 + (gi * gi) * c2
        m[i] = mi
        v[i] = vi
        p[i] = wi + (mi / (np.sqrt(vi) + eps)) * neg_step


@numba.njit(**JIT)
def _momentum_serial(p, g, v, chunks, flags, fold, kind, hyper):
    for c in range(chunks.shape[0]):
        a, b, decays = chunks[c, 0], chunks[c, 1], chunks[c, 2]
        _momentum_chunk(p[a:b], g[a:b], v[a:b], decays, flags, fold, kind, hyper)


@numba.njit(parallel=True, **JIT)
def _momentum_parallel(p, g, v, chunks, flags, fold, kind, hyper):
    for c in numba.prange(chunks.shape[0]):
        a, b, decays = chunks[c, 0], chunks[c, 1], chunks[c, 2]
        _momentum_chunk(p[a:b], g[a:b], v[a:b], decays, flags, fold, kind, hyper)


@numba.njit(**JIT)
def _mean_square_serial(p, g, e, chunks, flags, fold, hyper):
    for c in range(chunks.shape[0]):
        a, b, decays = chunks[c, 0], chunks[c, 1], chunks[c, 2]
        _mean_square_chunk(p[a:b], g[a:b], e[a:b], decays, flags, fold, hyper)


@numba.njit(parallel=True, **JIT)
def _mean_square_parallel(p, g, e, chunks, flags, fold, hyper):
    for c in numba.prange(chunks.shape[0]):
        a, b, decays = chunks[c, 0], chunks[c, 1], chunks[c, 2]
        _mean_square_chunk(p[a:b], g[a:b], e[a:b], decays, flags, fold, hyper)


@numba.njit(**JIT)
def _adam_serial(p, g, m, v, chunks, flags, fold, hyper):
    for c in range(chunks.shape[0]):
        a, b, decays = chunks[c, 0], chunks[c, 1], chunks[c, 2]
        _adam_chunk(p[a:b], g[a:b], m[a:b], v[a:b], decays, flags, fold, hyper)


@numba.njit(parallel=True, **JIT)
def _adam_parallel(p, g, m, v, chunks, flags, fold, hyper):
    for c in numba.prange(chunks.shape[0]):
        a, b, decays = chunks[c, 0], chunks[c, 1], chunks[c, 2]
        _adam_chunk(p[a:b], g[a:b], m[a:b], v[a:b], decays, flags, fold, hyper)


def momentum_update(p, g, v, chunks, serial, flags, fold, kind, hyper):
    """SGD, momentum and Nesterov over the packed buffer (for SGD ``v`` is empty)."""
    kernel = _momentum_serial if serial else _momentum_parallel
    kernel(p, g, v, chunks, flags, fold, kind, hyper)


def mean_square_update(p, g, e, chunks, serial, flags, fold, hyper):
    """AdaGrad and RMSProp over the packed buffer."""
    kernel = _mean_square_serial if serial else _mean_square_parallel
    kernel(p, g, e, chunks, flags, fold, hyper)


def adam_update(p, g, m, v, chunks, serial, flags, fold, hyper):
    """Adam and AdamW over the packed buffer."""
    kernel = _adam_serial if serial else _adam_parallel
    kernel(p, g, m, v, chunks, flags, fold, hyper)


@numba.njit(**JIT)
def _chunk_sums(w, g, decays, flags, fold, out):
    """out = (Σw², Σ|w|, Σĝ²) of one chunk in float64: w's sums on weights only, ĝ before
    clipping (the norm that clipping measures)."""
    squares = absolutes = gradient = 0.0
    for i in range(w.shape[0]):
        wi = w[i]
        gi = _transformed(g[i], wi, decays, flags & (L2 | L1), fold)
        gradient += float(gi) * float(gi)
        if decays:
            squares += float(wi) * float(wi)
            absolutes += abs(float(wi))
    out[0], out[1], out[2] = squares, absolutes, gradient


@numba.njit(**JIT)
def _sums_serial(p, g, chunks, flags, fold, out):
    for c in range(chunks.shape[0]):
        a, b, decays = chunks[c, 0], chunks[c, 1], chunks[c, 2]
        _chunk_sums(p[a:b], g[a:b], decays, flags, fold, out[c])


@numba.njit(parallel=True, **JIT)
def _sums_parallel(p, g, chunks, flags, fold, out):
    for c in numba.prange(chunks.shape[0]):
        a, b, decays = chunks[c, 0], chunks[c, 1], chunks[c, 2]
        _chunk_sums(p[a:b], g[a:b], decays, flags, fold, out[c])


def gradient_sums(p, g, chunks, serial, flags, fold):
    """Per-chunk (Σw², Σ|w|, Σĝ²), shape (chunks, 3): the caller sums them in chunk order, so
    the totals do not depend on the number of threads."""
    out = np.zeros((chunks.shape[0], 3))
    (_sums_serial if serial else _sums_parallel)(p, g, chunks, flags, fold, out)
    return out


def serial(size: int) -> bool:
    """Whether an update over ``size`` values runs on the calling thread alone."""
    return size < PARALLEL_MIN or numba.get_num_threads() < 2
