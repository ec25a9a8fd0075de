/* Gaussian-process covariance kernels of bindings/gp.pyx: every formula once.
 *
 * Layout contract (validated by pyjl.gp, trusted here): float64, C-contiguous.  A point
 * is a row of d numbers.  For the stationary kinds (every kind but periodic) points are
 * already divided by their lengthscales and a kernel is var * kappa(r2), r2 the squared
 * distance of the scaled points; BT is the (d, ld) transpose of the scaled points a row
 * is compared with.  Periodic points are not scaled: its lengthscales ls come apart,
 * nls of them (1: isotropic, d: one per feature).  `a` is the kind's extra parameter
 * (rq: alpha, periodic: the period; unused by the others) and n_extra the number of
 * them (0 or 1).  Log-parameters are ordered log ls[0..nls), log var, log extra.
 *
 * A stationary kind is its code in enum pyjl_gp_kind, pyjl_<kind>_kappa and
 * pyjl_<kind>_gscale (gscale = -2 dkappa/dr2, so dk/dlog l_k = var gscale D_k^2 with
 * D_k the scaled difference), and one case in each row loop: pyjl_kappa_row,
 * pyjl_grad_row and pyjl_contract_row.  A kind with an extra parameter also has
 * pyjl_<kind>_dextra (dkappa/dlog extra), used in the last two.  The matrix-free products
 * (pyjl_gp_free.h, included at the end) are built from those row loops and need nothing
 * per kind.
 *
 * Points more than about 1e153 lengthscales apart have a squared scaled distance taken as
 * PYJL_R2_MAX (it overflows from 1e154 on), and each feature's difference is at most 1e153
 * (pyjl_diff_cap), where every kind's value and gradient term is its limit, 0 (the
 * rational quadratic's heavy tail: its value at 1e153), never inf * 0.
 */
#ifndef PYJL_GP_H
#define PYJL_GP_H

#include <Python.h>  /* Py_ssize_t; Cython's module includes it first anyway */
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize ("no-math-errno", "no-trapping-math")
#endif
#include "pyjl_math.h"  /* pyjl_expn: inside the options above, as the loops that inline it */
#if defined(_OPENMP)
#define PYJL_SIMD _Pragma("omp simd")
#define PYJL_SIMD_SUM_KV _Pragma("omp simd reduction(+:kv)")
#define PYJL_SIMD_SUM_S _Pragma("omp simd reduction(+:s)")
#define PYJL_SIMD_SUM_S4 _Pragma("omp simd reduction(+:s0, s1, s2, s3)")
#else
#define PYJL_SIMD
#define PYJL_SIMD_SUM_KV
#define PYJL_SIMD_SUM_S
#define PYJL_SIMD_SUM_S4
#endif
/* The row loops are compiled for the baseline ISA plus AVX2 and AVX-512 and the
   best one the CPU has is picked at load time (GCC function multiversioning).
   The arithmetic is the same IEEE operations in every clone (no FMA contraction:
   -ffp-contract=off), so results do not depend on the clone. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) \
    && defined(__GLIBC__) && __GNUC__ >= 8
#define PYJL_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define PYJL_CLONES
#endif

/* The kernel kinds: a code is the position of the kind in pyjl.engines.contract.GP_KINDS
   (tests/engines/test_native_sources.py checks the two agree). */
enum pyjl_gp_kind {
    PYJL_RBF = 0,
    PYJL_MATERN12,
    PYJL_MATERN32,
    PYJL_MATERN52,
    PYJL_RQ,
    PYJL_PERIODIC,
    PYJL_N_KINDS
};

#define PYJL_R2_MAX 1e306  /* Matern52's 5 r2 / 3 stays finite */

/* q, at most PYJL_R2_MAX (a ternary, not fmin: GCC vectorises it without finite-math) */
PYJL_INLINE double pyjl_r2_cap(double q) {
    return q < PYJL_R2_MAX ? q : PYJL_R2_MAX;
}

/* a scaled difference t, at most 1e153 in magnitude, so that t * t <= PYJL_R2_MAX (as the
   original t where it is smaller: the same products, bit for bit) */
PYJL_INLINE double pyjl_diff_cap(double t) {
    return t < 1e153 && t > -1e153 ? t : 1e153;
}

/* ---- the stationary kinds: kappa(r2) = k / var, gscale(r2) = -2 dkappa/dr2; `a` is
   the extra parameter (unused by the kinds without one) ---- */
