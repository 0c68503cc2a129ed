/* Batch normalization's passes over rows [start, stop) [Ioffe & Szegedy, 2015] (included once
 * per float type). Statistics and sums are double; batchnorm.py merges the chunks' moments by
 * Chan et al.'s rule and computes 1/√(σ² + ε). Shapes: x, x̂, y, dy, dx (N, D); the rest (D,). */

/* mean and M2 = Σ(x − mean)² of the rows, each read twice while in cache. */
HOT static void NAME(bn_moments)(const T *x, int64_t d, int64_t start, int64_t stop, double *mean,
                             double *m2) {
    for (int64_t i = start; i < stop; i++)
        for (int64_t j = 0; j < d; j++) mean[j] += (double)x[i * d + j];
    const double count = stop - start > 1 ? (double)(stop - start) : 1.0;
    for (int64_t j = 0; j < d; j++) mean[j] /= count;
    for (int64_t i = start; i < stop; i++)
        for (int64_t j = 0; j < d; j++) {
            double v = (double)x[i * d + j] - mean[j];
            m2[j] += v * v;
        }
}

/* x̂ = (x − μ)·(1/σ) and y = γ x̂ + β, with μ and 1/σ in double. */
HOT static void NAME(bn_normalize)(const T *x, const double *mean, const double *inv_std,
                                   const T *gamma, const T *beta, T *xhat, T *y, int64_t d,
                                   int64_t start, int64_t stop) {
    for (int64_t i = start; i < stop; i++)
        for (int64_t j = 0; j < d; j++) {
            double v = ((double)x[i * d + j] - mean[j]) * inv_std[j];
            xhat[i * d + j] = (T)v;
            y[i * d + j] = (T)(v * (double)gamma[j] + (double)beta[j]);
        }
}

/* dβ += Σ dy and dγ += Σ dy x̂, per column. */
HOT static void NAME(bn_gradient_sums)(const T *dy, const T *xhat, int64_t d, int64_t start,
                                   int64_t stop, double *dbeta, double *dgamma) {
    for (int64_t i = start; i < stop; i++)
        for (int64_t j = 0; j < d; j++) {
            dbeta[j] += (double)dy[i * d + j];
            dgamma[j] += (double)(dy[i * d + j] * xhat[i * d + j]);
        }
}

/* dx = (N dy − dβ − x̂ dγ) · scale, scale = γ / (N √(σ² + ε)). */
HOT static void NAME(bn_input_gradient)(const T *dy, const T *xhat, const T *dbeta,
                                        const T *dgamma, const T *scale, T *dx, int64_t n,
                                        int64_t d, int64_t start, int64_t stop) {
    const T rows = (T)n;
    for (int64_t i = start; i < stop; i++)
        for (int64_t j = 0; j < d; j++)
            dx[i * d + j] =
                (dy[i * d + j] * rows - dbeta[j] - xhat[i * d + j] * dgamma[j]) * scale[j];
}

/* Evaluation: y = x · scale + shift, per column. */
HOT static void NAME(affine_columns)(const T *x, const T *scale, const T *shift, T *y, int64_t d,
                                     int64_t start, int64_t stop) {
    for (int64_t i = start; i < stop; i++)
        for (int64_t j = 0; j < d; j++) y[i * d + j] = x[i * d + j] * scale[j] + shift[j];
}
