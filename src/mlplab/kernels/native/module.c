/* mlplab.kernels._compiled: the fused elementwise kernels of a training step, in C.
 *
 * The kernels (updates.h, activations.h, batchnorm.h, losses.h) are written once over a float
 * type T and included twice, for float32 and float64. The functions here only check their
 * arguments (C-contiguous buffers of the right type and size, ranges inside them), release the
 * GIL and run the kernel; the Python modules beside this folder choose the rows each call
 * covers (and the threads that run them). No fast-math: the results are the NumPy reference's
 * operations, in its order (setup.py gives the flags). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>
#define HAVE_PREAD 1
#endif
#if defined(HAVE_PREAD) && defined(__linux__) && defined(RWF_NOWAIT)
#define HAVE_NOWAIT 1 /* preadv2(RWF_NOWAIT): read only what the page cache holds */
#endif

/* GCC 11+ on x86-64 Linux: each hot loop also for AVX-512 (x86-64-v4) and AVX2 (v3) CPUs, the
 * best chosen at load time; elsewhere the compiler's baseline. */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__) && \
    __GNUC__ >= 11
#define HOT __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
#ifndef HOT
#define HOT
#endif

#if defined(__GNUC__)
#define ALWAYS_INLINE __attribute__((always_inline))
#else
#define ALWAYS_INLINE
#endif

enum { FOLD_L2 = 1, FOLD_L1 = 2, FOLD_CLIP = 4, FOLD_DECOUPLED = 8 };
#define FOLD_CHANGES_GRADIENT (FOLD_L2 | FOLD_L1 | FOLD_CLIP)

/* The flags that act on a chunk: weight decay (L2, L1, AdamW's) only where it decays. */
static inline long active(long flags, int64_t decays) {
    return decays ? flags : flags & FOLD_CLIP;
}

/* Call LOOP(..., FLAGS, ...) with FLAGS a constant for the common cases, so the compiler
 * drops the untaken branches and vectorizes each loop; any other mix runs with FLAGS = flags. */
#define SPECIALIZE(LOOP, flags, ...)                                                        \
    do {                                                                                    \
        switch (flags) {                                                                    \
        case 0: { enum { FLAGS = 0 }; LOOP(__VA_ARGS__); break; }                          \
        case FOLD_L2: { enum { FLAGS = FOLD_L2 }; LOOP(__VA_ARGS__); break; }              \
        case FOLD_CLIP: { enum { FLAGS = FOLD_CLIP }; LOOP(__VA_ARGS__); break; }          \
        case FOLD_DECOUPLED: { enum { FLAGS = FOLD_DECOUPLED }; LOOP(__VA_ARGS__); break; }\
        default: { const long FLAGS = (flags); LOOP(__VA_ARGS__); }                        \
        }                                                                                   \
    } while (0)
/* SplitMix64 [Steele, Lea & Flood, 2014]: its k-th output from state `seed` is
 * mix(seed + (k + 1)·γ). Dropout's element g takes 32 bits of output ⌊g/2⌋: the low half where
 * g is even, the high half where odd (``kernels/dropout_mask.py`` is the NumPy reference). */
