/* Log-space forward and forward-backward over one sequence (bindings/hmm_log.pxi): the
 * recursions the HMM runs for a model with a zero (or below e^-320) transition
 * probability, where the scaled ones (pyjl_hmm_fb.h) can lose a state the chain has left
 * behind: a state whose forward probability falls ~745 nats below the others' is zero
 * in a scaled step, and with no transition back into it nothing restores it, however much
 * later data favour it.  Here the forward and backward variables are kept as logarithms,
 * so no state's share is ever rounded away.
 *
 * One step, out[i] = log sum_j exp(lM[i, j] + v[j]) (M = A transposed forward, A
 * backward): with m = max_j v[j] and q[j] = exp(v[j] - m), s[i] = sum_j M[i, j] q[j].
 * A term that the shift made zero is below 2^-1021 and the sum loses at most K of them, so
 * where s[i] >= 2^-960 the relative error is below K 2^-61 and out[i] = m + log(s[i]); a
 * smaller s[i] (the row's mass sits in terms the shift rounded away: the left-behind
 * state) is summed again in log space, exactly.  That is K exponentials and K logarithms
 * a step where hmmlearn's "log" recursion takes K^2 of each.
 *
 * The logarithms are kept relative to the step's largest (the forward variables less a
 * running offset, which a compensated sum accumulates; the backward ones less their
 * largest), so their rounding does not grow with the log-likelihood, and the posteriors
 * and each step's transition posteriors are normalised to sum 1: the results are those
 * of hmmlearn's log-space recursions, without the drift of logarithms of size |loglik|.
 *
 * Layout contract: pyjl_hmm.h's; M, lM, A, lA (K, K) row-major; gam (T, K); the scratch
 * sizes are in each kernel's comment.
 */
#include "pyjl_hmm.h"  /* first: it includes this header after its own kernels */

#ifndef PYJL_HMM_LOG_H
#define PYJL_HMM_LOG_H

/* log sum_j exp(x[j] + y[j]), exactly (the largest term factored out); a -inf
   term costs no exponential */
PYJL_INLINE double pyjl_log_dot(const double *__restrict x, const double *__restrict y,
                                const Py_ssize_t K) {
    double m = -INFINITY;
    for (Py_ssize_t j = 0; j < K; j++) {
        double v = x[j] + y[j];
        m = v > m ? v : m;
    }
    if (m == -INFINITY) return -INFINITY;
    double s = 0.0;
    for (Py_ssize_t j = 0; j < K; j++) {
        double v = x[j] + y[j];
        if (v != -INFINITY) s += pyjl_exp0(v - m);
    }
    return m + log(s);
}

/* the largest of x (-inf for none) */
PYJL_INLINE double pyjl_log_max(const double *__restrict x, const Py_ssize_t K) {
    double m = -INFINITY;
    for (Py_ssize_t j = 0; j < K; j++) m = x[j] > m ? x[j] : m;
    return m;
}

/* s[i] = sum_j M[i, j] q[j], q = exp(v - m), m = max v: returns m (-inf, s and q
   untouched, where every v is -inf) */
PYJL_INLINE double pyjl_log_rowsums(double *__restrict s, const double *__restrict M,
                                    const double *__restrict v, double *__restrict q,
                                    const Py_ssize_t K) {
    double m = pyjl_log_max(v, K);
    if (m == -INFINITY) return m;
    for (Py_ssize_t j = 0; j < K; j++) q[j] = pyjl_expn(v[j] - m);  /* 0 below e^-708 */
    for (Py_ssize_t i = 0; i < K; i++) {
        const double *__restrict row = M + i * K;
        double si = 0.0;
        for (Py_ssize_t j = 0; j < K; j++) si += row[j] * q[j];
        s[i] = si;
    }
    return m;
}

/* out[i] = log sum_j exp(lM[i, j] + v[j]) - m from the row sums s and the m of
   pyjl_log_rowsums: log s[i], or, where the shift rounded the row's mass away, the row
   summed again in log space (see the header comment); out may be s */
PYJL_INLINE void pyjl_log_rows(double *out, const double *s, const double *__restrict lM,
                               const double *__restrict v, const double m,
                               const Py_ssize_t K) {
    for (Py_ssize_t i = 0; i < K; i++)
        out[i] = s[i] >= 0x1p-960 ? log(s[i]) : pyjl_log_dot(v, lM + i * K, K) - m;
}

/* out[i] = log sum_j exp(lM[i, j] + v[j]) - m, m = max v: returns m (-inf, out untouched,
   where every v is -inf); q is scratch */
PYJL_INLINE double pyjl_log_matvec(double *__restrict out, const double *__restrict M,
                                   const double *__restrict lM, const double *__restrict v,
                                   double *__restrict q, const Py_ssize_t K) {
    double m = pyjl_log_rowsums(out, M, v, q, K);
    if (m != -INFINITY) pyjl_log_rows(out, out, lM, v, m, K);
    return m;
}

/* A compensated (Neumaier) sum: the forward variables' running offset. */
typedef struct { double sum, comp; } pyjl_ksum;

