/* Log-space forward and forward-backward over one sequence (bindings/hmm_log.pxi): the
 * recursions the HMM runs for a model with a zero (or below e^-600) transition
 * probability, where the scaled ones (pyjl_hmm_fb.h) can lose a state the chain has left
 * behind: a state whose forward probability falls ~745 nats below the others' is zero
 * in a scaled step, and with no transition back into it nothing restores it, however much
 * later data favour it.  Here the forward variables are kept as logarithms, so no state's
 * share is ever rounded away.
 *
 * One step, out[i] = log sum_j exp(lM[i, j] + v[j]) (M = A transposed forward, A
 * backward): with m = max_j v[j] and q[j] = exp(v[j] - m), s[i] = sum_j M[i, j] q[j].
 * A term that the shift made subnormal or zero is below 2^-1022 and the sum loses at most
 * K of them, so where s[i] >= 2^-960 the relative error is below K 2^-62 and out[i] =
 * m + log(s[i]); a smaller s[i] (the row's mass sits in terms the shift rounded away:
 * the left-behind state) is summed again in log space, exactly.  That costs K
 * exponentials and K logarithms a step where hmmlearn's "log" recursion takes K^2 of
 * each, and the results agree with it to rounding.
 *
 * Layout contract: pyjl_hmm.h's; M, lM, A, lA (K, K) row-major, v, q, b, cur (K,) scratch.
 */
#include "pyjl_hmm.h"  /* first: it includes this header after its own kernels */

#ifndef PYJL_HMM_LOG_H
#define PYJL_HMM_LOG_H

/* log sum_j exp(x[j] + y[j * stride]), exactly (the largest term factored out). */
PYJL_INLINE double pyjl_log_dot(const double *__restrict x, const double *__restrict y,
                                const Py_ssize_t stride, const Py_ssize_t K) {
    double m = -INFINITY;
    for (Py_ssize_t j = 0; j < K; j++) {
        double v = x[j] + y[j * stride];
        m = v > m ? v : m;
    }
    if (m == -INFINITY) return -INFINITY;
    double s = 0.0;
    for (Py_ssize_t j = 0; j < K; j++) {
        double v = x[j] + y[j * stride];
        if (v != -INFINITY) s += exp(v - m);  /* a zero transition costs no exponential */
    }
    return m + log(s);
}

/* log sum_j exp(x[j]); -inf for an empty or all -inf x. */
PYJL_INLINE double pyjl_log_sum(const double *__restrict x, const Py_ssize_t K) {
    double m = -INFINITY;
    for (Py_ssize_t j = 0; j < K; j++) m = x[j] > m ? x[j] : m;
    if (m == -INFINITY) return -INFINITY;
    double s = 0.0;
    for (Py_ssize_t j = 0; j < K; j++) s += exp(x[j] - m);
    return m + log(s);
}

/* out[i] = log sum_j exp(lM[i, j] + v[j]) (see the header comment); q is scratch. */
PYJL_INLINE void pyjl_log_matvec(double *__restrict out, const double *__restrict M,
                                 const double *__restrict lM, const double *__restrict v,
                                 double *__restrict q, const Py_ssize_t K) {
    double m = -INFINITY;
    for (Py_ssize_t j = 0; j < K; j++) m = v[j] > m ? v[j] : m;
    if (m == -INFINITY) {
        for (Py_ssize_t i = 0; i < K; i++) out[i] = -INFINITY;
        return;
    }
    for (Py_ssize_t j = 0; j < K; j++) q[j] = pyjl_expn(v[j] - m);  /* 0 below e^-708 */
    for (Py_ssize_t i = 0; i < K; i++) {
        const double *__restrict row = M + i * K;
        double s = 0.0;
        for (Py_ssize_t j = 0; j < K; j++) s += row[j] * q[j];
        out[i] = s >= 0x1p-960 ? m + log(s) : pyjl_log_dot(v, lM + i * K, 1, K);
    }
}

/* The forward pass: la (T, K) gets log alpha; returns the log-likelihood. */
PYJL_INLINE double pyjl_log_fwd(const double *__restrict logB, const double *__restrict lpi,
                                const double *__restrict AT, const double *__restrict lAT,
                                double *__restrict la, double *__restrict q,
                                const Py_ssize_t T, const Py_ssize_t K) {
    for (Py_ssize_t k = 0; k < K; k++) la[k] = lpi[k] + logB[k];
    for (Py_ssize_t t = 1; t < T; t++) {
        double *__restrict cur = la + t * K;
        pyjl_log_matvec(cur, AT, lAT, cur - K, q, K);
        for (Py_ssize_t k = 0; k < K; k++) cur[k] += logB[t * K + k];
    }
    return pyjl_log_sum(la + (T - 1) * K, K);
}

