/* Scaled forward-backward and the forward pass over one sequence (bindings/hmm.pyx):
 * probability space, renormalised at every step, the emission factors computed block by
 * block (pyjl_factors), the transition posteriors summed in blocks of outer products.
 *
 * Layout contract: pyjl_hmm.h's; gam (T, K) receives the emission factors, then the
 * posteriors; alpha (T, K), sc (T) and work (PYJL_NB + 1 K-vectors) are scratch; xacc
 * (K, K) accumulates the transition posteriors (before the product with A).
 */
#include "pyjl_hmm.h"  /* first: it includes this header after its own kernels */

#ifndef PYJL_HMM_FB_H
#define PYJL_HMM_FB_H

/* xacc[i, j] += sum_s arows[s, i] * wrows[s, j] over nb steps (a block of outer
   products: each row of xacc is loaded and stored once per block). */
PYJL_INLINE void pyjl_xi_block(double *__restrict xacc, const double *__restrict arows,
                               const double *__restrict wrows, const Py_ssize_t nb,
                               const Py_ssize_t K) {
    for (Py_ssize_t i = 0; i < K; i++) {
        double *__restrict row = xacc + i * K;
        for (Py_ssize_t s = 0; s < nb; s++) {
            double ai = arows[s * K + i];
            const double *__restrict w = wrows + s * K;
            for (Py_ssize_t j = 0; j < K; j++) row[j] += ai * w[j];
        }
    }
}

#define PYJL_NB 16     /* steps per block of transition-posterior outer products */

/* One step of the scaled forward recursion, before scaling: a = (ap A) .* b, or
   pi .* b at the first step (ap NULL); returns sum(a). */
PYJL_INLINE double pyjl_fwd_step(double *__restrict a, const double *__restrict ap,
                                 const double *__restrict pi, const double *__restrict A,
                                 const double *__restrict b, const Py_ssize_t K) {
    if (ap == NULL) {
        for (Py_ssize_t j = 0; j < K; j++) a[j] = pi[j] * b[j];
    } else {
        for (Py_ssize_t j = 0; j < K; j++) a[j] = ap[0] * A[j];
        for (Py_ssize_t i = 1; i < K; i++) {
            double ai = ap[i];
            for (Py_ssize_t j = 0; j < K; j++) a[j] += ai * A[i * K + j];
        }
        for (Py_ssize_t j = 0; j < K; j++) a[j] *= b[j];
    }
    double c = 0.0;
    for (Py_ssize_t j = 0; j < K; j++) c += a[j];
    return c;
}

/* One backward step's message beta = A w: one dot product per state (scalar sums, j
   ascending), faster at K = 16 than the transposed axpy form, whose vectorisation
   shuffles; 0 for a state whose forward variable a is 0.  Such a state has no
   posterior weight, and the chain reaches it from no state it can be in, so its message
   changes nothing, but scaled by the reachable states' sums it can grow without bound
   (a state the chain cannot reach whose emissions fit the data better) and overflow
   into 0 * inf = NaN. */
PYJL_INLINE void pyjl_bwd_beta(double *__restrict beta, const double *__restrict A,
                               const double *__restrict w, const double *__restrict a,
                               const Py_ssize_t K) {
    for (Py_ssize_t i = 0; i < K; i++) {
        double sacc = A[i * K] * w[0];
        for (Py_ssize_t j = 1; j < K; j++) sacc += A[i * K + j] * w[j];
        beta[i] = a[i] == 0.0 ? 0.0 : sacc;
    }
}

/* The posteriors g = a beta, renormalised to sum 1 (left as they are where the sum is
   0: an impossible step). */
PYJL_INLINE void pyjl_posterior(double *__restrict g, const double *__restrict a,
                                const double *__restrict beta, const Py_ssize_t K) {
    double c = 0.0;
    for (Py_ssize_t i = 0; i < K; i++) { g[i] = a[i] * beta[i]; c += g[i]; }
    if (c > 0.0) {
        double v = 1.0 / c;
        for (Py_ssize_t i = 0; i < K; i++) g[i] *= v;
    }
}

/* Forward-backward over one sequence.  gam (T, K) receives the emission factors and
   then the posteriors; alpha (T, K) and sc (T) are scratch; wbuf holds PYJL_NB
   K-vectors and beta one; xl (K, K) accumulates sum_t alpha_t[i] w_t[j] (times
   A[i, j] later). */
