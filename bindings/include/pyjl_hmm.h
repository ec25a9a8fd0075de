/* Hidden-Markov-model kernels of bindings/hmm.pyx, one sequence at a time: the shared
 * pieces here (the exponential over a block, emission factors, the log-likelihood
 * accumulator, the dispatch on K), the kernels in one header per job: scaled
 * forward-backward and forward (pyjl_hmm_fb.h), log-space Viterbi (pyjl_hmm_vit.h),
 * diagonal-Gaussian log-likelihoods and weighted moments (pyjl_hmm_gauss.h), one long
 * sequence on two threads (pyjl_hmm_split.h); across
 * sequences in SIMD lanes, pyjl_hmm_lanes.h and the headers it names.
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
        for (Py_ssize_t i = 0; i < n * K; i++) b[i] = pyjl_exp0(b[i]);
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

/* Dispatch on K: compile-time copies for common small state counts. */
#define PYJL_KCASES(CALL) \
    switch (K) { \
    case 2: CALL(2); case 3: CALL(3); case 4: CALL(4); case 5: CALL(5); \
    case 6: CALL(6); case 8: CALL(8); case 16: CALL(16); default: CALL(K); }

/* the kernels, one sequence at a time */
#include "pyjl_hmm_fb.h"
#include "pyjl_hmm_vit.h"
#include "pyjl_hmm_gauss.h"
#include "pyjl_hmm_split.h"
#include "pyjl_hmm_log.h"

/* the kernels across sequences in SIMD lanes, on the ones above */
#include "pyjl_hmm_lanes.h"
#include "pyjl_hmm_vit_lanes.h"
#include "pyjl_hmm_estep_lanes.h"

#endif  /* PYJL_HMM_H */
