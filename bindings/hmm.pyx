# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Hidden-Markov-model kernels: scaled forward-backward and log-space Viterbi.

Layout contract (trusted, validated by ``pyjl.hmm``): ``log_pi`` float64
``(K,)``, ``log_A`` float64 C-contiguous ``(K, K)`` (row = from-state),
``log_B`` float64 C-contiguous ``(T, K)``, ``lengths`` int64 ``(n_seq,)``
with positive entries summing to ``T``.

Forward-backward works in probability space with per-step scaling
(Rabiner 1989, section V.A): ``b_t = exp(log_B[t] - max_k log_B[t, k])``, the
forward vector is renormalised at every step and the log of each scale (plus
the subtracted maximum) is summed into the log-likelihood, so nothing
underflows however long the sequence.  The emission factors are computed inside
the forward recursion (one pass over ``log_B``; a branch-free exponential that
the compiler vectorises, within an ulp of libm's) and kept in the ``gamma``
output until the backward pass overwrites them with the posteriors; the
forward variables live in a per-thread scratch of one sequence, so the working
memory is ``gamma`` plus ``threads x (longest sequence) x (K + 1)`` numbers.
The log-likelihood multiplies the scales together and keeps the binary exponent
apart (no logarithm per step).  Transition posteriors are summed in a local
``K x K`` block (registers for small ``K``), multiplied by ``A`` at the end.

Viterbi runs in log space on a per-thread ``(length, K)`` lattice and backtracks
by recomputing each predecessor (no back-pointer array); among equally likely
paths it picks hmmlearn's: the lowest final state, and the highest-numbered
predecessor at each earlier step.

Sequences are independent: they are split into contiguous groups processed by
``prange`` (``nogil``) with ``n_threads`` threads; each group sums its own
transition posteriors (rows padded to a cache line), added together at the end
in a fixed order, so a result does not depend on the thread schedule.  Common
state counts (2-6, 8, 16) get compile-time specialised copies of every loop; the
exponential and the wider Viterbi loops are also compiled for AVX2/AVX-512 and picked
at load time (GCC on x86-64 Linux; identical results, contraction is off).  Output
arrays are carved from per-thread buffers reused once the caller has dropped the
previous result (:func:`_recycled`), so an EM loop does not page-fault fresh
``(T, K)`` arrays at every iteration.
"""

import numpy as np
cimport numpy as cnp
from cython.parallel cimport prange, threadid
from libc.stdlib cimport malloc, free
from cpython.ref cimport Py_REFCNT

cnp.import_array()

import threading

_scratch_local = threading.local()
_SCRATCH_KEEP = 1 << 23          # keep at most 64 MB of scratch per thread between calls


def _scratch(name, n):
    """A float64 work vector of ``n`` numbers reused across calls (per Python thread):
    the kernels' internal buffers then do not page-fault afresh at every EM iteration.
    Never returned to the caller."""
    buf = getattr(_scratch_local, name, None)
    if buf is None or buf.size < n:
        buf = np.empty(max(n, 1), dtype=np.float64)
        if n <= _SCRATCH_KEEP:
            setattr(_scratch_local, name, buf)
    return buf

def _recycled(name, shape, dtype=np.float64):
    """A fresh-looking output array of ``shape``, carved from a per-thread buffer that is
    reused when nothing outside this module still refers to it (the caller dropped the
    previous result): an EM loop then writes its ``(T, K)`` arrays into the same pages
    at every iteration instead of page-faulting new ones.  A result the caller keeps
    (or any view of it) is never overwritten: its buffer is then left alone and a new
    one is allocated."""
    n = 1
    for m in shape:
        n *= m
    cdef object buf = getattr(_scratch_local, name, None)
    # free when its only references are the thread-local attribute and `buf` here
    if buf is None or buf.size < n or buf.dtype != dtype or Py_REFCNT(buf) > 2:
        buf = np.empty(max(n, 1), dtype=dtype)
        if n <= _SCRATCH_KEEP:
            setattr(_scratch_local, name, buf)
    return buf[:n].reshape(shape)

cdef extern from *:
    """
    #include <math.h>
    #include <stdint.h>
    #include <string.h>

    #define PYJL_INLINE static inline __attribute__((always_inline))

    PYJL_INLINE double pyjl_asd(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
    PYJL_INLINE uint64_t pyjl_asu(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }

    /* exp(x) for x in [-708, 0]: x = n ln2 + r (Cody-Waite, fdlibm's split of ln2),
       |r| <= ln2 / 2, Taylor polynomial of degree 13 (truncation < 5e-18), 2^n from the
       exponent bits.  Branch-free, so loops over it vectorise; within an ulp of libm. */
    PYJL_INLINE double pyjl_exp_core(double x) {
        const double shift = 0x1.8p52;
        double kd = x * 0x1.71547652b82fep0 + shift;
        uint64_t ki = pyjl_asu(kd);
        kd -= shift;
        double r = (x - kd * 0x1.62e42feep-1) - kd * 0x1.a39ef35793c76p-33;
        double p = 1.6059043836821613e-10;
        p = p * r + 2.08767569878681e-09;
        p = p * r + 2.505210838544172e-08;
        p = p * r + 2.755731922398589e-07;
        p = p * r + 2.7557319223985893e-06;
        p = p * r + 2.48015873015873e-05;
        p = p * r + 0.0001984126984126984;
        p = p * r + 0.001388888888888889;
        p = p * r + 0.008333333333333333;
        p = p * r + 0.041666666666666664;
        p = p * r + 0.16666666666666666;
        p = p * r + 0.5;
        p = p * r + 1.0;
        p = p * r + 1.0;
        return p * pyjl_asd((ki + 1023) << 52);
    }

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
            double m = l[0];
            for (Py_ssize_t j = 1; j < K; j++) m = l[j] > m ? l[j] : m;
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

    /* Dispatch on K: compile-time copies for common small state counts. */
    #define PYJL_KCASES(CALL) \\
        switch (K) { \\
        case 2: CALL(2); case 3: CALL(3); case 4: CALL(4); case 5: CALL(5); \\
        case 6: CALL(6); case 8: CALL(8); case 16: CALL(16); default: CALL(K); }

    /* K = 16: also compiled for AVX2 / AVX-512, where vectors of 16 fill wide registers
       (2x faster there; the same IEEE operations, so the same bits) */
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
        #define PYJL_FB(KK) { \\
            if ((KK) <= 16) { \\
                double xl[(KK) <= 16 ? (KK) * (KK) : 1]; \\
                for (Py_ssize_t q = 0; q < (KK) * (KK); q++) xl[q] = 0.0; \\
                double ll = pyjl_fb_seq_t(logB, gam, alpha, sc, pi, A, AT, xl, work, \\
                                          work + PYJL_NB * (KK), T, KK); \\
                for (Py_ssize_t q = 0; q < (KK) * (KK); q++) xacc[q] += xl[q]; \\
                return ll; } \\
            return pyjl_fb_seq_t(logB, gam, alpha, sc, pi, A, AT, xacc, work, \\
                                 work + PYJL_NB * (KK), T, KK); }
        if (K == 16) return pyjl_fb16(logB, gam, alpha, sc, pi, A, AT, xacc, work, T);
        PYJL_KCASES(PYJL_FB)
        #undef PYJL_FB
    }

    static double pyjl_fwd_seq(const double *logB, const double *pi, const double *A,
                               double *work, Py_ssize_t T, Py_ssize_t K) {
        #define PYJL_FWD(KK) \\
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

    static void pyjl_gauss(const double *X, const double *M, const double *IV,
                           const double *cst, double *out, Py_ssize_t n, Py_ssize_t d,
                           Py_ssize_t K) {
        #define PYJL_GAUSS(KK) { pyjl_gauss_t(X, M, IV, cst, out, n, d, KK); return; }
        PYJL_KCASES(PYJL_GAUSS)
        #undef PYJL_GAUSS
    }

    static void pyjl_moments(const double *X, const double *W, const double *shift,
                             double *acc, Py_ssize_t n, Py_ssize_t d, Py_ssize_t K) {
        #define PYJL_MOM(KK) { pyjl_moments_t(X, W, shift, acc, n, d, KK); return; }
        PYJL_KCASES(PYJL_MOM)
        #undef PYJL_MOM
    }
    """
    double pyjl_fb_seq(const double* logB, double* gam, double* alpha, double* sc,
                       const double* pi, const double* A, const double* AT, double* xacc,
                       double* work, Py_ssize_t T, Py_ssize_t K) noexcept nogil
    double pyjl_fwd_seq(const double* logB, const double* pi, const double* A, double* work,
                        Py_ssize_t T, Py_ssize_t K) noexcept nogil
    double pyjl_vit_seq(const double* logB, const double* lpi, const double* lA, double* lat,
                        cnp.int64_t* path, Py_ssize_t T, Py_ssize_t K) noexcept nogil
    void pyjl_gauss(const double* X, const double* M, const double* IV, const double* cst,
                    double* out, Py_ssize_t n, Py_ssize_t d, Py_ssize_t K) noexcept nogil
    enum: PYJL_BLOCK
    enum: PYJL_NB
    void pyjl_moments(const double* X, const double* W, const double* shift, double* acc,
                      Py_ssize_t n, Py_ssize_t d, Py_ssize_t K) noexcept nogil


DEF PAD = 8          # doubles per cache line: per-group accumulators start on their own line


cdef Py_ssize_t _plan(const cnp.int64_t[::1] lengths, cnp.int64_t[::1] off,
                      int n_threads, Py_ssize_t* n_groups, int* nt) noexcept nogil:
    """Offsets of the sequences, the number of contiguous groups (a few per thread, for
    balance) and of threads; returns the longest length."""
    cdef Py_ssize_t s, n_seq = lengths.shape[0], longest = 0
    off[0] = 0
    for s in range(n_seq):
        off[s + 1] = off[s] + lengths[s]
        if lengths[s] > longest:
            longest = lengths[s]
    n_groups[0] = min(n_seq, max(1, n_threads) * 4) if n_threads > 1 else 1
    nt[0] = <int> min(max(1, n_threads), n_groups[0])
    return longest


cdef inline Py_ssize_t _bound(Py_ssize_t g, Py_ssize_t n_groups, Py_ssize_t n_seq) noexcept nogil:
    """First sequence of group ``g`` (contiguous, near-equal counts)."""
    return (g * n_seq) // n_groups


def forward_backward(const double[::1] log_pi, const double[:, ::1] log_A,
                     const double[:, ::1] log_B, const cnp.int64_t[::1] lengths,
                     int n_threads=1):
    """``(loglik (n_seq,), gamma (T, K), xi_sum (K, K))`` -- see the module doc."""
    cdef Py_ssize_t T = log_B.shape[0], K = log_B.shape[1]
    cdef Py_ssize_t n_seq = lengths.shape[0]
    cdef Py_ssize_t s, g, q, n_groups, start, length, longest, stride
    cdef int nt, tid
    A_arr = np.exp(log_A)
    pi_arr = np.exp(log_pi)
    AT_arr = np.ascontiguousarray(A_arr.T)
    cdef const double[::1] pi = pi_arr
    cdef const double[:, ::1] A = A_arr
    cdef const double[:, ::1] AT = AT_arr
    offsets_arr = np.empty(n_seq + 1, dtype=np.int64)
    cdef cnp.int64_t[::1] off = offsets_arr
    longest = _plan(lengths, off, n_threads, &n_groups, &nt)
    gamma_arr = _recycled("gamma", (T, K))
    loglik_arr = np.empty(n_seq, dtype=np.float64)
    stride = longest * (K + 1) + (PYJL_NB + 1) * K + PAD     # alpha, scales, w block, beta
    work_arr = _scratch("fb", nt * stride)
    xacc_arr = np.zeros(n_groups * (K * K + PAD), dtype=np.float64)
    cdef double[:, ::1] gam = gamma_arr
    cdef double[::1] loglik = loglik_arr
    cdef double[::1] work = work_arr
    cdef double[::1] xacc = xacc_arr
    cdef double* wk
    for g in prange(n_groups, nogil=True, num_threads=nt, schedule="dynamic"):
        tid = threadid()
        wk = &work[tid * stride]
        for s in range(_bound(g, n_groups, n_seq), _bound(g + 1, n_groups, n_seq)):
            start = off[s]
            length = off[s + 1] - start
            loglik[s] = pyjl_fb_seq(&log_B[start, 0], &gam[start, 0], wk + longest,
                                    wk, &pi[0], &A[0, 0], &AT[0, 0],
                                    &xacc[g * (K * K + PAD)], wk + longest * (K + 1),
                                    length, K)
    xi = xacc_arr.reshape(n_groups, K * K + PAD)[:, :K * K].sum(axis=0).reshape(K, K)
    xi *= A_arr
    return loglik_arr, gamma_arr, xi


def forward(const double[::1] log_pi, const double[:, ::1] log_A,
            const double[:, ::1] log_B, const cnp.int64_t[::1] lengths,
            int n_threads=1):
    """``loglik (n_seq,)``: the scaled forward pass only (what ``score`` needs)."""
    cdef Py_ssize_t K = log_B.shape[1]
    cdef Py_ssize_t n_seq = lengths.shape[0]
    cdef Py_ssize_t s, g, n_groups, start, length
    cdef int nt
    pi_arr = np.exp(log_pi)
    A_arr = np.exp(log_A)
    cdef const double[::1] pi = pi_arr
    cdef const double[:, ::1] A = A_arr
    offsets_arr = np.empty(n_seq + 1, dtype=np.int64)
    cdef cnp.int64_t[::1] off = offsets_arr
    _plan(lengths, off, n_threads, &n_groups, &nt)
    loglik_arr = np.empty(n_seq, dtype=np.float64)
    cdef double[::1] loglik = loglik_arr
    cdef double* work
    for g in prange(n_groups, nogil=True, num_threads=nt, schedule="dynamic"):
        work = <double*> malloc((2 + PYJL_BLOCK) * K * sizeof(double))
        for s in range(_bound(g, n_groups, n_seq), _bound(g + 1, n_groups, n_seq)):
            start = off[s]
            length = off[s + 1] - start
            loglik[s] = pyjl_fwd_seq(&log_B[start, 0], &pi[0], &A[0, 0], work, length, K)
        free(work)
    return loglik_arr


def viterbi(const double[::1] log_pi, const double[:, ::1] log_A,
            const double[:, ::1] log_B, const cnp.int64_t[::1] lengths,
            int n_threads=1):
    """``(path (T,) int64, logprob (n_seq,))``: 0-based states of the most
    likely path of each sequence and its joint log-probability."""
    cdef Py_ssize_t T = log_B.shape[0], K = log_B.shape[1]
    cdef Py_ssize_t n_seq = lengths.shape[0]
    cdef Py_ssize_t s, g, n_groups, start, length, longest, stride
    cdef int nt, tid
    offsets_arr = np.empty(n_seq + 1, dtype=np.int64)
    cdef cnp.int64_t[::1] off = offsets_arr
    longest = _plan(lengths, off, n_threads, &n_groups, &nt)
    path_arr = np.empty(T, dtype=np.int64)
    logprob_arr = np.empty(n_seq, dtype=np.float64)
    stride = longest * K + PAD
    lat_arr = _scratch("fb", nt * stride)
    cdef cnp.int64_t[::1] path = path_arr
    cdef double[::1] lat = lat_arr
    cdef double[::1] logprob = logprob_arr
    for g in prange(n_groups, nogil=True, num_threads=nt, schedule="dynamic"):
        tid = threadid()
        for s in range(_bound(g, n_groups, n_seq), _bound(g + 1, n_groups, n_seq)):
            start = off[s]
            length = off[s + 1] - start
            logprob[s] = pyjl_vit_seq(&log_B[start, 0], &log_pi[0], &log_A[0, 0],
                                      &lat[tid * stride], &path[start], length, K)
    return path_arr, logprob_arr


# --- emission kernels -----------------------------------------------------------------
# Diagonal-Gaussian log-densities and weighted moments: the per-observation loops of the
# Normal / MvNormal("diag", "spherical") emissions, without BLAS calls on tall, skinny
# matrices (whose threading is slow for d, K this small).

DEF MIN_ROWS = 4096      # rows per thread below which a team of threads costs more than it saves


cdef inline int _row_threads(Py_ssize_t T, Py_ssize_t work_per_row, int n_threads) noexcept nogil:
    """Threads worth starting for ``T`` rows (one thread for small inputs)."""
    cdef Py_ssize_t n = (T * work_per_row) // (MIN_ROWS * 16)
    if n < 1:
        return 1
    return <int> min(max(1, n_threads), n)


def gaussian_loglik(const double[:, ::1] X, const double[:, ::1] mean,
                    const double[:, ::1] var, int n_threads=1):
    """``out[t, k] = -0.5 * (d log 2 pi + sum_j log var[k, j]
    + sum_j (X[t, j] - mean[k, j])^2 / var[k, j])``; ``X (T, d)``, ``mean``/``var``
    ``(K, d)``; returns ``(T, K)``."""
    cdef Py_ssize_t T = X.shape[0], d = X.shape[1], K = mean.shape[0]
    cdef Py_ssize_t c, lo, hi
    var_np = np.asarray(var)
    M_arr = np.ascontiguousarray(np.asarray(mean).T)
    IV_arr = np.ascontiguousarray((1.0 / np.sqrt(var_np)).T)   # 1 / sd
    cst_arr = -0.5 * (d * np.log(2.0 * np.pi) + np.log(var_np).sum(1))
    cdef const double[:, ::1] M = M_arr
    cdef const double[:, ::1] IV = IV_arr
    cdef const double[::1] cst = cst_arr
    out_arr = _recycled("loglik", (T, K))
    cdef double[:, ::1] out = out_arr
    cdef int nt = _row_threads(T, K * d, n_threads)
    if T == 0:
        return out_arr
    if nt == 1:
        with nogil:
            pyjl_gauss(&X[0, 0], &M[0, 0], &IV[0, 0], &cst[0], &out[0, 0], T, d, K)
        return out_arr
    for c in prange(nt, nogil=True, num_threads=nt, schedule="static"):
        lo = c * T // nt
        hi = (c + 1) * T // nt
        if hi > lo:
            pyjl_gauss(&X[lo, 0], &M[0, 0], &IV[0, 0], &cst[0], &out[lo, 0], hi - lo, d, K)
    return out_arr


def weighted_moments(const double[:, ::1] X, const double[:, ::1] W,
                     const double[::1] shift, int n_threads=1):
    """``(N (K,), S1 (K, d), S2 (K, d))`` with ``N = sum_t W[t]``,
    ``S1[k] = sum_t W[t, k] (X[t] - shift)`` and ``S2[k] = sum_t W[t, k] (X[t] - shift)^2``."""
    cdef Py_ssize_t T = X.shape[0], d = X.shape[1], K = W.shape[1]
    cdef Py_ssize_t c, lo, hi
    cdef int nt = _row_threads(T, K * d, n_threads)
    cdef Py_ssize_t width = (2 * d + 1) * K + PAD
    part_arr = np.zeros((nt, width), dtype=np.float64)
    cdef double[:, ::1] part = part_arr
    if T > 0:
        if nt == 1:
            with nogil:
                pyjl_moments(&X[0, 0], &W[0, 0], &shift[0], &part[0, 0], T, d, K)
        else:
            for c in prange(nt, nogil=True, num_threads=nt, schedule="static"):
                lo = c * T // nt
                hi = (c + 1) * T // nt
                if hi > lo:
                    pyjl_moments(&X[lo, 0], &W[lo, 0], &shift[0], &part[c, 0], hi - lo, d, K)
    tot = part_arr[:, :(2 * d + 1) * K].sum(axis=0) if nt > 1 else part_arr[0, :(2 * d + 1) * K]
    return tot[:K].copy(), tot[K:(d + 1) * K].reshape(d, K).T.copy(), \
        tot[(d + 1) * K:].reshape(d, K).T.copy()


# --- fused E-step ----------------------------------------------------------------------
# One parallel pass per EM iteration for diagonal-Gaussian emissions: each thread takes
# whole sequences and, per sequence, computes its log-densities, runs forward-backward and
# adds the posterior-weighted moments into its group's accumulators.  Nothing of size
# (T, K) is ever allocated: the working memory is threads x (longest sequence) x (3K + 1).

def gaussian_estep(const double[::1] log_pi, const double[:, ::1] log_A,
                   const double[:, ::1] X, const double[:, ::1] mean,
                   const double[:, ::1] var, const double[::1] shift,
                   const cnp.int64_t[::1] lengths, int n_threads=1):
    """``(loglik (n_seq,), start (K,), xi_sum (K, K), N (K,), S1 (K, d), S2 (K, d))``:
    ``forward_backward`` on ``gaussian_loglik(X, mean, var)`` and ``weighted_moments(X,
    gamma, shift)`` of its posteriors, plus ``start = sum over sequences of gamma[first
    row]`` -- without materialising ``log_B`` or ``gamma``."""
    cdef Py_ssize_t T = X.shape[0], d = X.shape[1], K = mean.shape[0]
    cdef Py_ssize_t n_seq = lengths.shape[0]
    cdef Py_ssize_t s, g, k, n_groups, start, length, longest, stride, fb_stride, width
    cdef int nt, tid
    A_arr = np.exp(log_A)
    pi_arr = np.exp(log_pi)
    AT_arr = np.ascontiguousarray(A_arr.T)
    var_np = np.asarray(var)
    M_arr = np.ascontiguousarray(np.asarray(mean).T)
    IV_arr = np.ascontiguousarray((1.0 / np.sqrt(var_np)).T)   # 1 / sd
    cst_arr = -0.5 * (d * np.log(2.0 * np.pi) + np.log(var_np).sum(1))
    cdef const double[::1] pi = pi_arr
    cdef const double[:, ::1] A = A_arr
    cdef const double[:, ::1] AT = AT_arr
    cdef const double[:, ::1] M = M_arr
    cdef const double[:, ::1] IV = IV_arr
    cdef const double[::1] cst = cst_arr
    offsets_arr = np.empty(n_seq + 1, dtype=np.int64)
    cdef cnp.int64_t[::1] off = offsets_arr
    longest = _plan(lengths, off, n_threads, &n_groups, &nt)
    loglik_arr = np.empty(n_seq, dtype=np.float64)
    fb_stride = longest * (K + 1) + (PYJL_NB + 1) * K + PAD  # scales, alpha, w block, beta
    stride = fb_stride + 2 * longest * K + PAD                # + log_B and gamma rows
    work_arr = _scratch("estep", nt * stride)
    # per group: xi sums (K * K), start posteriors (K), N, S1, S2 ((2d + 1) K)
    width = K * K + K + (2 * d + 1) * K + PAD
    acc_arr = np.zeros((n_groups, width), dtype=np.float64)
    cdef double[::1] loglik = loglik_arr
    cdef double[::1] work = work_arr
    cdef double[:, ::1] acc = acc_arr
    cdef double* wk
    cdef double* lb
    cdef double* gm
    for g in prange(n_groups, nogil=True, num_threads=nt, schedule="dynamic"):
        tid = threadid()
        wk = &work[tid * stride]
        lb = wk + fb_stride
        gm = lb + longest * K
        for s in range(_bound(g, n_groups, n_seq), _bound(g + 1, n_groups, n_seq)):
            start = off[s]
            length = off[s + 1] - start
            pyjl_gauss(&X[start, 0], &M[0, 0], &IV[0, 0], &cst[0], lb, length, d, K)
            loglik[s] = pyjl_fb_seq(lb, gm, wk + longest, wk, &pi[0], &A[0, 0], &AT[0, 0],
                                    &acc[g, 0], wk + longest * (K + 1), length, K)
            for k in range(K):
                acc[g, K * K + k] += gm[k]
            pyjl_moments(&X[start, 0], gm, &shift[0], &acc[g, K * K + K], length, d, K)
    tot = acc_arr[:, :width - PAD].sum(axis=0)
    xi = tot[:K * K].reshape(K, K) * A_arr
    m = tot[K * K + K:]
    return (loglik_arr, tot[K * K:K * K + K].copy(), xi, m[:K].copy(),
            m[K:(d + 1) * K].reshape(d, K).T.copy(), m[(d + 1) * K:].reshape(d, K).T.copy())