PYJL_INLINE void pyjl_ksum_add(pyjl_ksum *k, const double x) {
    double t = k->sum + x;
    k->comp += fabs(k->sum) >= fabs(x) ? (k->sum - t) + x : (x - t) + k->sum;
    k->sum = t;
}

/* cur[k] += lb[k] - max lb; the offset gets the shift (0 where lb is -inf everywhere) */
PYJL_INLINE void pyjl_log_emit(double *__restrict cur, const double *__restrict lb,
                               pyjl_ksum *off, const Py_ssize_t K) {
    double m = pyjl_log_max(lb, K);
    if (m == -INFINITY) m = 0.0;
    for (Py_ssize_t k = 0; k < K; k++) cur[k] += lb[k] - m;
    pyjl_ksum_add(off, m);
}

/* log sum_k exp(x[k]) (-inf for all -inf) */
PYJL_INLINE double pyjl_log_sum(const double *__restrict x, const Py_ssize_t K) {
    double m = pyjl_log_max(x, K);
    if (m == -INFINITY) return -INFINITY;
    double s = 0.0;
    for (Py_ssize_t k = 0; k < K; k++) s += pyjl_expn(x[k] - m);
    return m + log(s);
}

/* One forward step from prev into cur (both less the offset); returns 0 if impossible. */
PYJL_INLINE int pyjl_log_fstep(double *__restrict cur, const double *__restrict prev,
                               const double *__restrict AT, const double *__restrict lAT,
                               const double *__restrict lb, double *__restrict q,
                               pyjl_ksum *off, const Py_ssize_t K) {
    double m = pyjl_log_matvec(cur, AT, lAT, prev, q, K);
    if (m == -INFINITY) return 0;
    pyjl_ksum_add(off, m);
    pyjl_log_emit(cur, lb, off, K);
    return 1;
}

/* The log-likelihood from the last forward vector and the offset. */
PYJL_INLINE double pyjl_log_end(const double *__restrict last, pyjl_ksum *off,
                                const Py_ssize_t K) {
    double s = pyjl_log_sum(last, K);
    if (s == -INFINITY) return -INFINITY;
    pyjl_ksum_add(off, s);
    return off->sum + off->comp;
}

/* The forward pass: la (T, K) gets the log forward variables less the running offset;
   returns the log-likelihood (-inf, the later rows unwritten, if impossible).  q: K. */
PYJL_INLINE double pyjl_log_fwd(const double *__restrict logB, const double *__restrict lpi,
                                const double *__restrict AT, const double *__restrict lAT,
                                double *__restrict la, double *__restrict q,
                                const Py_ssize_t T, const Py_ssize_t K) {
    pyjl_ksum off = {0.0, 0.0};
    for (Py_ssize_t k = 0; k < K; k++) la[k] = lpi[k];
    pyjl_log_emit(la, logB, &off, K);
    for (Py_ssize_t t = 1; t < T; t++)
        if (!pyjl_log_fstep(la + t * K, la + (t - 1) * K, AT, lAT, logB + t * K, q, &off, K))
            return -INFINITY;
    return pyjl_log_end(la + (T - 1) * K, &off, K);
}

/* The forward pass keeping two vectors (work: 3 K numbers): the log-likelihood only. */
PYJL_CLONES __attribute__((noinline))
static double pyjl_log_fwd_only(const double *__restrict logB, const double *__restrict lpi,
                                const double *__restrict AT, const double *__restrict lAT,
                                double *__restrict work, const Py_ssize_t T,
                                const Py_ssize_t K) {
    double *cur = work, *prev = work + K, *q = work + 2 * K;
    pyjl_ksum off = {0.0, 0.0};
    for (Py_ssize_t k = 0; k < K; k++) cur[k] = lpi[k];
    pyjl_log_emit(cur, logB, &off, K);
    for (Py_ssize_t t = 1; t < T; t++) {
        double *tmp = prev;
        prev = cur;
        cur = tmp;
        if (!pyjl_log_fstep(cur, prev, AT, lAT, logB + t * K, q, &off, K)) return -INFINITY;
    }
    return pyjl_log_end(cur, &off, K);
}

/* Row t of the posteriors from log alpha + log beta, in place: exp(x - max), summed to 1. */
PYJL_INLINE void pyjl_log_post(double *__restrict g, const double *__restrict lbeta,
                               const Py_ssize_t K) {
    for (Py_ssize_t k = 0; k < K; k++) g[k] += lbeta[k];
    double m = pyjl_log_max(g, K), s = 0.0;
    for (Py_ssize_t k = 0; k < K; k++) {
        g[k] = pyjl_expn(g[k] - m);
        s += g[k];
    }
    for (Py_ssize_t k = 0; k < K; k++) g[k] /= s;
}