#define PYJL_SQRT3 1.7320508075688772
#define PYJL_SQRT5 2.23606797749979

PYJL_INLINE double pyjl_rbf_kappa(double r2, double a) {
    return pyjl_expn(-0.5 * r2);
}
PYJL_INLINE double pyjl_rbf_gscale(double r2, double a) {
    return pyjl_expn(-0.5 * r2);
}

PYJL_INLINE double pyjl_matern12_kappa(double r2, double a) {
    return pyjl_expn(-sqrt(fabs(r2)));
}
PYJL_INLINE double pyjl_matern12_gscale(double r2, double a) {
    double r = sqrt(fabs(r2));
    return r > 0.0 ? pyjl_expn(-r) / (r > 0.0 ? r : 1.0) : 0.0;  /* no 0/0, even in lanes */
}

PYJL_INLINE double pyjl_matern32_kappa(double r2, double a) {
    double r = sqrt(fabs(r2));
    return (1.0 + PYJL_SQRT3 * r) * pyjl_expn(-PYJL_SQRT3 * r);
}
PYJL_INLINE double pyjl_matern32_gscale(double r2, double a) {
    double r = sqrt(fabs(r2));
    return 3.0 * pyjl_expn(-PYJL_SQRT3 * r);
}

PYJL_INLINE double pyjl_matern52_kappa(double r2, double a) {
    double r = sqrt(fabs(r2));
    return (1.0 + PYJL_SQRT5 * r + (5.0 / 3.0) * r2) * pyjl_expn(-PYJL_SQRT5 * r);
}
PYJL_INLINE double pyjl_matern52_gscale(double r2, double a) {
    double r = sqrt(fabs(r2));
    return (5.0 / 3.0) * (1.0 + PYJL_SQRT5 * r) * pyjl_expn(-PYJL_SQRT5 * r);
}

PYJL_INLINE double pyjl_rq_kappa(double r2, double a) {
    return pow(1.0 + r2 / (2.0 * a), -a);
}
PYJL_INLINE double pyjl_rq_gscale(double r2, double a) {
    return pow(1.0 + r2 / (2.0 * a), -a) / (1.0 + r2 / (2.0 * a));
}
PYJL_INLINE double pyjl_rq_dextra(double r2, double a) {
    double u = r2 / (2.0 * a), k = pow(1.0 + u, -a);
    /* k == 0: u overflowed (a small alpha), where k log1p(u) -> 0, not 0 * inf */
    return k == 0.0 ? 0.0 : k * a * (u / (1.0 + u) - log1p(u));
}

/* ---- periodic: k / var = exp(-2 sum_k sin^2(pi (x_k - y_k) / p) / l_k^2) ---- */

/* a * b / (l * l), where l * l may underflow (a lengthscale below 1e-154): then (a / l) *
   (b / l), at most PYJL_R2_MAX, so that 0 / 0 is 0 (a point and itself) */
PYJL_INLINE double pyjl_over_l2(double a, double b, double l) {
    if (l > 1e-150) return a * b / (l * l);
    double q = (a / l) * (b / l);
    return q > -PYJL_R2_MAX ? pyjl_r2_cap(q) : -PYJL_R2_MAX;
}

PYJL_INLINE double pyjl_periodic(const double *x, const double *y, Py_ssize_t d,
                                 const double *ls, Py_ssize_t nls, double p) {
    double s, l, S = 0.0;
    Py_ssize_t k;
    for (k = 0; k < d; k++) {
        s = sin(M_PI * (x[k] - y[k]) / p);
        l = nls > 1 ? ls[k] : ls[0];
        S = S + pyjl_over_l2(s, s, l);
    }
    return pyjl_exp0(-2.0 * pyjl_r2_cap(S));
}

/* out[q] += w * dk(x, y)/dtheta_q for every log-parameter q of the periodic kind. */
PYJL_INLINE void pyjl_periodic_grad(const double *x, const double *y, Py_ssize_t d,
                                    const double *ls, Py_ssize_t nls, double var, double p,
                                    double w, double *out) {
    double kap = var * pyjl_periodic(x, y, d, ls, nls, p), r = 0.0, arg, s, c, l;
    Py_ssize_t k;
    if (kap == 0.0) return;  /* every term is kap times a factor that may be inf: 0 */
    for (k = 0; k < d; k++) {
        arg = M_PI * (x[k] - y[k]) / p;
        s = sin(arg);
        c = cos(arg);
        l = nls > 1 ? ls[k] : ls[0];
        if (l > 1e-150) {
            out[nls > 1 ? k : 0] += w * kap * 4.0 * s * s / (l * l);
            r = r + arg * s * c / (l * l);
        } else {
            out[nls > 1 ? k : 0] += w * kap * 4.0 * pyjl_over_l2(s, s, l);
            r = r + pyjl_over_l2(arg, s, l) * c;
        }
    }
    out[nls] += w * kap;
    out[nls + 1] += w * kap * 4.0 * r;
}

