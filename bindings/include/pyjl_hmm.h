/* Hidden-Markov-model kernels of bindings/hmm.pyx: scaled forward-backward, forward,
 * log-space Viterbi, diagonal-Gaussian log-likelihoods and weighted moments.
 *
 * Layout contract (validated by pyjl.hmm, trusted here): every array is float64 and
 * C-contiguous; logB is (T, K) row-major, pi (K,), A and its transpose AT (K, K) with
 * row = from-state, path int64 (T,); X (n, d) with the per-state means M and inverse
 * standard deviations IV stored transposed, (d, K), and cst (K,).  The scratch arrays
 * (alpha, sc, work, lat, xacc) are sized by the caller, bindings/hmm.pyx.
 */
#ifndef PYJL_HMM_H
#define PYJL_HMM_H

#include <Python.h>  /* Py_ssize_t; Cython's module includes it first anyway */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "pyjl_math.h"

/* The exponential over a block, compiled for AVX-512 and AVX2 too where GCC can
   dispatch on the CPU at load time (the same IEEE operations in every version, with
   contraction off, so the results are identical). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define PYJL_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define PYJL_CLONES
#endif

PYJL_CLONES __attribute__((noinline))
static void pyjl_exp_block(double *__restrict b, const Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++) b[i] = pyjl_exp_core(b[i]);
}

/* Emission factors of n rows: b[t] = exp(lb[t] - max_k lb[t, k]); returns the sum of
   the row maxima (a row that is -inf everywhere has maximum 0 and factors 0).  The
   shift runs row by row, the exponential over the whole block (contiguous, so it
   vectorises); a block with a factor below e^-708 (subnormal or zero) uses libm. */
PYJL_INLINE double pyjl_factors(const double *__restrict lb, double *__restrict b,
                                const Py_ssize_t n, const Py_ssize_t K) {
    double msum = 0.0;
    int low = 0;
    for (Py_ssize_t t = 0; t < n; t++) {
        const double *__restrict l = lb + t * K;
        double *__restrict o = b + t * K;
        /* the largest number (NaNs skipped unless l[0] is one), by four interleaved
           chains: a maximum is exact in any order */
        double p0 = -INFINITY, p1 = -INFINITY, p2 = -INFINITY, p3 = -INFINITY;
        Py_ssize_t j = 1;
        for (; j + 4 <= K; j += 4) {
            p0 = l[j] > p0 ? l[j] : p0;
            p1 = l[j + 1] > p1 ? l[j + 1] : p1;
            p2 = l[j + 2] > p2 ? l[j + 2] : p2;
            p3 = l[j + 3] > p3 ? l[j + 3] : p3;
        }
        for (; j < K; j++) p0 = l[j] > p0 ? l[j] : p0;
        double m = l[0];
        m = p0 > m ? p0 : m;
        m = p1 > m ? p1 : m;
        m = p2 > m ? p2 : m;
        m = p3 > m ? p3 : m;
        if (m == -INFINITY) m = 0.0;
        for (Py_ssize_t j = 0; j < K; j++) {
            double z = l[j] - m;
            o[j] = z;
            low |= z < -708.0;
        }
        msum += m;
    }
    if (low) {
        for (Py_ssize_t i = 0; i < n * K; i++) b[i] = exp(b[i]);
    } else {
        pyjl_exp_block(b, n * K);
    }
    return msum;
}

#define PYJL_BLOCK 64      /* rows of emission factors computed ahead of the recursion */

/* Log-likelihood accumulator: a product of scales in [1, 2) with the binary exponent
   kept apart, so there is no logarithm per step. */
typedef struct { double prod; int64_t e2; double extra; } pyjl_llacc;

PYJL_INLINE void pyjl_ll_add(pyjl_llacc *acc, double c) {
    if (c >= 0x1p-1000 && c <= 0x1p+1000) {
        uint64_t u = pyjl_asu(acc->prod * c);
        acc->e2 += (int64_t)((u >> 52) & 0x7ff) - 1023;
        acc->prod = pyjl_asd((u & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
    } else {
        acc->extra += log(c);
    }
}

PYJL_INLINE double pyjl_ll_value(const pyjl_llacc *acc) {
    return ((double) acc->e2 * 0.6931471805599453 + log(acc->prod)) + acc->extra;
}

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
        if (t == 0) {
            for (Py_ssize_t j = 0; j < K; j++) a[j] = pi[j] * b[j];
        } else {
            const double *__restrict ap = alpha + (t - 1) * K;
            for (Py_ssize_t j = 0; j < K; j++) a[j] = ap[0] * A[j];
            for (Py_ssize_t i = 1; i < K; i++) {
                double ai = ap[i];
                for (Py_ssize_t j = 0; j < K; j++) a[j] += ai * A[i * K + j];
            }
            for (Py_ssize_t j = 0; j < K; j++) a[j] *= b[j];
        }
        double c = 0.0;
        for (Py_ssize_t j = 0; j < K; j++) c += a[j];
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
        /* one dot product per state (scalar sums, j ascending): faster at K = 16
           than the transposed axpy form, whose vectorisation shuffles */
        for (Py_ssize_t i = 0; i < K; i++) {
            double sacc = A[i * K] * w[0];
            for (Py_ssize_t j = 1; j < K; j++) sacc += A[i * K + j] * w[j];
            beta[i] = sacc;
        }
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
        double c = 0.0;
        for (Py_ssize_t i = 0; i < K; i++) { g[i] = a[i] * beta[i]; c += g[i]; }
        if (c > 0.0) {
            double v = 1.0 / c;
            for (Py_ssize_t i = 0; i < K; i++) g[i] *= v;
        }
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
        if (t == 0) {
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
        if (!(c > 0.0)) return -INFINITY;
        double v = 1.0 / c;
        for (Py_ssize_t j = 0; j < K; j++) ap[j] = a[j] * v;
        pyjl_ll_add(&acc, c);
    }
    return pyjl_ll_value(&acc) + msum;
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
        const double *__restrict prev = lat + (t - 1) * K;
        double *__restrict cur = lat + t * K;
        const double *__restrict lb = logB + t * K;
        /* running maxima in a local array (wide registers for K = 8 .. 64) */
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

/* Dispatch on K: compile-time copies for common small state counts. */
#define PYJL_KCASES(CALL) \
    switch (K) { \
    case 2: CALL(2); case 3: CALL(3); case 4: CALL(4); case 5: CALL(5); \
    case 6: CALL(6); case 8: CALL(8); case 16: CALL(16); default: CALL(K); }

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

/* the kernels across sequences in SIMD lanes, on the ones above */
#include "pyjl_hmm_lanes.h"
#include "pyjl_hmm_vit_lanes.h"
#include "pyjl_hmm_estep_lanes.h"

#endif  /* PYJL_HMM_H */