static inline uint64_t splitmix64(uint64_t seed, uint64_t k) {
    uint64_t z = seed + (k + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

enum { ACT_IDENTITY, ACT_RELU, ACT_LEAKY_RELU, ACT_TANH, ACT_SIGMOID, ACT_ELU };

#define T float
#define NAME(x) x##_f32
#define SQRT sqrtf
#define EXP expf
#define LOG logf
#include "activations.h"
#include "batchnorm.h"
#include "losses.h"
#include "updates.h"
#undef T
#undef NAME
#undef SQRT
#undef EXP
#undef LOG

#define T double
#define NAME(x) x##_f64
#define SQRT sqrt
#define EXP exp
#define LOG log
#include "activations.h"
#include "batchnorm.h"
#include "losses.h"
#include "updates.h"

/* -- arguments ---------------------------------------------------------------------------- */

/* The buffers one call holds, released together. */
typedef struct {
    Py_buffer view[10];
    int count;
    char dtype; /* 'f' or 'd': the type of the call's T arrays, set by the first */
} Held;

static void release(Held *held) {
    while (held->count) PyBuffer_Release(&held->view[--held->count]);
}

/* The element type of a buffer: 'f' float32, 'd' float64, 'i' int64, 0 anything else. */
static char element(const Py_buffer *b) {
    const char *f = b->format ? b->format : "B";
    if ((f[0] == '@' || f[0] == '=' || f[0] == '<') && f[1]) f++;
    if (f[1]) return 0;
    if (b->itemsize == 4 && f[0] == 'f') return 'f';
    if (b->itemsize == 8 && f[0] == 'd') return 'd';
    if (b->itemsize == 8 && (f[0] == 'l' || f[0] == 'q')) return 'i';
    return 0;
}

/* Hold `obj` as a C-contiguous array of `want` ('T' the call's float type, or 'f', 'd', 'i'),
 * writable if asked; NULL with TypeError naming the argument otherwise. None gives NULL with
 * no error where `optional`. */
static Py_buffer *hold(Held *held, PyObject *obj, const char *name, char want, int writable,
                       int optional) {
    if (optional && obj == Py_None) return NULL;
    Py_buffer *b = &held->view[held->count];
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, b, flags) < 0) {
        PyErr_Format(PyExc_TypeError, "%s: expected a C-contiguous%s array", name,
                     writable ? " writable" : "");
        return NULL;
    }
    held->count++;
    char got = element(b);
    if (want == 'T') {
        if (held->dtype == 0 && (got == 'f' || got == 'd')) held->dtype = got;
        want = held->dtype;
    }
    if (got != want) {
        PyErr_Format(PyExc_TypeError, "%s: expected %s elements", name,
                     want == 'f' ? "float32" : want == 'd' ? "float64" : "int64");
        return NULL;
    }
    return b;
}

static Py_ssize_t items(const Py_buffer *b) { return b ? b->len / b->itemsize : 0; }

/* Rows and columns of a 2-D buffer (a 1-D one is one column per item). */
static int64_t rows(const Py_buffer *b) { return b->ndim >= 1 ? b->shape[0] : 1; }
static int64_t cols(const Py_buffer *b) { return b->ndim == 2 ? b->shape[1] : 1; }

static PyObject *fail(Held *held, const char *message) {
    release(held);
    PyErr_SetString(PyExc_ValueError, message);
    return NULL;
}

#define ARGS(n)                                                                             \
    if (nargs != (n)) {                                                                     \
        PyErr_Format(PyExc_TypeError, "expected %d arguments, got %zd", (n), nargs);       \
        return NULL;                                                                        \
    }

