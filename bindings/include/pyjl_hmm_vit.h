/* Log-space Viterbi over one sequence (bindings/hmm.pyx): the max-product lattice, then
 * a backtrack that recomputes each predecessor, with hmmlearn's tie rules.
 *
 * Layout contract: pyjl_hmm.h's; lat (T, K) scratch, path int64 (T,).
 */
#include "pyjl_hmm.h"  /* first: it includes this header after its own kernels */

#ifndef PYJL_HMM_VIT_H
#define PYJL_HMM_VIT_H

/* One max-product step: cur[j] = max_i (prev[i] + lA[i, j]) + lb[j], the running maxima
   in a local array (wide registers for K = 8 .. 64). */
PYJL_INLINE void pyjl_vit_step(double *__restrict cur, const double *__restrict prev,
                               const double *__restrict lA, const double *__restrict lb,
                               const Py_ssize_t K) {
    double mloc[K <= 64 ? K : 1];
    double *m = K >= 8 && K <= 64 ? mloc : cur;
    for (Py_ssize_t j = 0; j < K; j++) m[j] = prev[0] + lA[j];
    for (Py_ssize_t i = 1; i < K; i++) {
        double p = prev[i];
        for (Py_ssize_t j = 0; j < K; j++) {
            double v = p + lA[i * K + j];
            m[j] = v > m[j] ? v : m[j];
        }
    }
    for (Py_ssize_t j = 0; j < K; j++) cur[j] = m[j] + lb[j];
}

/* Max-product over one sequence into the (T, K) lattice, then the backtrack
   recomputes each predecessor (hmmlearn's scheme and tie rule). */
PYJL_INLINE double pyjl_vit_seq_t(const double *__restrict logB,
                                  const double *__restrict lpi,
                                  const double *__restrict lA, double *__restrict lat,
                                  int64_t *__restrict path, const Py_ssize_t T,
                                  const Py_ssize_t K) {
    for (Py_ssize_t j = 0; j < K; j++) lat[j] = lpi[j] + logB[j];
    for (Py_ssize_t t = 1; t < T; t++) {
        pyjl_vit_step(lat + t * K, lat + (t - 1) * K, lA, logB + t * K, K);
    }
    const double *__restrict last = lat + (T - 1) * K;
    Py_ssize_t s = 0;
    double best = last[0];
    for (Py_ssize_t i = 1; i < K; i++)
        if (last[i] > best) { best = last[i]; s = i; }    /* ties: the lowest state */
    path[T - 1] = s;
    for (Py_ssize_t t = T - 2; t >= 0; t--) {
        const double *__restrict prev = lat + t * K;
        const double *__restrict col = lA + path[t + 1];
        double v = prev[0] + col[0];
        Py_ssize_t j = 0;
        for (Py_ssize_t i = 1; i < K; i++) {
            double u = prev[i] + col[i * K];
            if (u >= v) { v = u; j = i; }               /* ties: the highest state */
        }
        path[t] = j;
    }
    return best;
}

/* K >= 8: also compiled for AVX2 / AVX-512 (the max-plus rows fill wide registers) */
PYJL_CLONES __attribute__((noinline))
static double pyjl_vit_wide(const double *logB, const double *lpi, const double *lA,
                            double *lat, int64_t *path, Py_ssize_t T, Py_ssize_t K) {
    if (K == 8) return pyjl_vit_seq_t(logB, lpi, lA, lat, path, T, 8);
    if (K == 16) return pyjl_vit_seq_t(logB, lpi, lA, lat, path, T, 16);
    return pyjl_vit_seq_t(logB, lpi, lA, lat, path, T, K);
}

static double pyjl_vit_seq(const double *logB, const double *lpi, const double *lA,
                           double *lat, int64_t *path, Py_ssize_t T, Py_ssize_t K) {
    switch (K) {
    case 2: return pyjl_vit_seq_t(logB, lpi, lA, lat, path, T, 2);
    case 3: return pyjl_vit_seq_t(logB, lpi, lA, lat, path, T, 3);
    case 4: return pyjl_vit_seq_t(logB, lpi, lA, lat, path, T, 4);
    case 5: return pyjl_vit_seq_t(logB, lpi, lA, lat, path, T, 5);
    case 6: return pyjl_vit_seq_t(logB, lpi, lA, lat, path, T, 6);
    default: return pyjl_vit_wide(logB, lpi, lA, lat, path, T, K);
    }
}

#endif  /* PYJL_HMM_VIT_H */
