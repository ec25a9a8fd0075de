/* FIR and polyphase (upfirdn) kernels of bindings/dsp.pyx, and the row reversal of
 * zero-phase filtering.
 *
 * Layout contract (validated by pyjl.dsp, trusted here): every array is float64 and
 * C-contiguous; x is one channel of n samples, y its output; b holds the m taps of an FIR;
 * hr holds the up phases of an upfirdn filter, nq taps each, each phase reversed.
 * Nothing here allocates, takes the GIL or reads outside the ranges stated per function.
 */
#ifndef PYJL_DSP_H
#define PYJL_DSP_H

#include <Python.h>  /* Py_ssize_t; Cython's module includes it first anyway */
#include <string.h>
#include "pyjl_simd.h"   /* the vector types */

/* dst[t] = src[n - 1 - t] for t < n (src and dst do not overlap) */
static void pyjl_reverse(const double *src, double *dst, Py_ssize_t n) {
    const double *end = src + n - 1;
    Py_ssize_t t;
    for (t = 0; t < n; t++) dst[t] = end[-t];
}

/* FIR convolution kernels: y[t] = sum_{k=0}^{min(m-1,t)} b[k] x[t-k] for t in [t0, t1),
   summed in increasing k from 0.0 (the same rounding as a plain loop).  The AVX2
   version keeps 16 outputs in registers and streams the taps; mul and add stay
   separate (no FMA), so both versions give identical results. */
static void pyjl_fir_generic(const double *b, Py_ssize_t m, const double *x,
                             double *y, Py_ssize_t t0, Py_ssize_t t1) {
    Py_ssize_t t = t0, k, j;
    /* head: outputs that see fewer than m inputs */
    for (; t < t1 && t < m - 1; t++) {
        double acc = 0.0;
        for (k = 0; k <= t; k++) acc = acc + b[k] * x[t - k];
        y[t] = acc;
    }
    for (; t + 8 <= t1; t += 8) {
        double a[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (k = 0; k < m; k++) {
            const double bk = b[k];
            const double *p = x + t - k;
            for (j = 0; j < 8; j++) a[j] = a[j] + bk * p[j];
        }
        for (j = 0; j < 8; j++) y[t + j] = a[j];
    }
    for (; t < t1; t++) {
        double acc = 0.0;
        for (k = 0; k < m; k++) acc = acc + b[k] * x[t - k];
        y[t] = acc;
    }
}
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
__attribute__((target("avx2")))
static void pyjl_fir_avx2(const double *b, Py_ssize_t m, const double *x,
                          double *y, Py_ssize_t t0, Py_ssize_t t1) {
    Py_ssize_t t = t0, k;
    Py_ssize_t head = (m - 1 < t1) ? m - 1 : t1;
    if (t < head) { pyjl_fir_generic(b, m, x, y, t, head); t = head; }
    for (; t + 16 <= t1; t += 16) {
        pyjl_v4d a0 = {0, 0, 0, 0}, a1 = a0, a2 = a0, a3 = a0;
        for (k = 0; k < m; k++) {
            const double bk = b[k];
            const pyjl_v4d vb = {bk, bk, bk, bk};
            const double *p = x + t - k;
            pyjl_v4d x0, x1, x2, x3;
            memcpy(&x0, p, 32); memcpy(&x1, p + 4, 32);
            memcpy(&x2, p + 8, 32); memcpy(&x3, p + 12, 32);
            a0 = a0 + vb * x0; a1 = a1 + vb * x1;
            a2 = a2 + vb * x2; a3 = a3 + vb * x3;
        }
        memcpy(y + t, &a0, 32); memcpy(y + t + 4, &a1, 32);
        memcpy(y + t + 8, &a2, 32); memcpy(y + t + 12, &a3, 32);
    }
    if (t < t1) pyjl_fir_generic(b, m, x, y, t, t1);
}
static int pyjl_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}
#else
static void pyjl_fir_avx2(const double *b, Py_ssize_t m, const double *x,
                          double *y, Py_ssize_t t0, Py_ssize_t t1) {
    pyjl_fir_generic(b, m, x, y, t0, t1);
}
static int pyjl_has_avx2(void) { return 0; }
#endif
/* Polyphase upfirdn over outputs [i0, i1): y[i] = sum_r hr[p][r] x[j0 - nq + 1 + r]
   with the taps of phase p reversed (hr[p][r] = h[p + (nq - 1 - r) * up]), so each
   output is a forward dot product; lanes hold r mod 4 partial sums. */
