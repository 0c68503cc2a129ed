"""Every optimizer's update over the packed parameter buffer in one pass, with the gradient
transforms folded in (the C kernels in ``native/updates.h``).

The NumPy reference (``mlplab.optim``) makes 4 (momentum) to 12 (Adam) passes over the
buffer per step, plus 2–3 per gradient transform. Here each element is read and written once:

    ĝ = ((g + λ₂·w) + λ₁·sign(w))·s     (λ₂, λ₁ on weights only; s the clipping factor)
    then the optimizer's rule on ĝ, written back to g when a transform changed it

with the same float operations in the same order as the reference, each constant rounded to
the buffer's dtype as NumPy rounds a Python float (so the two paths agree bit for bit; only
the clipping factor's and the penalty's sums, here accumulated in float64 chunk by chunk,
differ in rounding).

The buffer is cut into ``chunks``: rows (start, stop, decays) of at most ``optim.CHUNK``
values, split where a weight (``layer.decay_params``) meets a bias, so weight decay is a
per-chunk flag. With ``serial`` the chunks run in order on the calling thread (small
buffers: waking threads costs more than it saves); else they are shared among the kernel
threads (``mlplab.set_threads``).
"""

import functools

import numpy as np

from mlplab.kernels import pool
from mlplab.kernels.runtime import compiled

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


def _over_chunks(kernel, head, chunks, serial, tail):
    """Run ``kernel(*head, chunks, first, last, *tail)`` over every chunk: in one call, or
    split into runs of chunks, one per kernel thread."""
    count = chunks.shape[0]
    if serial:
        kernel(*head, chunks, 0, count, *tail)
        return
    runs = pool.spans(count, max(1, min(pool.threads(), count)))
    pool.run([functools.partial(kernel, *head, chunks, a, b, *tail) for a, b in runs])


def momentum_update(p, g, v, chunks, serial, flags, fold, kind, hyper):
    """SGD (kind 0), momentum (1) and Nesterov (2) over the packed buffer (for SGD ``v`` is
    empty); ``fold`` = (λ₂, λ₁, s), ``hyper`` = (μ, −lr)."""
    tail = (flags, *fold, kind, *hyper)
    _over_chunks(compiled().momentum, (p, g, v), chunks, serial, tail)


def mean_square_update(p, g, e, chunks, serial, flags, fold, hyper):
    """AdaGrad and RMSProp over the packed buffer; ``hyper`` = (ρ, 1−ρ, ε, −lr), AdaGrad's
    ρ = 1, 1−ρ = 1 (a product with 1 is exact: the reference's e + g·g)."""
    tail = (flags, *fold, *hyper)
    _over_chunks(compiled().mean_square, (p, g, e), chunks, serial, tail)


def adam_update(p, g, m, v, chunks, serial, flags, fold, hyper):
    """Adam and AdamW over the packed buffer; ``hyper`` = (1 − lr·λ, β₁, 1−β₁, β₂, 1−β₂, ε·c,
    −lr·c/(1−β₁ᵗ)) with c = √(1−β₂ᵗ)."""
    tail = (flags, *fold, *hyper)
    _over_chunks(compiled().adam, (p, g, m, v), chunks, serial, tail)


def gradient_sums(p, g, chunks, serial, flags, fold):
    """Per-chunk (Σw², Σ|w|, Σĝ²), shape (chunks, 3), ĝ before clipping: the caller sums them in
    chunk order, so the totals do not depend on the number of threads."""
    out = np.zeros((chunks.shape[0], 3))
    _over_chunks(compiled().chunk_sums, (p, g), chunks, serial, (flags, fold[0], fold[1], out))
    return out


def serial(size: int) -> bool:
    """Whether an update over ``size`` values runs on the calling thread alone."""
    return size < PARALLEL_MIN or pool.threads() < 2
