/* Every optimizer's update over the packed parameter buffer in one pass, with the trainer's
 * gradient transforms folded in (included once per float type: T, NAME(x) set by module.c).
 *
 *     ĝ = ((g + λ₂·w) + λ₁·sign(w))·s     (λ₂, λ₁ on weights only; s the clipping factor)
 *
 * then the optimizer's rule on ĝ, written back to g when a transform changed it. The float
 * operations are the NumPy reference's (mlplab/optim.py), in its order, each constant already
 * rounded to T by the caller, so the two paths agree bit for bit. A chunk row is
 * (start, stop, decays): weight decay applies where decays is 1. */

static inline T NAME(sign)(T w) { return w > 0 ? (T)1 : (w < 0 ? (T)-1 : (w == w ? (T)0 : w)); }

/* ĝ under `flags`, decay flags already cleared on chunks that do not decay (active()). */
static inline T NAME(transformed)(T g, T w, long flags, T l2, T l1, T s) {
    if (flags & FOLD_L2) g = g + l2 * w;
    if (flags & FOLD_L1) g = g + l1 * NAME(sign)(w);
    if (flags & FOLD_CLIP) g = g * s;
    return g;
}

/* kind 0 SGD: p += ĝ·(−lr); 1 momentum: v = v·μ + ĝ, p += v·(−lr);
 * 2 Nesterov: v = v·μ + ĝ, p += (v·μ + ĝ)·(−lr). */
ALWAYS_INLINE static inline void NAME(momentum_loop)(T *p, T *g, T *v, int64_t start,
                                                     int64_t stop, long flags, T l2, T l1, T s,
                                                     long kind, T mu, T neg_lr) {
    for (int64_t i = start; i < stop; i++) {
        T gi = NAME(transformed)(g[i], p[i], flags, l2, l1, s);
        T step;
        if (flags & FOLD_CHANGES_GRADIENT) g[i] = gi;
        if (kind == 0) {
            step = gi * neg_lr;
        } else {
            T vi = v[i] * mu + gi;
            v[i] = vi;
            step = kind == 2 ? (vi * mu + gi) * neg_lr : vi * neg_lr;
        }
        p[i] = p[i] + step;
    }
}

HOT static void NAME(momentum)(T *p, T *g, T *v, const int64_t *chunk, long flags, T l2, T l1,
                               T s, long kind, T mu, T neg_lr) {
    SPECIALIZE(NAME(momentum_loop), active(flags, chunk[2]), p, g, v, chunk[0], chunk[1],
               FLAGS, l2, l1, s, kind, mu, neg_lr);
}

/* RMSProp: e = e·ρ + (ĝ·ĝ)·(1−ρ), p += ĝ / (√e + ε)·(−lr); AdaGrad is ρ = 1, 1−ρ = 1. */
ALWAYS_INLINE static inline void NAME(mean_square_loop)(T *p, T *g, T *e, int64_t start,
                                                        int64_t stop, long flags, T l2, T l1,
                                                        T s, T rho, T one_minus_rho, T eps,
                                                        T neg_lr) {
    for (int64_t i = start; i < stop; i++) {
        T gi = NAME(transformed)(g[i], p[i], flags, l2, l1, s);
        if (flags & FOLD_CHANGES_GRADIENT) g[i] = gi;
        T ei = e[i] * rho + (gi * gi) * one_minus_rho;
        e[i] = ei;
        p[i] = p[i] + (gi / (SQRT(ei) + eps)) * neg_lr;
    }
}

HOT static void NAME(mean_square)(T *p, T *g, T *e, const int64_t *chunk, long flags, T l2, T l1,
                                  T s, T rho, T one_minus_rho, T eps, T neg_lr) {
    SPECIALIZE(NAME(mean_square_loop), active(flags, chunk[2]), p, g, e, chunk[0], chunk[1],
               FLAGS, l2, l1, s, rho, one_minus_rho, eps, neg_lr);
}

/* Adam [Kingma & Ba, 2015] and AdamW [Loshchilov & Hutter, 2019]: p·(1 − lr·λ) (weights, with
 * FOLD_DECOUPLED), m = m·β₁ + ĝ·(1−β₁), v = v·β₂ + (ĝ·ĝ)·(1−β₂),
 * p += m / (√v + ε·c)·(−lr·c/(1−β₁ᵗ)), c = √(1−β₂ᵗ). */
ALWAYS_INLINE static inline void NAME(adam_loop)(T *p, T *g, T *m, T *v, int64_t start,
                                                 int64_t stop, long flags, T l2, T l1, T s,
                                                 T keep, T b1, T c1, T b2, T c2, T eps,
                                                 T neg_step) {
    for (int64_t i = start; i < stop; i++) {
        T wi = p[i];
        T gi = NAME(transformed)(g[i], wi, flags, l2, l1, s);
        if (flags & FOLD_CHANGES_GRADIENT) g[i] = gi;
        if (flags & FOLD_DECOUPLED) wi = wi * keep;
        T mi = m[i] * b1 + gi * c1;
        T vi = v[i] * b2 + (gi * gi) * c2;
        m[i] = mi;
        v[i] = vi;
        p[i] = wi + (mi / (SQRT(vi) + eps)) * neg_step;
    }
}

HOT static void NAME(adam)(T *p, T *g, T *m, T *v, const int64_t *chunk, long flags, T l2, T l1,
                           T s, T keep, T b1, T c1, T b2, T c2, T eps, T neg_step) {
    SPECIALIZE(NAME(adam_loop), active(flags, chunk[2]), p, g, m, v, chunk[0], chunk[1], FLAGS,
               l2, l1, s, keep, b1, c1, b2, c2, eps, neg_step);
}

/* out = (Σw², Σ|w|, Σĝ²) of one chunk in double: w's sums on weights only, ĝ before clipping
 * (the norm that clipping measures). */
static void NAME(chunk_sums)(const T *p, const T *g, const int64_t *chunk, long flags, T l2, T l1,
                             double *out) {
    const int64_t decays = chunk[2];
    double squares = 0.0, absolutes = 0.0, gradient = 0.0;
    flags = active(flags & (FOLD_L2 | FOLD_L1), decays);
    for (int64_t i = chunk[0]; i < chunk[1]; i++) {
        T wi = p[i];
        T gi = NAME(transformed)(g[i], wi, flags, l2, l1, (T)1);
        gradient += (double)gi * (double)gi;
        if (decays) {
            squares += (double)wi * (double)wi;
            absolutes += fabs((double)wi);
        }
    }
    out[0] = squares;
    out[1] = absolutes;
    out[2] = gradient;
}