/* The forward pass keeping two rows (cur, prev: K each): the log-likelihood only. */
PYJL_INLINE double pyjl_log_fwd_only(const double *__restrict logB,
                                     const double *__restrict lpi,
                                     const double *__restrict AT, const double *__restrict lAT,
                                     double *__restrict cur, double *__restrict prev,
                                     double *__restrict q, const Py_ssize_t T,
                                     const Py_ssize_t K) {
    for (Py_ssize_t k = 0; k < K; k++) cur[k] = lpi[k] + logB[k];
    for (Py_ssize_t t = 1; t < T; t++) {
        double *tmp = prev;
        prev = cur;
        cur = tmp;
        pyjl_log_matvec(cur, AT, lAT, prev, q, K);
        for (Py_ssize_t k = 0; k < K; k++) cur[k] += logB[t * K + k];
    }
    return pyjl_log_sum(cur, K);
}

/* Row t of the posteriors from log alpha + log beta, in place: exp(x - max), summed to 1. */
PYJL_INLINE void pyjl_log_post(double *__restrict g, const double *__restrict lbeta,
                               const Py_ssize_t K) {
    double m = -INFINITY;
    for (Py_ssize_t k = 0; k < K; k++) {
        g[k] += lbeta[k];
        m = g[k] > m ? g[k] : m;
    }
    double s = 0.0;
    for (Py_ssize_t k = 0; k < K; k++) {
        g[k] = pyjl_expn(g[k] - m);
        s += g[k];
    }
    for (Py_ssize_t k = 0; k < K; k++) g[k] /= s;
}

/* The transition posteriors of one step added to xacc: xacc[i, j] += exp(la[i] - ll +
   lA[i, j] + v[j]), as F[i] A[i, j] G[j] with F[i] = exp(la[i] - ll + mv) and G[j] =
   exp(v[j] - mv), mv = max v: 2 K exponentials, not K^2.  A term whose G[j] is below
   2^-1000 (the product would lose digits) or whose F[i] overflows is taken exactly.
   G is scratch. */
PYJL_INLINE void pyjl_log_xi(double *__restrict xacc, const double *__restrict la,
                             const double ll, const double *__restrict A,
                             const double *__restrict lA, const double *__restrict v,
                             double *__restrict G, const Py_ssize_t K) {
    double mv = -INFINITY;
    for (Py_ssize_t j = 0; j < K; j++) mv = v[j] > mv ? v[j] : mv;
    if (mv == -INFINITY) return;
    int exact_cols = 0;
    for (Py_ssize_t j = 0; j < K; j++) {
        G[j] = pyjl_expn(v[j] - mv);
        exact_cols |= G[j] < 0x1p-1000 && v[j] != -INFINITY;
    }
    for (Py_ssize_t i = 0; i < K; i++) {
        double a = la[i] - ll;
        if (a == -INFINITY) continue;
        double F = exp(a + mv);
        double *__restrict x = xacc + i * K;
        const double *__restrict Ai = A + i * K, *__restrict lAi = lA + i * K;
        if (F == INFINITY || exact_cols) {
            for (Py_ssize_t j = 0; j < K; j++) {
                if (F != INFINITY && G[j] >= 0x1p-1000) {
                    x[j] += F * Ai[j] * G[j];
                } else {
                    double u = a + lAi[j] + v[j];
                    if (u != -INFINITY) x[j] += exp(u);
                }
            }
        } else {
            for (Py_ssize_t j = 0; j < K; j++) x[j] += F * Ai[j] * G[j];
        }
    }
}

/* Forward-backward over one sequence: gam (T, K) gets the posteriors, xacc (K, K) the
   transition posteriors added to it; work holds 4 K numbers.  Returns the
   log-likelihood; a sequence of probability zero (-inf) leaves gam and xacc alone (its
   posteriors are undefined). */
PYJL_INLINE double pyjl_log_fb(const double *__restrict logB, const double *__restrict lpi,
                               const double *__restrict A, const double *__restrict lA,
                               const double *__restrict AT, const double *__restrict lAT,
                               double *__restrict gam, double *__restrict xacc,
                               double *__restrict work, const Py_ssize_t T,
                               const Py_ssize_t K) {
    double ll = pyjl_log_fwd(logB, lpi, AT, lAT, gam, work, T, K);
    if (ll == -INFINITY) return ll;
    double *__restrict q = work, *__restrict lbeta = work + K;
    double *__restrict v = work + 2 * K, *__restrict nb = work + 3 * K;
    for (Py_ssize_t k = 0; k < K; k++) lbeta[k] = 0.0;
    for (Py_ssize_t t = T - 2; t >= 0; t--) {
        const double *__restrict la = gam + t * K;
        for (Py_ssize_t k = 0; k < K; k++) v[k] = logB[(t + 1) * K + k] + lbeta[k];
        pyjl_log_xi(xacc, la, ll, A, lA, v, q, K);
        pyjl_log_post(gam + (t + 1) * K, lbeta, K);  /* row t + 1 is no longer needed */
        pyjl_log_matvec(nb, A, lA, v, q, K);
        for (Py_ssize_t k = 0; k < K; k++) lbeta[k] = nb[k];
    }
    pyjl_log_post(gam, lbeta, K);
    return ll;
}

#endif  /* PYJL_HMM_LOG_H */