/* ---- row loops (stationary kinds): the kind is chosen outside, the loop vectorises ---- */

/* r2[j - j0] = sum_k (x[k] - BT[k, j])^2 for j in [j0, n); BT is (d, ld) row-major. */
PYJL_CLONES
static void pyjl_r2_row(const double *x, const double *BT, Py_ssize_t ld, Py_ssize_t d,
                        Py_ssize_t j0, Py_ssize_t n, double *restrict r2) {
    Py_ssize_t m = n - j0, j, k;
    for (j = 0; j < m; j++) r2[j] = 0.0;
    for (k = 0; k + 1 < d; k++) {
        const double *restrict b = BT + k * ld + j0;
        double xk = x[k];
        PYJL_SIMD
        for (j = 0; j < m; j++) { double t = xk - b[j]; r2[j] += t * t; }
    }
    if (d > 0) {  /* the last feature's pass caps the sum, no pass of its own */
        const double *restrict b = BT + (d - 1) * ld + j0;
        double xk = x[d - 1];
        PYJL_SIMD
        for (j = 0; j < m; j++) { double t = xk - b[j]; r2[j] = pyjl_r2_cap(r2[j] + t * t); }
    }
}

#define PYJL_KAPPA_LOOP(KAPPA)                                              \
    PYJL_SIMD                                                               \
    for (j = 0; j < m; j++) out[j] = var * KAPPA(r2[j], a);                 \
    break;

/* out[j] = var * kappa(r2[j]) for j in [0, m). */
PYJL_CLONES
static void pyjl_kappa_row(int kind, const double *restrict r2, Py_ssize_t m, double var,
                           double a, double *restrict out) {
    Py_ssize_t j;
    switch (kind) {
    case PYJL_RBF: PYJL_KAPPA_LOOP(pyjl_rbf_kappa)
    case PYJL_MATERN12: PYJL_KAPPA_LOOP(pyjl_matern12_kappa)
    case PYJL_MATERN32: PYJL_KAPPA_LOOP(pyjl_matern32_kappa)
    case PYJL_MATERN52: PYJL_KAPPA_LOOP(pyjl_matern52_kappa)
    case PYJL_RQ:
        for (j = 0; j < m; j++) out[j] = var * pyjl_rq_kappa(r2[j], a);
        break;
    default: break;
    }
}
#undef PYJL_KAPPA_LOOP

#define PYJL_GRAD_LOOP(KAPPA, GSCALE)                                       \
    PYJL_SIMD                                                               \
    for (j = 0; j < m; j++) {                                               \
        Kr[j] = var * KAPPA(r2[j], a);                                      \
        gs[j] = var * GSCALE(r2[j], a);                                     \
    }                                                                       \
    break;

/* For j in [j0, n): K[j] = k(x, x_j) and G[q * ldq + j] = dk(x, x_j)/dtheta_q for every
   log-parameter q (G points at row i of parameter 0 of a (p, n, n) array: ldq = n * n);
   r2 is a scratch row of n - j0 numbers. */