/* One step's transition posteriors, normalised to sum 1, added to xacc: the terms
   w[i, j] = la[i] + lA[i, j] + v[j] as exp(w - log Z).  Factored, F[i] A[i, j] G[j] / Z'
   with F = exp(la - max la), G = exp(v - mv) (mv = max v, G given) and Z' their sum
   (sum_i F[i] s[i], s[i] = sum_j A[i, j] G[j] given), which keeps every digit of a term
   whose F and G are not zero; the M-step divides each row by its own sum, where a term
   the factoring would round to zero can be the row's largest, so a term whose F or G
   underflowed (a state far from the step's best) is taken in log space, exp(w - log Z),
   and every term where Z' is below 2^-900.  F (K) is scratch.  The posteriors of step
   t are the row sums, g[i] = sum_j xi[i, j], divided by their sum (the terms taken in
   log space carry the rounding of their logarithms, up to |log B| 2^-53 relative), so
   each row sums to 1 as the last row's do; g may be la (it is written last).  The step
   is possible (a finite log-likelihood): la and v each have a finite entry. */
PYJL_INLINE void pyjl_log_xi(double *__restrict xacc, double *g, const double *la,
                             const double *__restrict A, const double *__restrict lA,
                             const double *__restrict v, const double mv,
                             const double *__restrict G, const double *__restrict s,
                             double *__restrict F, const Py_ssize_t K) {
    double ma = pyjl_log_max(la, K);
    for (Py_ssize_t k = 0; k < K; k++) F[k] = pyjl_expn(la[k] - ma);
    double Z = 0.0;
    for (Py_ssize_t i = 0; i < K; i++) Z += F[i] * s[i];
    int all_exact = !(Z >= 0x1p-900);
    double logZ;
    if (all_exact) {
        double M = -INFINITY;
        for (Py_ssize_t i = 0; i < K; i++)
            for (Py_ssize_t j = 0; j < K; j++) {
                double w = la[i] + lA[i * K + j] + v[j];
                M = w > M ? w : M;
            }
        double sum = 0.0;
        for (Py_ssize_t i = 0; i < K; i++)
            for (Py_ssize_t j = 0; j < K; j++)
                sum += pyjl_exp0(la[i] + lA[i * K + j] + v[j] - M);
        logZ = M + log(sum);
    } else {
        logZ = ma + mv + log(Z);
    }
    int cols = 0;  /* some G underflowed */
    for (Py_ssize_t j = 0; j < K; j++) cols |= G[j] == 0.0 && v[j] != -INFINITY;
    double c = 1.0 / Z, R = 0.0;
    for (Py_ssize_t i = 0; i < K; i++) {
        double *__restrict xi = xacc + i * K;
        const double *__restrict Ai = A + i * K, *__restrict lAi = lA + i * K;
        double f = F[i] * c, r = 0.0;
        int row = all_exact || (F[i] == 0.0 && la[i] != -INFINITY);
        if (!row && !cols) {
            for (Py_ssize_t j = 0; j < K; j++) {
                double x = f * Ai[j] * G[j];
                xi[j] += x;
                r += x;
            }
        } else {
            for (Py_ssize_t j = 0; j < K; j++) {
                double x = !row && !(G[j] == 0.0 && v[j] != -INFINITY)
                               ? f * Ai[j] * G[j]
                               : pyjl_exp0(la[i] + lAi[j] + v[j] - logZ);
                xi[j] += x;
                r += x;
            }
        }
        F[i] = r;
        R += r;
    }
    for (Py_ssize_t i = 0; i < K; i++) g[i] = F[i] / R;
}

/* Forward-backward over one sequence: gam (T, K) gets the posteriors, xacc (K, K) the
   transition posteriors added to it; work holds 5 K numbers.  Returns the
   log-likelihood; a sequence of probability zero (-inf) leaves gam and xacc alone (its
   posteriors are undefined).  A backward step shares its exponentials and row sums
   s[i] = sum_j A[i, j] exp(v[j] - max v) with the step's transition posteriors, whose
   row sums are the step's posteriors (all but the last row's: no exponentials of their
   own). */
PYJL_CLONES __attribute__((noinline))
static double pyjl_log_fb(const double *__restrict logB, const double *__restrict lpi,
                          const double *__restrict A, const double *__restrict lA,
                          const double *__restrict AT, const double *__restrict lAT,
                          double *__restrict gam, double *__restrict xacc,
                          double *__restrict work, const Py_ssize_t T, const Py_ssize_t K) {
    double ll = pyjl_log_fwd(logB, lpi, AT, lAT, gam, work, T, K);
    if (ll == -INFINITY) return ll;
    double *__restrict G = work, *__restrict lbeta = work + K;
    double *__restrict v = work + 2 * K, *__restrict s = work + 3 * K;
    double *__restrict F = work + 4 * K;
    for (Py_ssize_t k = 0; k < K; k++) lbeta[k] = 0.0;
    pyjl_log_post(gam + (T - 1) * K, lbeta, K);
    for (Py_ssize_t t = T - 2; t >= 0; t--) {
        for (Py_ssize_t k = 0; k < K; k++) v[k] = logB[(t + 1) * K + k] + lbeta[k];
        double mv = pyjl_log_rowsums(s, A, v, G, K);  /* > -inf: ll > -inf */
        pyjl_log_xi(xacc, gam + t * K, gam + t * K, A, lA, v, mv, G, s, F, K);
        pyjl_log_rows(lbeta, s, lA, v, mv, K);
    }
    return ll;
}

#endif  /* PYJL_HMM_LOG_H */
