/* Softmax cross-entropy's loss and dL/ds in one pass over the logits, and inverted dropout's
 * mask and scale in one pass (included once per float type).
 *
 * Per row n: m = maxⱼ sₙⱼ, eⱼ = exp(sₙⱼ − m), Z = Σⱼ eⱼ; ℓₙ = log Z − (s_{n,yₙ} − m);
 * dsₙⱼ = cₙ (eⱼ / Z − [j = yₙ]); returns Σₙ cₙ ℓₙ, summed in double, and counts in *correct
 * the rows whose first maximum is at yₙ (NumPy's argmax = yₙ). Shapes: s, ds (N, C);
 * labels (N,) int64 in [0, C), checked by the caller; c (N,), or NULL for cₙ = 1/N. */
static double NAME(softmax_cross_entropy)(const T *s, const int64_t *labels, const T *share,
                                          T *ds, int64_t n, int64_t classes, int64_t *correct) {
    double loss = 0.0;
    int64_t hits = 0;
    const T mean_share = (T)(1.0 / (double)(n > 1 ? n : 1));
    for (int64_t i = 0; i < n; i++) {
        const T c = share ? share[i] : mean_share;
        const T *row = s + i * classes;
        T *drow = ds + i * classes;
        T top = row[0];
        int64_t best = 0;
        for (int64_t j = 1; j < classes; j++)
            if (row[j] > top) top = row[best = j];
        T total = 0;
        for (int64_t j = 0; j < classes; j++) {
            T e = EXP(row[j] - top);
            drow[j] = e;
            total += e;
        }
        T scale = c / total;
        for (int64_t j = 0; j < classes; j++) drow[j] *= scale;
        int64_t label = labels[i];
        drow[label] -= c;
        loss += (double)(c * (LOG(total) - (row[label] - top)));
        hits += best == label;
    }
    *correct = hits;
    return loss;
}

/* y = x ⊙ [b ≥ t] · scale, scale = 1/(1 − p), t = ⌈p·2³²⌉: element i's 32 random bits b are
 * those of element g = offset + i, half of splitmix64(seed, ⌊g/2⌋) (module.c), made here rather
 * than read; each 64-bit word is made once, for its two elements. Shapes: x, y (size,). */
#define DROPOUT_KEEP(i, bits) y[i] = ((uint32_t)(bits) >= threshold ? x[i] : x[i] * 0) * scale
HOT static void NAME(dropout)(const T *x, uint64_t seed, uint64_t offset, uint32_t threshold,
                              T scale, T *y, int64_t size) {
    int64_t i = 0;
    if (size > 0 && (offset & 1)) { /* the high half of the first word */
        DROPOUT_KEEP(0, splitmix64(seed, offset >> 1) >> 32);
        i = 1;
    }
    const uint64_t word = (offset + (uint64_t)i) >> 1;
    const int64_t pairs = (size - i) / 2;
    for (int64_t k = 0; k < pairs; k++) {
        const uint64_t w = splitmix64(seed, word + (uint64_t)k);
        DROPOUT_KEEP(i + 2 * k, w);
        DROPOUT_KEEP(i + 2 * k + 1, w >> 32);
    }
    if (i + 2 * pairs < size) /* the low half of the last word */
        DROPOUT_KEEP(size - 1, splitmix64(seed, word + (uint64_t)pairs));
}
#undef DROPOUT_KEEP
