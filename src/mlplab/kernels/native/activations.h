/* Bias + activation forward and activation backward + bias gradient, one pass over rows
 * [start, stop) each (included once per float type).
 *
 * Forward, in place: z = f(z + b) for the rectifiers (identity, ReLU, leaky ReLU with slope a);
 * the smooth activations use NumPy's vectorized functions (activations.py). Backward from the
 * output y: dz = dy ⊙ f′ (ReLU, leaky ReLU and ELU: y > 0 exactly where z > 0; tanh: 1 − y²;
 * sigmoid: y (1 − y)), with the column sums of dz added to `sums` (double) when given. */

HOT static void NAME(bias_activation)(T *z, const T *b, int64_t h, long kind, T a, int64_t start,
                                      int64_t stop) {
    for (int64_t i = start; i < stop; i++) {
        T *restrict row = z + i * h;
        if (b && kind == ACT_RELU)
            for (int64_t j = 0; j < h; j++) {
                T v = row[j] + b[j];
                row[j] = v > 0 ? v : v * 0;
            }
        else if (b && kind == ACT_LEAKY_RELU)
            for (int64_t j = 0; j < h; j++) {
                T v = row[j] + b[j];
                row[j] = v > 0 ? v : v * a;
            }
        else if (b)
            for (int64_t j = 0; j < h; j++) row[j] += b[j];
        else if (kind == ACT_RELU)
            for (int64_t j = 0; j < h; j++) row[j] = row[j] > 0 ? row[j] : row[j] * 0;
        else if (kind == ACT_LEAKY_RELU)
            for (int64_t j = 0; j < h; j++) row[j] = row[j] > 0 ? row[j] : row[j] * a;
    }
}

HOT static void NAME(activation_backward)(const T *dy, const T *y, T *dz, int64_t h, long kind,
                                          T a, int64_t start, int64_t stop, double *sums) {
    const T one = 1;
    for (int64_t i = start; i < stop; i++) {
        const T *restrict dyr = dy + i * h, *restrict yr = y + i * h;
        T *restrict dzr = dz + i * h;
        switch (kind) {
        case ACT_RELU:
            for (int64_t j = 0; j < h; j++) dzr[j] = yr[j] > 0 ? dyr[j] : dyr[j] * 0;
            break;
        case ACT_LEAKY_RELU:
            for (int64_t j = 0; j < h; j++) dzr[j] = yr[j] > 0 ? dyr[j] : dyr[j] * a;
            break;
        case ACT_TANH:
            for (int64_t j = 0; j < h; j++) dzr[j] = (one - yr[j] * yr[j]) * dyr[j];
            break;
        case ACT_SIGMOID:
            for (int64_t j = 0; j < h; j++) dzr[j] = (one - yr[j]) * yr[j] * dyr[j];
            break;
        case ACT_ELU:
            for (int64_t j = 0; j < h; j++) dzr[j] = yr[j] > 0 ? dyr[j] : (yr[j] + a) * dyr[j];
            break;
        default:
            for (int64_t j = 0; j < h; j++) dzr[j] = dyr[j];
        }
        if (sums)
            for (int64_t j = 0; j < h; j++) sums[j] += (double)dzr[j];
    }
}