PYJL_INLINE double pyjl_fb_seq_t(const double *__restrict logB, double *__restrict gam,
                                 double *__restrict alpha, double *__restrict sc,
                                 const double *__restrict pi, const double *__restrict A,
                                 const double *__restrict AT, double *__restrict xl,
                                 double *__restrict wbuf, double *__restrict beta,
                                 const Py_ssize_t T, const Py_ssize_t K) {
    pyjl_llacc acc = {1.0, 0, 0.0};
    double msum = 0.0;
    int dead = 0;
    for (Py_ssize_t t = 0; t < T; t++) {
        double *__restrict b = gam + t * K;
        double *__restrict a = alpha + t * K;
        if (t % PYJL_BLOCK == 0)
            msum += pyjl_factors(logB + t * K, b, T - t < PYJL_BLOCK ? T - t : PYJL_BLOCK, K);
        double c = pyjl_fwd_step(a, t ? alpha + (t - 1) * K : NULL, pi, A, b, K);
        if (!(c > 0.0)) { dead = 1; c = 1.0; }     /* impossible under the model */
        double v = 1.0 / c;
        for (Py_ssize_t j = 0; j < K; j++) a[j] *= v;
        sc[t] = v;
        pyjl_ll_add(&acc, c);
    }
    /* backward: w_t = b_{t+1} beta_{t+1} / c_{t+1} (formed while b_{t+1} is still in
       row t+1 of gam; kept in the block buffer, filled from its end), beta_t = A w_t,
       xi_t = alpha_t (x) w_t (times A), gamma_t = alpha_t beta_t, renormalised. */
    double *__restrict g = gam + (T - 1) * K;
    const double *__restrict a = alpha + (T - 1) * K;
    Py_ssize_t nin = 0;
    double *__restrict w = wbuf + (PYJL_NB - 1) * K;
    for (Py_ssize_t j = 0; j < K; j++) w[j] = T > 1 ? g[j] * sc[T - 1] : 0.0;
    for (Py_ssize_t j = 0; j < K; j++) g[j] = a[j];
    for (Py_ssize_t t = T - 2; t >= 0; t--) {
        g = gam + t * K;
        a = alpha + t * K;
        w = wbuf + (PYJL_NB - 1 - nin) * K;
        pyjl_bwd_beta(beta, A, w, a, K);
        nin++;
        if (nin == PYJL_NB || t == 0) {
            pyjl_xi_block(xl, a, wbuf + (PYJL_NB - nin) * K, nin, K);
            nin = 0;
        }
        if (t > 0) {
            double v = sc[t];
            double *__restrict wn = wbuf + (PYJL_NB - 1 - nin) * K;
            for (Py_ssize_t j = 0; j < K; j++) wn[j] = g[j] * beta[j] * v;
        }
        pyjl_posterior(g, a, beta, K);
    }
    if (dead) return -INFINITY;
    return pyjl_ll_value(&acc) + msum;
}

/* Scaled forward pass only (log-likelihood), O(K) memory. */
PYJL_INLINE double pyjl_fwd_seq_t(const double *__restrict logB,
                                  const double *__restrict pi, const double *__restrict A,
                                  double *__restrict bblk, double *__restrict a,
                                  double *__restrict ap, const Py_ssize_t T,
                                  const Py_ssize_t K) {
    pyjl_llacc acc = {1.0, 0, 0.0};
    double msum = 0.0;
    for (Py_ssize_t t = 0; t < T; t++) {
        const double *__restrict b = bblk + (t % PYJL_BLOCK) * K;
        if (t % PYJL_BLOCK == 0)
            msum += pyjl_factors(logB + t * K, bblk,
                                 T - t < PYJL_BLOCK ? T - t : PYJL_BLOCK, K);
        double c = pyjl_fwd_step(a, t ? ap : NULL, pi, A, b, K);
        if (!(c > 0.0)) return -INFINITY;
        double v = 1.0 / c;
        for (Py_ssize_t j = 0; j < K; j++) ap[j] = a[j] * v;
        pyjl_ll_add(&acc, c);
    }
    return pyjl_ll_value(&acc) + msum;
}

/* K = 16: also compiled for AVX2 / AVX-512, where vectors of 16 fill wide registers
   (the same IEEE operations, so the same bits) */
PYJL_CLONES __attribute__((noinline))
static double pyjl_fb16(const double *logB, double *gam, double *alpha, double *sc,
                        const double *pi, const double *A, const double *AT,
                        double *xacc, double *work, Py_ssize_t T) {
    double xl[256];
    for (Py_ssize_t q = 0; q < 256; q++) xl[q] = 0.0;
    double ll = pyjl_fb_seq_t(logB, gam, alpha, sc, pi, A, AT, xl, work,
                              work + PYJL_NB * 16, T, 16);
    for (Py_ssize_t q = 0; q < 256; q++) xacc[q] += xl[q];
    return ll;
}

static double pyjl_fb_seq(const double *logB, double *gam, double *alpha, double *sc,
                          const double *pi, const double *A, const double *AT,
                          double *xacc, double *work, Py_ssize_t T, Py_ssize_t K) {
    /* small K: the K x K sums in a local array (registers) */
    #define PYJL_FB(KK) { \
        if ((KK) <= 16) { \
            double xl[(KK) <= 16 ? (KK) * (KK) : 1]; \
            for (Py_ssize_t q = 0; q < (KK) * (KK); q++) xl[q] = 0.0; \
            double ll = pyjl_fb_seq_t(logB, gam, alpha, sc, pi, A, AT, xl, work, \
                                      work + PYJL_NB * (KK), T, KK); \
            for (Py_ssize_t q = 0; q < (KK) * (KK); q++) xacc[q] += xl[q]; \
            return ll; } \
        return pyjl_fb_seq_t(logB, gam, alpha, sc, pi, A, AT, xacc, work, \
                             work + PYJL_NB * (KK), T, KK); }
    if (K == 16) return pyjl_fb16(logB, gam, alpha, sc, pi, A, AT, xacc, work, T);
    PYJL_KCASES(PYJL_FB)
    #undef PYJL_FB
}

static double pyjl_fwd_seq(const double *logB, const double *pi, const double *A,
                           double *work, Py_ssize_t T, Py_ssize_t K) {
    #define PYJL_FWD(KK) \
        return pyjl_fwd_seq_t(logB, pi, A, work + 2 * (KK), work, work + (KK), T, KK);
    PYJL_KCASES(PYJL_FWD)
    #undef PYJL_FWD
}

#endif  /* PYJL_HMM_FB_H */