PYJL_CLONES
static void pyjl_grad_row(int kind, const double *x, const double *BT, Py_ssize_t ld,
                          Py_ssize_t d, Py_ssize_t j0, Py_ssize_t n, Py_ssize_t nls,
                          double var, double a, double *restrict r2, double *restrict K,
                          double *G, Py_ssize_t ldq) {
    Py_ssize_t m = n - j0, j, k;
    double *restrict Kr = K + j0;
    double *restrict gs = G + nls * ldq + j0;  /* var * gscale until it receives K */
    pyjl_r2_row(x, BT, ld, d, j0, n, r2);
    switch (kind) {
    case PYJL_RBF: PYJL_GRAD_LOOP(pyjl_rbf_kappa, pyjl_rbf_gscale)
    case PYJL_MATERN12: PYJL_GRAD_LOOP(pyjl_matern12_kappa, pyjl_matern12_gscale)
    case PYJL_MATERN32: PYJL_GRAD_LOOP(pyjl_matern32_kappa, pyjl_matern32_gscale)
    case PYJL_MATERN52: PYJL_GRAD_LOOP(pyjl_matern52_kappa, pyjl_matern52_gscale)
    case PYJL_RQ: {
        double *restrict ge = G + (nls + 1) * ldq + j0;  /* the row of log alpha */
        for (j = 0; j < m; j++) {
            Kr[j] = var * pyjl_rq_kappa(r2[j], a);
            gs[j] = var * pyjl_rq_gscale(r2[j], a);
            ge[j] = var * pyjl_rq_dextra(r2[j], a);
        }
        break;
    }
    default: break;
    }
    if (nls == 1) {
        double *restrict g0 = G + j0;
        PYJL_SIMD
        for (j = 0; j < m; j++) g0[j] = gs[j] * r2[j];
    } else {
        for (k = 0; k < d; k++) {
            const double *restrict b = BT + k * ld + j0;
            double *restrict gk = G + k * ldq + j0;
            double xk = x[k];
            PYJL_SIMD
            for (j = 0; j < m; j++) {
                double t = pyjl_diff_cap(xk - b[j]);
                gk[j] = gs[j] * t * t;
            }
        }
    }
    for (j = 0; j < m; j++) gs[j] = Kr[j];
}
#undef PYJL_GRAD_LOOP

#define PYJL_CONTRACT_LOOP(KAPPA, GSCALE)                                   \
    PYJL_SIMD_SUM_KV                                                        \
    for (j = 0; j < m; j++) {                                               \
        double wj = w[j], kj = KAPPA(r2[j], a), gj = GSCALE(r2[j], a);      \
        kv += wj * kj;                                                      \
        g[j] = wj * gj;                                                     \
    }                                                                       \
    break;

/* acc[q] += sum_{j in [j0, n)} wscale * w[j] * dk(x, x_j)/dtheta_q; r2 and g are
   scratch rows of n - j0 numbers. */
PYJL_CLONES
static void pyjl_contract_row(int kind, const double *x, const double *BT, Py_ssize_t ld,
                              Py_ssize_t d, Py_ssize_t j0, Py_ssize_t n, Py_ssize_t nls,
                              Py_ssize_t n_extra, double var, double a,
                              const double *restrict w, double wscale, double *restrict r2,
                              double *restrict g, double *acc) {
    Py_ssize_t m = n - j0, j, k;
    double kv = 0.0, av = 0.0, s;
    pyjl_r2_row(x, BT, ld, d, j0, n, r2);
    switch (kind) {
    case PYJL_RBF: PYJL_CONTRACT_LOOP(pyjl_rbf_kappa, pyjl_rbf_gscale)
    case PYJL_MATERN12: PYJL_CONTRACT_LOOP(pyjl_matern12_kappa, pyjl_matern12_gscale)
    case PYJL_MATERN32: PYJL_CONTRACT_LOOP(pyjl_matern32_kappa, pyjl_matern32_gscale)
    case PYJL_MATERN52: PYJL_CONTRACT_LOOP(pyjl_matern52_kappa, pyjl_matern52_gscale)
    case PYJL_RQ:
        for (j = 0; j < m; j++) {
            double wj = w[j];
            kv += wj * pyjl_rq_kappa(r2[j], a);
            av += wj * pyjl_rq_dextra(r2[j], a);
            g[j] = wj * pyjl_rq_gscale(r2[j], a);
        }
        break;
    default: break;
    }
    acc[nls] += wscale * var * kv;
    if (n_extra > 0) acc[nls + 1] += wscale * var * av;
    if (nls == 1) {
        s = 0.0;
        PYJL_SIMD_SUM_S
        for (j = 0; j < m; j++) s += g[j] * r2[j];
        acc[0] += wscale * var * s;
    } else {
        for (k = 0; k < d; k++) {
            const double *restrict b = BT + k * ld + j0;
            double xk = x[k];
            s = 0.0;
            PYJL_SIMD_SUM_S
            for (j = 0; j < m; j++) {
                double t = pyjl_diff_cap(xk - b[j]);
                s += g[j] * t * t;
            }
            acc[k] += wscale * var * s;
        }
    }
}
#undef PYJL_CONTRACT_LOOP

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif

#include "pyjl_gp_free.h"  /* the matrix-free products, built from the row loops above */

#endif  /* PYJL_GP_H */