#define HOLD(var, i, want, writable, optional)                                             \
    Py_buffer *var = hold(&held, args[i], #var, want, writable, optional);                 \
    if (!var && (PyErr_Occurred() || !(optional))) {                                        \
        release(&held);                                                                     \
        return NULL;                                                                        \
    }

#define INT(var, i) long var = PyLong_AsLong(args[i]);
#define REAL(var, i) double var = PyFloat_AsDouble(args[i]);
#define CHECK_NUMBERS()                                                                     \
    if (PyErr_Occurred()) {                                                                 \
        release(&held);                                                                     \
        return NULL;                                                                        \
    }
#define F(x) ((float *)(x)->buf)
#define D(x) ((double *)(x)->buf)
#define I(x) ((int64_t *)(x)->buf)
/* The float32 or float64 kernel, by the call's type: its T arrays are passed as `->buf` (void *),
 * its T scalars as doubles, which C converts to the parameter's type. */
#define TYPED(kernel, ...)                                                                   \
    (held.dtype == 'f' ? kernel##_f32(__VA_ARGS__) : kernel##_f64(__VA_ARGS__))

/* Rows [start, stop) inside a buffer of `n` rows. */
static int in_rows(long start, long stop, int64_t n) {
    return 0 <= start && start <= stop && stop <= n;
}

/* Chunks [first, last) of `chunks` (C, 3) inside a buffer of `size` values. */
static int chunks_inside(const Py_buffer *chunks, long first, long last, Py_ssize_t size) {
    if (chunks->ndim != 2 || cols(chunks) != 3 || !in_rows(first, last, rows(chunks))) return 0;
    for (long c = first; c < last; c++) {
        const int64_t *row = I(chunks) + 3 * c;
        if (row[0] < 0 || row[0] > row[1] || row[1] > size) return 0;
    }
    return 1;
}

/* -- updates ------------------------------------------------------------------------------- */

static PyObject *py_momentum(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Held held = {0};
    ARGS(13);
    HOLD(p, 0, 'T', 1, 0);
    HOLD(g, 1, 'T', 1, 0);
    HOLD(v, 2, 'T', 1, 0);
    HOLD(chunks, 3, 'i', 0, 0);
    INT(first, 4) INT(last, 5) INT(flags, 6) REAL(l2, 7) REAL(l1, 8) REAL(s, 9) INT(kind, 10)
    REAL(mu, 11) REAL(neg_lr, 12) CHECK_NUMBERS();
    if (items(g) != items(p) || (kind != 0 && items(v) != items(p)) ||
        !chunks_inside(chunks, first, last, items(p)))
        return fail(&held, "momentum: buffers of different sizes or chunks outside them");
    Py_BEGIN_ALLOW_THREADS;
    for (long c = first; c < last; c++) {
        const int64_t *chunk = I(chunks) + 3 * c;
        TYPED(momentum, p->buf, g->buf, v->buf, chunk, flags, l2, l1, s, kind, mu, neg_lr);
    }
    Py_END_ALLOW_THREADS;
    release(&held);
    Py_RETURN_NONE;
}

static PyObject *py_mean_square(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Held held = {0};
    ARGS(14);
    HOLD(p, 0, 'T', 1, 0);
    HOLD(g, 1, 'T', 1, 0);
    HOLD(e, 2, 'T', 1, 0);
    HOLD(chunks, 3, 'i', 0, 0);
    INT(first, 4) INT(last, 5) INT(flags, 6) REAL(l2, 7) REAL(l1, 8) REAL(s, 9) REAL(rho, 10)
    REAL(one_minus_rho, 11) REAL(eps, 12) REAL(neg_lr, 13) CHECK_NUMBERS();
    if (items(g) != items(p) || items(e) != items(p) ||
        !chunks_inside(chunks, first, last, items(p)))
        return fail(&held, "mean_square: buffers of different sizes or chunks outside them");
    Py_BEGIN_ALLOW_THREADS;
    for (long c = first; c < last; c++) {
        const int64_t *chunk = I(chunks) + 3 * c;
        TYPED(mean_square, p->buf, g->buf, e->buf, chunk, flags, l2, l1, s, rho, one_minus_rho,
              eps, neg_lr);
    }
    Py_END_ALLOW_THREADS;
    release(&held);
    Py_RETURN_NONE;
}

static PyObject *py_adam(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Held held = {0};
    ARGS(18);
    HOLD(p, 0, 'T', 1, 0);
    HOLD(g, 1, 'T', 1, 0);
    HOLD(m, 2, 'T', 1, 0);
    HOLD(v, 3, 'T', 1, 0);
    HOLD(chunks, 4, 'i', 0, 0);
    INT(first, 5) INT(last, 6) INT(flags, 7) REAL(l2, 8) REAL(l1, 9) REAL(s, 10) REAL(keep, 11)
    REAL(b1, 12) REAL(c1, 13) REAL(b2, 14) REAL(c2, 15) REAL(eps, 16) REAL(neg_step, 17)
    CHECK_NUMBERS();
    if (items(g) != items(p) || items(m) != items(p) || items(v) != items(p) ||
        !chunks_inside(chunks, first, last, items(p)))
        return fail(&held, "adam: buffers of different sizes or chunks outside them");
    Py_BEGIN_ALLOW_THREADS;
    for (long c = first; c < last; c++) {
        const int64_t *chunk = I(chunks) + 3 * c;
        TYPED(adam, p->buf, g->buf, m->buf, v->buf, chunk, flags, l2, l1, s, keep, b1, c1, b2, c2,
              eps, neg_step);
    }
    Py_END_ALLOW_THREADS;
    release(&held);
    Py_RETURN_NONE;
}

static PyObject *py_chunk_sums(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Held held = {0};
    ARGS(9);
    HOLD(p, 0, 'T', 0, 0);
    HOLD(g, 1, 'T', 0, 0);
    HOLD(chunks, 2, 'i', 0, 0);
    INT(first, 3) INT(last, 4) INT(flags, 5) REAL(l2, 6) REAL(l1, 7) CHECK_NUMBERS();
    HOLD(out, 8, 'd', 1, 0);
    if (items(g) != items(p) || !chunks_inside(chunks, first, last, items(p)) ||
        items(out) != 3 * rows(chunks))
        return fail(&held, "chunk_sums: buffers of different sizes or chunks outside them");
    Py_BEGIN_ALLOW_THREADS;
    for (long c = first; c < last; c++) {
        const int64_t *chunk = I(chunks) + 3 * c;
        TYPED(chunk_sums, p->buf, g->buf, chunk, flags, l2, l1, D(out) + 3 * c);
    }
    Py_END_ALLOW_THREADS;
    release(&held);
    Py_RETURN_NONE;
}

/* -- activations --------------------------------------------------------------------------- */

static PyObject *py_bias_activation(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Held held = {0};
    ARGS(6);
    HOLD(z, 0, 'T', 1, 0);
    HOLD(b, 1, 'T', 0, 1);
    INT(kind, 2) REAL(a, 3) INT(start, 4) INT(stop, 5) CHECK_NUMBERS();
    int64_t h = cols(z);
    if (z->ndim != 2 || (b && items(b) != h) || !in_rows(start, stop, rows(z)))
        return fail(&held, "bias_activation: z (N, H), b (H,) and rows inside N expected");
    Py_BEGIN_ALLOW_THREADS;
    TYPED(bias_activation, z->buf, b ? b->buf : NULL, h, kind, a, start, stop);
    Py_END_ALLOW_THREADS;
    release(&held);
    Py_RETURN_NONE;
}

/* dz over rows [start, stop); the column sums of dz written to `db` (the dtype's, summed in
 * double here) or added to `sums` (float64, a span's partial sums, when db is None). */
static PyObject *py_activation_backward(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Held held = {0};
    ARGS(9);
    HOLD(dy, 0, 'T', 0, 0);
    HOLD(y, 1, 'T', 0, 0);
    HOLD(dz, 2, 'T', 1, 0);
    INT(kind, 3) REAL(a, 4) CHECK_NUMBERS();
    HOLD(db, 5, 'T', 1, 1);
    INT(start, 6) INT(stop, 7) CHECK_NUMBERS();
    HOLD(sums, 8, 'd', 1, 1);
    int64_t h = cols(dy);
    if (dy->ndim != 2 || items(y) != items(dy) || items(dz) != items(dy) ||
        (sums && items(sums) != h) || (db && items(db) != h) || !in_rows(start, stop, rows(dy)))
        return fail(&held, "activation_backward: dy, y, dz (N, H), sums and db (H,) expected");
    double *acc = sums ? D(sums) : NULL;
    if (db && !acc && !(acc = PyMem_Calloc(h ? h : 1, sizeof(double)))) {
        release(&held);
        return PyErr_NoMemory();
    }
    Py_BEGIN_ALLOW_THREADS;
    TYPED(activation_backward, dy->buf, y->buf, dz->buf, h, kind, a, start, stop, acc);
    Py_END_ALLOW_THREADS;
    if (db && !sums) {
        for (int64_t j = 0; j < h; j++) {
            if (held.dtype == 'f')
                F(db)[j] = (float)acc[j];
            else
                D(db)[j] = acc[j];
        }
        PyMem_Free(acc);
    }
    release(&held);
    Py_RETURN_NONE;
}

/* -- batch normalization ------------------------------------------------------------------- */

static PyObject *py_bn_moments(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Held held = {0};
    ARGS(5);
    HOLD(x, 0, 'T', 0, 0);
    INT(start, 1) INT(stop, 2) CHECK_NUMBERS();
    HOLD(mean, 3, 'd', 1, 0);
    HOLD(m2, 4, 'd', 1, 0);
    int64_t d = cols(x);
    if (x->ndim != 2 || items(mean) != d || items(m2) != d || !in_rows(start, stop, rows(x)))
        return fail(&held, "bn_moments: x (N, D), mean and m2 (D,) expected");
    Py_BEGIN_ALLOW_THREADS;
    TYPED(bn_moments, x->buf, d, start, stop, D(mean), D(m2));
    Py_END_ALLOW_THREADS;
    release(&held);
    Py_RETURN_NONE;
}

static PyObject *py_bn_normalize(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Held held = {0};
    ARGS(9);
    HOLD(x, 0, 'T', 0, 0);
    HOLD(mean, 1, 'd', 0, 0);
    HOLD(inv_std, 2, 'd', 0, 0);
    HOLD(gamma, 3, 'T', 0, 0);
    HOLD(beta, 4, 'T', 0, 0);
    HOLD(xhat, 5, 'T', 1, 0);
    HOLD(y, 6, 'T', 1, 0);
    INT(start, 7) INT(stop, 8) CHECK_NUMBERS();
    int64_t d = cols(x);
    if (x->ndim != 2 || items(mean) != d || items(inv_std) != d || items(gamma) != d ||
        items(beta) != d || items(xhat) != items(x) || items(y) != items(x) ||
        !in_rows(start, stop, rows(x)))
        return fail(&held, "bn_normalize: x, xhat, y (N, D), the rest (D,) expected");
    Py_BEGIN_ALLOW_THREADS;
    TYPED(bn_normalize, x->buf, D(mean), D(inv_std), gamma->buf, beta->buf, xhat->buf, y->buf, d,
          start, stop);
    Py_END_ALLOW_THREADS;
    release(&held);
    Py_RETURN_NONE;
}

static PyObject *py_bn_gradient_sums(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Held held = {0};
    ARGS(6);
    HOLD(dy, 0, 'T', 0, 0);
    HOLD(xhat, 1, 'T', 0, 0);
    INT(start, 2) INT(stop, 3) CHECK_NUMBERS();
    HOLD(dbeta, 4, 'd', 1, 0);
    HOLD(dgamma, 5, 'd', 1, 0);
    int64_t d = cols(dy);
    if (dy->ndim != 2 || items(xhat) != items(dy) || items(dbeta) != d || items(dgamma) != d ||
        !in_rows(start, stop, rows(dy)))
        return fail(&held, "bn_gradient_sums: dy, xhat (N, D), sums (D,) expected");
    Py_BEGIN_ALLOW_THREADS;
    TYPED(bn_gradient_sums, dy->buf, xhat->buf, d, start, stop, D(dbeta), D(dgamma));
    Py_END_ALLOW_THREADS;
    release(&held);
    Py_RETURN_NONE;
}

static PyObject *py_bn_input_gradient(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Held held = {0};
    ARGS(8);
    HOLD(dy, 0, 'T', 0, 0);
    HOLD(xhat, 1, 'T', 0, 0);
    HOLD(dbeta, 2, 'T', 0, 0);
    HOLD(dgamma, 3, 'T', 0, 0);
    HOLD(scale, 4, 'T', 0, 0);
    HOLD(dx, 5, 'T', 1, 0);
    INT(start, 6) INT(stop, 7) CHECK_NUMBERS();
    int64_t d = cols(dy);
    if (dy->ndim != 2 || items(xhat) != items(dy) || items(dx) != items(dy) ||
        items(dbeta) != d || items(dgamma) != d || items(scale) != d ||
        !in_rows(start, stop, rows(dy)))
        return fail(&held, "bn_input_gradient: dy, xhat, dx (N, D), the rest (D,) expected");
    Py_BEGIN_ALLOW_THREADS;
    TYPED(bn_input_gradient, dy->buf, xhat->buf, dbeta->buf, dgamma->buf, scale->buf, dx->buf,
          rows(dy), d, start, stop);
    Py_END_ALLOW_THREADS;
    release(&held);
    Py_RETURN_NONE;
}

static PyObject *py_affine_columns(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Held held = {0};
    ARGS(6);
    HOLD(x, 0, 'T', 0, 0);
    HOLD(scale, 1, 'T', 0, 0);
    HOLD(shift, 2, 'T', 0, 0);
    HOLD(y, 3, 'T', 1, 0);
    INT(start, 4) INT(stop, 5) CHECK_NUMBERS();
    int64_t d = cols(x);
    if (x->ndim != 2 || items(scale) != d || items(shift) != d || items(y) != items(x) ||
        !in_rows(start, stop, rows(x)))
        return fail(&held, "affine_columns: x, y (N, D), scale and shift (D,) expected");
    Py_BEGIN_ALLOW_THREADS;
    TYPED(affine_columns, x->buf, scale->buf, shift->buf, y->buf, d, start, stop);
    Py_END_ALLOW_THREADS;
    release(&held);
    Py_RETURN_NONE;
}

/* -- losses and dropout -------------------------------------------------------------------- */

static PyObject *py_softmax_cross_entropy(PyObject *self, PyObject *const *args,
                                          Py_ssize_t nargs) {
    Held held = {0};
    ARGS(4);
    HOLD(s, 0, 'T', 0, 0);
    HOLD(labels, 1, 'i', 0, 0);
    HOLD(share, 2, 'T', 0, 1);
    HOLD(ds, 3, 'T', 1, 0);
    int64_t n = rows(s), classes = cols(s);
    if (s->ndim != 2 || classes < 1 || items(labels) != n || (share && items(share) != n) ||
        items(ds) != items(s))
        return fail(&held, "softmax_cross_entropy: s, ds (N, C), labels and share (N,) expected");
    for (int64_t i = 0; i < n; i++)
        if (I(labels)[i] < 0 || I(labels)[i] >= classes)
            return fail(&held, "softmax_cross_entropy: a label outside [0, C)");
    double loss;
    int64_t correct;
    Py_BEGIN_ALLOW_THREADS;
    loss = TYPED(softmax_cross_entropy, s->buf, I(labels), share ? share->buf : NULL, ds->buf, n,
                 classes, &correct);
    Py_END_ALLOW_THREADS;
    release(&held);
    return Py_BuildValue("(dL)", loss, (long long)correct);
}

static PyObject *py_dropout(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Held held = {0};
    ARGS(6);
    HOLD(x, 0, 'T', 0, 0);
    unsigned long long seed = PyLong_AsUnsignedLongLong(args[1]);
    long long offset = PyLong_AsLongLong(args[2]);
    unsigned long threshold = PyLong_AsUnsignedLong(args[3]);
    REAL(scale, 4) CHECK_NUMBERS();
    HOLD(y, 5, 'T', 1, 0);
    if (items(y) != items(x)) return fail(&held, "dropout: x and y of one size expected");
    if (offset < 0 || threshold > 0xFFFFFFFFUL)
        return fail(&held, "dropout: offset >= 0 and threshold < 2**32 expected");
    Py_BEGIN_ALLOW_THREADS;
    TYPED(dropout, x->buf, (uint64_t)seed, (uint64_t)offset, (uint32_t)threshold, scale, y->buf,
          items(x));
    Py_END_ALLOW_THREADS;
    release(&held);
    Py_RETURN_NONE;
}

/* -- file rows ------------------------------------------------------------------------------ */

#ifdef HAVE_PREAD
/* `size` bytes at `offset` into `target`, retried on EINTR and short reads: the count read
 * (short where the file ends) or −errno. With RWF_NOWAIT, first what the page cache holds
 * (no wait for the disk); *cold is set when that was not all of it, and *known cleared when
 * the kernel cannot tell (then every later row is read plainly). */
static int64_t read_row(int fd, char *target, int64_t size, int64_t offset, int *cold,
                        int *known) {
    int64_t done = 0;
#ifdef HAVE_NOWAIT
    if (*known) {
        struct iovec part = {target, (size_t)size};
        ssize_t got;
        do got = preadv2(fd, &part, 1, (off_t)offset, RWF_NOWAIT);
        while (got < 0 && errno == EINTR);
        if (got > 0) done = got;
        if (got < 0 && errno != EAGAIN) *known = 0; /* EOPNOTSUPP, or EINVAL before Linux 4.14 */
        if (done < size) *cold = 1;
    }
#endif
    while (done < size) {
        ssize_t got = pread(fd, target + done, (size_t)(size - done), (off_t)(offset + done));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return -(int64_t)errno;
        if (got == 0) break;
        done += got;
    }
    return done;
}

/* Rows of a file into `out` without the GIL: row k (taken in the order `order`, by offset) is
 * `row_bytes` bytes at `offsets[k]`, read into out + k·row_bytes (read_row). When every row
 * was read: how many were not wholly in the page cache (−1: the kernel cannot tell); else
 * (k, n): row k failed, n = −errno, or n >= 0 bytes where the file ended. (The Python loop of
 * data/file_rows.py is the reference.) */
static PyObject *py_read_rows(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Held held = {0};
    ARGS(5);
    INT(fd, 0) CHECK_NUMBERS();
    HOLD(offsets, 1, 'i', 0, 0);
    HOLD(order, 2, 'i', 0, 0);
    INT(row_bytes, 3) CHECK_NUMBERS();
    Py_buffer *out = &held.view[held.count];
    if (PyObject_GetBuffer(args[4], out, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE) < 0) {
        release(&held);
        return NULL;
    }
    held.count++;
    Py_ssize_t n = items(offsets);
    if (row_bytes < 0 || items(order) != n || out->len < (Py_ssize_t)row_bytes * n)
        return fail(&held, "read_rows: offsets, order (N,) and out of N rows expected");
    for (Py_ssize_t i = 0; i < n; i++)
        if (I(order)[i] < 0 || I(order)[i] >= n)
            return fail(&held, "read_rows: order holds an index outside [0, N)");
    int64_t failed = -1, result = 0, cold_rows = 0;
#ifdef HAVE_NOWAIT
    int known = 1;
#else
    int known = 0;
#endif
    Py_BEGIN_ALLOW_THREADS;
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t k = I(order)[i];
        int cold = 0;
        int64_t got = read_row((int)fd, (char *)out->buf + k * row_bytes, row_bytes,
                               I(offsets)[k], &cold, &known);
        cold_rows += cold;
        if (got != row_bytes) {
            failed = k;
            result = got;
            break;
        }
    }
    Py_END_ALLOW_THREADS;
    release(&held);
    if (failed >= 0) return Py_BuildValue("(LL)", (long long)failed, (long long)result);
    return PyLong_FromLongLong(known ? (long long)cold_rows : -1LL);
}
#endif

#if defined(HAVE_PREAD) && defined(POSIX_FADV_WILLNEED)
/* posix_fadvise(WILLNEED) for `row_bytes` at each of `offsets`, without the GIL: a hint to
 * start reading them into the page cache; errors are ignored, as hints. */
static PyObject *py_advise_rows(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Held held = {0};
    ARGS(3);
    INT(fd, 0) CHECK_NUMBERS();
    HOLD(offsets, 1, 'i', 0, 0);
    INT(row_bytes, 2) CHECK_NUMBERS();
    Py_ssize_t n = items(offsets);
    Py_BEGIN_ALLOW_THREADS;
    for (Py_ssize_t i = 0; i < n; i++)
        (void)posix_fadvise((int)fd, (off_t)I(offsets)[i], (off_t)row_bytes, POSIX_FADV_WILLNEED);
    Py_END_ALLOW_THREADS;
    release(&held);
    Py_RETURN_NONE;
}
#endif

#define METHOD(name, doc) {#name, (PyCFunction)(void (*)(void))py_##name, METH_FASTCALL, doc}

static PyMethodDef methods[] = {
    METHOD(momentum, "momentum(p, g, v, chunks, first, last, flags, l2, l1, s, kind, mu, neg_lr)"),
    METHOD(mean_square, "mean_square(p, g, e, chunks, first, last, flags, l2, l1, s, rho, "
                        "one_minus_rho, eps, neg_lr)"),
    METHOD(adam, "adam(p, g, m, v, chunks, first, last, flags, l2, l1, s, keep, b1, c1, b2, c2, "
                 "eps, neg_step)"),
    METHOD(chunk_sums, "chunk_sums(p, g, chunks, first, last, flags, l2, l1, out)"),
    METHOD(bias_activation, "bias_activation(z, b or None, kind, alpha, start, stop)"),
    METHOD(activation_backward,
           "activation_backward(dy, y, dz, kind, alpha, db or None, start, stop, sums or None)"),
    METHOD(bn_moments, "bn_moments(x, start, stop, mean, m2)"),
    METHOD(bn_normalize, "bn_normalize(x, mean, inv_std, gamma, beta, xhat, y, start, stop)"),
    METHOD(bn_gradient_sums, "bn_gradient_sums(dy, xhat, start, stop, dbeta, dgamma)"),
    METHOD(bn_input_gradient,
           "bn_input_gradient(dy, xhat, dbeta, dgamma, scale, dx, start, stop)"),
    METHOD(affine_columns, "affine_columns(x, scale, shift, y, start, stop)"),
    METHOD(softmax_cross_entropy,
           "softmax_cross_entropy(s, labels, share or None, ds) -> (loss, rows argmax'd right)"),
    METHOD(dropout, "dropout(x, seed, offset, threshold, scale, y)"),
#ifdef HAVE_PREAD
    METHOD(read_rows, "read_rows(fd, offsets, order, row_bytes, out) -> rows not cached or (k, n)"),
#endif
#if defined(HAVE_PREAD) && defined(POSIX_FADV_WILLNEED)
    METHOD(advise_rows, "advise_rows(fd, offsets, row_bytes): WILLNEED hints"),
#endif
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_compiled",
    "The fused elementwise kernels of a training step (see mlplab/kernels/native/module.c).", -1,
    methods,
};

PyMODINIT_FUNC PyInit__compiled(void) { return PyModule_Create(&module); }
