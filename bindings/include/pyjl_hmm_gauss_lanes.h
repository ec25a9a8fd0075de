/* Diagonal-Gaussian log-densities and emission factors of eight sequences in SIMD lanes,
 * straight from their observations (bindings/hmm.pyx: gaussian_forward,
 * gaussian_viterbi, gaussian_estep), so that no (T, K) array of log-densities is written
 * and read back.  Every lane performs pyjl_gauss_t's and pyjl_factors' operations in
 * their order, so the log-densities and factors are bit-identical to theirs; a block
 * with a factor below e^-708 in some lane (pyjl_factors then takes libm's exponential
 * for that lane's block) is computed lane by lane by pyjl_factors itself.
 *
 * Layout contract: as pyjl_hmm.h; xs[l] the first observation row (d numbers each) of
 * the sequence in lane l; a tile is n K vectors (row u, state k at u K + k), xt n d
 * vectors; fbr[l] PYJL_BLOCK K doubles and ltmp PYJL_BLOCK K doubles of scratch.
 */
#include "pyjl_hmm.h"  /* first: it includes this header after its own kernels */

#ifndef PYJL_HMM_GAUSS_LANES_H
#define PYJL_HMM_GAUSS_LANES_H

#include "pyjl_simd.h"

/* whether some lane of msk is set: the lanes ORed by shuffles, so the comparisons
   before it stay vector ones (a lane read straight from a mask makes GCC redo each
   comparison as a scalar one) */
PYJL_LANE_INLINE int pyjl_any(const pyjl_v8i *mp) {
    const pyjl_v8i h4 = {4, 5, 6, 7, 0, 1, 2, 3}, h2 = {2, 3, 0, 1, 6, 7, 4, 5};
    const pyjl_v8i h1 = {1, 0, 3, 2, 5, 4, 7, 6};
    pyjl_v8i msk = *mp;
    msk |= __builtin_shuffle(msk, h4);
    msk |= __builtin_shuffle(msk, h2);
    msk |= __builtin_shuffle(msk, h1);
    return msk[0] != 0;
}

typedef struct {
    const double *M, *IV, *cst, *shift;
    Py_ssize_t d;
} pyjl_gauss_par;

/* emission factors of rows t0 .. t0 + n - 1 of X rows x into b (via ltmp); their maxima */
PYJL_LANE_INLINE double pyjl_gfactors(const double *x, const pyjl_gauss_par *g, Py_ssize_t t0,
                                      Py_ssize_t n, double *ltmp, double *b, Py_ssize_t K) {
    pyjl_gauss(x + t0 * g->d, g->M, g->IV, g->cst, ltmp, n, g->d, K);
    return pyjl_factors(ltmp, b, n, K);
}

/* log-densities of n rows in lanes: out[u K + k] = pyjl_gauss_t's out[u, k] of each lane's
   row xt[u d .. u d + d - 1] (the sums in registers for K <= 16) */
PYJL_LANE_INLINE void pyjl_gauss_v(pyjl_v8d *__restrict out, const pyjl_v8d *__restrict xt,
                                   const pyjl_gauss_par *g, const Py_ssize_t n,
                                   const Py_ssize_t K) {
    const Py_ssize_t d = g->d;
    const double *M = g->M, *IV = g->IV, *cst = g->cst;
    for (Py_ssize_t u = 0; u < n; u++) {
        const pyjl_v8d *x = xt + u * d;
        pyjl_v8d ol[K <= 16 ? K : 1];
        pyjl_v8d *o = K <= 16 ? ol : out + u * K;
        for (Py_ssize_t k = 0; k < K; k++) o[k] = pyjl_splat(0.0);
        for (Py_ssize_t j = 0; j < d; j++) {
            const pyjl_v8d xj = x[j];
            for (Py_ssize_t k = 0; k < K; k++) {
                pyjl_v8d z = (xj - pyjl_splat(M[j * K + k])) * pyjl_splat(IV[j * K + k]);
                o[k] += z * z;
            }
        }
        for (Py_ssize_t k = 0; k < K; k++)
            out[u * K + k] = pyjl_splat(cst[k]) - pyjl_splat(0.5) * o[k];
    }
}

