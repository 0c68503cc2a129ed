"""Bias + activation forward and activation backward + bias gradient, one pass each.

Forward, after the product z = x W: y = f(z + b), written in place (or to a copy). The
rectifiers (identity, ReLU, leaky ReLU) run as one compiled pass; tanh, the sigmoid and the ELU
add the bias and apply NumPy's vectorized transcendental functions in place, which beat
Numba's scalar ``math.tanh``/``expm1`` by 20-50× (measured: 1.2 ms against 24 µs for 128×512).
Backward: dz = dy ⊙ f'(·), from the output y (ReLU, leaky ReLU and ELU: y > 0 exactly where
z > 0 for slopes and α >= 0; tanh: 1 - y²; sigmoid: y (1 - y)), and db = Σₙ dz, the column
sums, in the same pass: each chunk of rows keeps float64 partial sums, added at the end.
Shapes: z, y, dy, dz (N, H); b, db (H,) or (0,) for none. Each kernel has a serial twin for
small arrays (``eligibility.parallel``).
"""

import numba
import numpy as np

from mlplab.kernels.eligibility import choose as _choose

IDENTITY, RELU, LEAKY_RELU, TANH, SIGMOID, ELU = range(6)
#: the activations' ``kernel`` names (``layers/``) and their codes here.
KINDS = {"identity": IDENTITY, "relu": RELU, "leaky_relu": LEAKY_RELU}
KINDS |= {"tanh": TANH, "sigmoid": SIGMOID, "elu": ELU}


@numba.njit(cache=True)
def _forward_rows(z, b, kind, a, start, stop):
    # In place: with a separate output array LLVM cannot rule out overlap and gives up
    # vectorizing when it is in fact the same array (45 µs instead of 6 for 128 × 512).
    h = z.shape[1]
    for i in range(start, stop):
        if kind == RELU:
            for j in range(h):
                v = z[i, j] + b[j]
                z[i, j] = v if v > 0 else v * 0
        elif kind == LEAKY_RELU:
            for j in range(h):
                v = z[i, j] + b[j]
                z[i, j] = v if v > 0 else v * a
        else:
            for j in range(h):
                z[i, j] += b[j]


@numba.njit(cache=True)
def _backward_rows(dy, y, dz, kind, a, one, start, stop):
    h = dy.shape[1]
    for i in range(start, stop):
        if kind == RELU:
            for j in range(h):
                dz[i, j] = dy[i, j] if y[i, j] > 0 else dy[i, j] * 0
        elif kind == LEAKY_RELU:
            for j in range(h):
                dz[i, j] = dy[i, j] if y[i, j] > 0 else dy[i, j] * a
        elif kind == TANH:
            for j in range(h):
                dz[i, j] = (one - y[i, j] * y[i, j]) * dy[i, j]
        elif kind == SIGMOID:
            for j in range(h):
                dz[i, j] = (one - y[i, j]) * y[i, j] * dy[i, j]
        elif kind == ELU:
            for j in range(h):
                dz[i, j] = dy[i, j] if y[i, j] > 0 else (y[i, j] + a) * dy[i, j]
        else:
            for j in range(h):
                dz[i, j] = dy[i, j]


@numba.njit(cache=True)
def _column_sums(x, sums, start, stop):
    for i in range(start, stop):
        for j in range(x.shape[1]):
            sums[j] += x[i, j]


@numba.njit(cache=True)
def _forward_serial(z, b, kind, a, n_chunks):
    _forward_rows(z, b, kind, a, 0, z.shape[0])


@numba.njit(parallel=True, cache=True)
def _forward_parallel(z, b, kind, a, n_chunks):
    n = z.shape[0]
    for c in numba.prange(n_chunks):
        _forward_rows(z, b, kind, a, c * n // n_chunks, (c + 1) * n // n_chunks)


@numba.njit(cache=True)
def _backward_serial(dy, y, dz, kind, a, one, db, n_chunks):
    _backward_rows(dy, y, dz, kind, a, one, 0, dy.shape[0])
    if db.shape[0]:
        sums = np.zeros(db.shape[0], np.float64)
        _column_sums(dz, sums, 0, dz.shape[0])
        db[:] = sums


@numba.njit(parallel=True, cache=True)
def _backward_parallel(dy, y, dz, kind, a, one, db, n_chunks):
    n = dy.shape[0]
    partial = np.zeros((n_chunks, db.shape[0]), np.float64)
    for c in numba.prange(n_chunks):
        start, stop = c * n // n_chunks, (c + 1) * n // n_chunks
        _backward_rows(dy, y, dz, kind, a, one, start, stop)
        if db.shape[0]:
            _column_sums(dz, partial[c], start, stop)
    for j in range(db.shape[0]):
        total = 0.0
        for c in range(n_chunks):
            total += partial[c, j]
        db[j] = total


def bias_activation_forward(z, b, name, alpha=0.0, out=None):
    """y = f(z + b) into ``out`` (default: z itself, in place); b None for no bias; ``name``
    one of ``KINDS``, ``alpha`` the leaky slope or the ELU's α. Returns y."""
    kind = KINDS[name]
    if kind in (TANH, SIGMOID, ELU):
        return _transcendental_forward(z, b, kind, alpha, z if out is None else out)
    if out is not None and out is not z:
        out[...] = z
    y = z if out is None else out
    b = np.zeros(y.shape[1], y.dtype) if b is None else b
    run, n_chunks = _choose(y, _forward_parallel, _forward_serial)
    run(y, b, kind, y.dtype.type(alpha), n_chunks)
    return y


def _transcendental_forward(z, b, kind, alpha, out):
    """tanh, σ(v) = ½ (1 + tanh(v/2)) and the ELU, with NumPy's SIMD functions, in ``out``."""
    if b is not None:
        np.add(z, b, out=out)
    elif out is not z:
        out[...] = z
    if kind == TANH:
        return np.tanh(out, out=out)
    if kind == SIGMOID:
        out *= 0.5
        np.tanh(out, out=out)
        out += 1
        out *= 0.5
        return out
    positive = np.maximum(out, 0)
    np.minimum(out, 0, out=out)
    np.expm1(out, out=out)
    out *= alpha
    out += positive
    return out


def activation_backward(dy, y, name, alpha=0.0, db=None):
    """dz = dy ⊙ f' (a new array) given the output y; with ``db`` (H,), also db = Σₙ dz."""
    kind = KINDS[name]
    dz = np.empty_like(dy)
    db = np.empty(0, dy.dtype) if db is None else db
    run, n_chunks = _choose(dy, _backward_parallel, _backward_serial)
    run(dy, y, dz, kind, dy.dtype.type(alpha), dy.dtype.type(1), db, n_chunks)
    return dz
