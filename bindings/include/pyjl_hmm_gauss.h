/* Diagonal-Gaussian emissions (bindings/hmm.pyx): log-densities of rows of observations
 * and posterior-weighted moments, the per-observation loops of the Normal and
 * MvNormal("diag", "spherical") emissions.
 *
 * Layout contract: pyjl_hmm.h's; X (n, d) rows, M and IV (d, K), cst (K,); out (n, K);
 * W (n, K) weights; acc = [N (K), S1 (d, K), S2 (d, K)].
 */
#include "pyjl_hmm.h"  /* first: it includes this header after its own kernels */

#ifndef PYJL_HMM_GAUSS_H
#define PYJL_HMM_GAUSS_H

/* Diagonal-Gaussian log-densities of n rows: out[t, k] = cst[k] - 0.5 *
   sum_j ((x[t, j] - M[j, k]) SIV[j, k])^2 with SIV = 1 / sd; M and SIV are (d, K)
   (state index fastest).  Scaling before squaring keeps the result finite wherever
   it is representable (diff^2 alone overflows from |diff| ~ 1.3e154). */
PYJL_INLINE void pyjl_gauss_t(const double *__restrict X, const double *__restrict M,
                              const double *__restrict IV, const double *__restrict cst,
                              double *__restrict out, const Py_ssize_t n,
                              const Py_ssize_t d, const Py_ssize_t K) {
    for (Py_ssize_t t = 0; t < n; t++) {
        const double *__restrict x = X + t * d;
        double *__restrict o = out + t * K;
        for (Py_ssize_t k = 0; k < K; k++) o[k] = 0.0;
        for (Py_ssize_t j = 0; j < d; j++) {
            double xj = x[j];
            for (Py_ssize_t k = 0; k < K; k++) {
                double z = (xj - M[j * K + k]) * IV[j * K + k];
                o[k] += z * z;
            }
        }
        for (Py_ssize_t k = 0; k < K; k++) o[k] = cst[k] - 0.5 * o[k];
    }
}

/* Weighted moments of n rows into acc = [N (K), S1 (d, K), S2 (d, K)]: one feature
   at a time over blocks of rows, so the 2K running sums stay in registers. */
PYJL_INLINE void pyjl_moments_t(const double *__restrict X, const double *__restrict W,
                                const double *__restrict shift, double *__restrict acc,
                                const Py_ssize_t n, const Py_ssize_t d,
                                const Py_ssize_t K) {
    const Py_ssize_t BLK = 256;
    for (Py_ssize_t t0 = 0; t0 < n; t0 += BLK) {
        Py_ssize_t t1 = t0 + BLK < n ? t0 + BLK : n;
        double *__restrict N = acc;
        for (Py_ssize_t t = t0; t < t1; t++) {
            const double *__restrict wt = W + t * K;
            for (Py_ssize_t k = 0; k < K; k++) N[k] += wt[k];
        }
        for (Py_ssize_t j = 0; j < d; j++) {
            double *__restrict S1 = acc + K + j * K;
            double *__restrict S2 = acc + K + (d + j) * K;
            double sj = shift[j];
            for (Py_ssize_t t = t0; t < t1; t++) {
                const double *__restrict wt = W + t * K;
                double xc = X[t * d + j] - sj;
                double xc2 = xc * xc;
                for (Py_ssize_t k = 0; k < K; k++) {
                    S1[k] += wt[k] * xc;
                    S2[k] += wt[k] * xc2;
                }
            }
        }
    }
}

/* The same sums (each in the same order, so the same bits) for K = 2, 4, 8, 16 states and
   d <= 4 features: one pass over the rows, the (2d + 1) running sums as vectors of the
   K states in registers, whose independent chains then overlap. */
#define PYJL_MOMENTS_ROWS(KK) \
typedef double pyjl_vm##KK __attribute__((vector_size(8 * (KK)))); \
PYJL_INLINE void pyjl_moments_rows##KK(const double *__restrict X, const double *__restrict W, \
                                       const double *__restrict shift, double *__restrict acc, \
                                       const Py_ssize_t n, const Py_ssize_t d) { \
    pyjl_vm##KK s[9]; \
    double sh[4]; \
    for (Py_ssize_t q = 0; q < 2 * d + 1; q++) memcpy(&s[q], acc + q * (KK), sizeof(s[0])); \
    for (Py_ssize_t j = 0; j < d; j++) sh[j] = shift[j]; \
    for (Py_ssize_t t = 0; t < n; t++) { \
        pyjl_vm##KK w; \
        memcpy(&w, W + t * (KK), sizeof(w)); \
        s[0] += w; \
        for (Py_ssize_t j = 0; j < d; j++) { \
            double xc = X[t * d + j] - sh[j]; \
            double xc2 = xc * xc; \
            s[1 + j] += w * xc; \
            s[1 + d + j] += w * xc2; \
        } \
    } \
    for (Py_ssize_t q = 0; q < 2 * d + 1; q++) memcpy(acc + q * (KK), &s[q], sizeof(s[0])); \
}
PYJL_MOMENTS_ROWS(2)
PYJL_MOMENTS_ROWS(4)
PYJL_MOMENTS_ROWS(8)
PYJL_MOMENTS_ROWS(16)
#undef PYJL_MOMENTS_ROWS

/* the emission loops are also compiled for AVX2 / AVX-512 (vectors over the states;
   the same IEEE operations in every clone, so the same bits) */
PYJL_CLONES __attribute__((noinline))
static void pyjl_gauss(const double *X, const double *M, const double *IV,
                       const double *cst, double *out, Py_ssize_t n, Py_ssize_t d,
                       Py_ssize_t K) {
    #define PYJL_GAUSS(KK) { pyjl_gauss_t(X, M, IV, cst, out, n, d, KK); return; }
    PYJL_KCASES(PYJL_GAUSS)
    #undef PYJL_GAUSS
}

PYJL_CLONES __attribute__((noinline))
static void pyjl_moments(const double *X, const double *W, const double *shift,
                         double *acc, Py_ssize_t n, Py_ssize_t d, Py_ssize_t K) {
    #define PYJL_MOMR(KK, DD) case DD: pyjl_moments_rows##KK(X, W, shift, acc, n, DD); return;
    #define PYJL_MOMD(KK) switch (d) { PYJL_MOMR(KK, 1) PYJL_MOMR(KK, 2) PYJL_MOMR(KK, 3) \
                                       PYJL_MOMR(KK, 4) default: break; }
    if (K == 2) PYJL_MOMD(2)
    if (K == 4) PYJL_MOMD(4)
    if (K == 8) PYJL_MOMD(8)
    if (K == 16) PYJL_MOMD(16)
    #undef PYJL_MOMD
    #undef PYJL_MOMR
    #define PYJL_MOM(KK) { pyjl_moments_t(X, W, shift, acc, n, d, KK); return; }
    PYJL_KCASES(PYJL_MOM)
    #undef PYJL_MOM
}

#endif  /* PYJL_HMM_GAUSS_H */