/* Emission factors of n whole rows in lanes (pyjl_factors of each lane's n rows): b =
   exp(l - max_k l), the sum of the row maxima into *ms; returns 1, with the exponential
   not taken, when some lane has a factor below e^-708 (pyjl_factors' libm case). */
PYJL_LANE_INLINE int pyjl_gfactors_v(pyjl_v8d *__restrict b, const pyjl_v8d *__restrict xt,
                                     const pyjl_gauss_par *g, const Py_ssize_t n, pyjl_v8d *ms,
                                     const Py_ssize_t K) {
    pyjl_gauss_v(b, xt, g, n, K);
    pyjl_v8d s = pyjl_splat(0.0);
    pyjl_v8d zmin = pyjl_splat(0.0);   /* the smallest shifted log-density (NaNs skipped) */
    for (Py_ssize_t u = 0; u < n; u++) {
        pyjl_v8d *l = b + u * K, m = l[0];
        for (Py_ssize_t k = 1; k < K; k++) m = PYJL_SEL((pyjl_v8i)(l[k] > m), l[k], m);
        m = PYJL_SEL((pyjl_v8i)(m == pyjl_splat(-INFINITY)), pyjl_splat(0.0), m);
        for (Py_ssize_t k = 0; k < K; k++) {
            pyjl_v8d z = l[k] - m;
            l[k] = z;
            zmin = PYJL_SEL((pyjl_v8i)(z < zmin), z, zmin);
        }
        s += m;
    }
    *ms = s;
    const pyjl_v8i low = (pyjl_v8i)(zmin < pyjl_splat(-708.0));
    if (pyjl_any(&low)) return 1;
    pyjl_exp_block((double *)b, n * K * PYJL_LANES);
    return 0;
}

/* The emission factors of the n common rows from t0 of eight sequences into the tile and
   their observations into xt: in lanes when every lane's block is those rows (n ==
   PYJL_BLOCK, or every lane ends at t0 + n), else lane by lane by pyjl_gfactors (rows t0
   up to each lane's block end or length, into fbr[l], kept for the lane's remaining
   steps) and gathered; each lane's row maxima added to msum[l] (msum NULL: not wanted). */
PYJL_LANE_INLINE void pyjl_gfactors_block(pyjl_v8d *tile, pyjl_v8d *xt, const double *const *xs,
                                          const Py_ssize_t *T, const pyjl_gauss_par *g,
                                          Py_ssize_t t0, Py_ssize_t n, double *const *fbr,
                                          double *ltmp, double *msum, const Py_ssize_t K) {
    pyjl_gather(xt, xs, PYJL_LANES, t0 * g->d, n * g->d);
    int whole = 1;   /* every lane's block is these n rows */
    for (int l = 0; l < PYJL_LANES && n < PYJL_BLOCK; l++) whole &= T[l] - t0 == n;
    if (whole) {
        pyjl_v8d s;
        if (!pyjl_gfactors_v(tile, xt, g, n, &s, K)) {
            if (msum)
                for (int l = 0; l < PYJL_LANES; l++) msum[l] += PYJL_LANE(s, l);
            return;
        }
    }
    for (int l = 0; l < PYJL_LANES; l++) {
        double s = pyjl_gfactors(xs[l], g, t0, T[l] - t0 < PYJL_BLOCK ? T[l] - t0 : PYJL_BLOCK,
                                 ltmp, fbr[l], K);
        if (msum) msum[l] += s;
    }
    pyjl_gather(tile, (const double *const *)fbr, PYJL_LANES, 0, n * K);
}

#endif  /* PYJL_HMM_GAUSS_LANES_H */