#define PYJL_UPFIRDN_BODY(DOT)                                                   \
    Py_ssize_t i, p, j0, r, rlo, rhi, dq = down / up, dr = down % up;            \
    Py_ssize_t m0 = i0 * down;                                                   \
    p = m0 % up; j0 = m0 / up;                                                   \
    for (i = i0; i < i1; i++) {                                                  \
        const double *hq = hr + p * nq;                                          \
        const double *xs = x + (j0 - nq + 1);                                    \
        if (j0 >= nq - 1 && j0 <= n - 1) {                                       \
            y[i] = DOT(hq, xs, nq);                                              \
        } else {                                                                 \
            double a[4] = {0.0, 0.0, 0.0, 0.0};                                  \
            rlo = nq - 1 - j0; if (rlo < 0) rlo = 0;                             \
            rhi = nq - 1 - (j0 - (n - 1)); if (rhi > nq - 1) rhi = nq - 1;       \
            for (r = rlo; r <= rhi; r++) a[r & 3] = a[r & 3] + hq[r] * xs[r];    \
            y[i] = (a[0] + a[1]) + (a[2] + a[3]);                                \
        }                                                                        \
        j0 += dq; p += dr;                                                       \
        if (p >= up) { p -= up; j0 += 1; }                                       \
    }
static inline double pyjl_dot_generic(const double *h, const double *x, Py_ssize_t k) {
    double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
    Py_ssize_t r = 0;
    for (; r + 4 <= k; r += 4) {
        a0 = a0 + h[r] * x[r]; a1 = a1 + h[r + 1] * x[r + 1];
        a2 = a2 + h[r + 2] * x[r + 2]; a3 = a3 + h[r + 3] * x[r + 3];
    }
    for (; r < k; r++) a0 = a0 + h[r] * x[r];
    return (a0 + a1) + (a2 + a3);
}
static void pyjl_upfirdn_generic(const double *hr, Py_ssize_t nq, Py_ssize_t up,
                                 Py_ssize_t down, const double *x, Py_ssize_t n,
                                 double *y, Py_ssize_t i0, Py_ssize_t i1) {
    PYJL_UPFIRDN_BODY(pyjl_dot_generic)
}
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
__attribute__((target("avx2")))
static inline double pyjl_dot_avx2(const double *h, const double *x, Py_ssize_t k) {
    pyjl_v4d a = {0, 0, 0, 0}, b = a, hv, xv, hw, xw;
    Py_ssize_t r = 0;
    for (; r + 8 <= k; r += 8) {
        memcpy(&hv, h + r, 32); memcpy(&xv, x + r, 32);
        memcpy(&hw, h + r + 4, 32); memcpy(&xw, x + r + 4, 32);
        a = a + hv * xv; b = b + hw * xw;
    }
    a = a + b;
    if (r + 4 <= k) {
        memcpy(&hv, h + r, 32); memcpy(&xv, x + r, 32);
        a = a + hv * xv; r += 4;
    }
    for (; r < k; r++) a[0] = a[0] + h[r] * x[r];
    return (a[0] + a[1]) + (a[2] + a[3]);
}
__attribute__((target("avx2")))
static void pyjl_upfirdn_avx2(const double *hr, Py_ssize_t nq, Py_ssize_t up,
                              Py_ssize_t down, const double *x, Py_ssize_t n,
                              double *y, Py_ssize_t i0, Py_ssize_t i1) {
    PYJL_UPFIRDN_BODY(pyjl_dot_avx2)
}
#else
static void pyjl_upfirdn_avx2(const double *hr, Py_ssize_t nq, Py_ssize_t up,
                              Py_ssize_t down, const double *x, Py_ssize_t n,
                              double *y, Py_ssize_t i0, Py_ssize_t i1) {
    pyjl_upfirdn_generic(hr, nq, up, down, x, n, y, i0, i1);
}
#endif

#include "pyjl_dsp_lanes.h"  /* the IIR kernels in SIMD lanes */
#include "pyjl_dsp_split.h"  /* one channel split in time */
#include "pyjl_dsp_pool.h"   /* reused output memory (a NumPy memory handler) */

#endif  /* PYJL_DSP_H */
