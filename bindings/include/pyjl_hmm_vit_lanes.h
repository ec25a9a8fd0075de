/* Viterbi across sequences in SIMD lanes (bindings/hmm.pyx): eight sequences side by
 * side, the max-product recursion in lanes up to the block's shortest length, each
 * lane's remaining steps and its backtrack one sequence at a time; every lane performs
 * pyjl_vit_seq_t's operations and tie rules, so paths and log-probabilities are
 * bit-identical to it.  Layout contract: pyjl_hmm_lanes.h's.
 */
#include "pyjl_hmm.h"  /* first: it includes this header after its own kernels */

#ifndef PYJL_HMM_VIT_LANES_H
#define PYJL_HMM_VIT_LANES_H

#define PYJL_VIT_LANES_MAXK 256   /* most states: a predecessor's index fits in a byte */

typedef unsigned char pyjl_v8u8 __attribute__((vector_size(8)));   /* a byte per lane */

/* Viterbi of eight sequences: path[l] (T[l],) and lp[l] (pyjl_vit_seq_t's rules).  lb[l] is
   the lane's log_B rows (gp NULL) or, for diagonal-Gaussian emissions of parameters gp,
   its observations, whose log-densities are computed here (in lanes, then a lane's
   remaining rows by pyjl_gauss).  The lanes keep two lattice rows and, per step, state
   and lane, the one-byte index of the best predecessor (the highest among equals: the
   running maximum is taken with >, the index with >=, so it is the state the scalar
   backtrack finds); a lane's steps past the block's shortest length keep their lattice
   rows and are backtracked as in pyjl_vit_seq_t. */
PYJL_LANE_INLINE void pyjl_vitl_t(const double *const *lb, const pyjl_gauss_par *gp,
                                  int64_t *const *path, const Py_ssize_t *T, const double *lpi,
                                  const double *lA, double *lp, double *work,
                                  const Py_ssize_t K) {
    Py_ssize_t m = T[0];
    for (int l = 1; l < PYJL_LANES; l++) m = T[l] < m ? T[l] : m;
    pyjl_v8d *tile = (pyjl_v8d *)pyjl_align64(work), *r0 = tile + PYJL_BLOCK * K;
    pyjl_v8d *r1 = r0 + K, *xt = r1 + K;
    pyjl_v8u8 *bp = (pyjl_v8u8 *)(xt + (gp ? PYJL_BLOCK * gp->d : 0));
    double *tl = (double *)(bp + m * K), *gt = NULL;
    pyjl_v8d *prev = r0, *cur = r1;
    enum { JT = 8 };   /* states per pass over the predecessors: maxima and indices in registers */
    for (Py_ssize_t t0 = 0; t0 < m; t0 += PYJL_BLOCK) {
        Py_ssize_t n = m - t0 < PYJL_BLOCK ? m - t0 : PYJL_BLOCK;
        if (gp) {
            pyjl_gather(xt, lb, PYJL_LANES, t0 * gp->d, n * gp->d);
            pyjl_gauss_v(tile, xt, gp, n, K);
        } else {
            pyjl_gather(tile, lb, PYJL_LANES, t0 * K, n * K);
        }
        for (Py_ssize_t u = 0; u < n; u++) {
            Py_ssize_t t = t0 + u;
            const pyjl_v8d *lbv = tile + u * K;
            if (t == 0) {
                for (Py_ssize_t j = 0; j < K; j++) cur[j] = pyjl_splat(lpi[j]) + lbv[j];
            } else {
                pyjl_v8u8 *bt = bp + t * K;
                for (Py_ssize_t j0 = 0; j0 < K; j0 += JT) {
                    const Py_ssize_t jn = K - j0 < JT ? K - j0 : JT;
                    pyjl_v8d mv[JT];
                    pyjl_v8i ix[JT];
                    /* a moving row pointer: under Python's -fwrapv, lA[i * K + j0 + j] is
                       recomputed in the loop (a quarter slower at K = 16) */
                    const double *arow = lA + j0;
                    for (Py_ssize_t j = 0; j < jn; j++) {
                        mv[j] = prev[0] + pyjl_splat(arow[j]);
                        ix[j] = (pyjl_v8i){0};
                    }
                    for (Py_ssize_t i = 1; i < K; i++) {
                        pyjl_v8d p = prev[i];
                        const pyjl_v8i ii = {i, i, i, i, i, i, i, i};
                        arow += K;
                        for (Py_ssize_t j = 0; j < jn; j++) {
                            pyjl_v8d v = p + pyjl_splat(arow[j]);
                            pyjl_v8i ge = (pyjl_v8i)(v >= mv[j]);
                            ix[j] = (ii & ge) | (ix[j] & ~ge);
                            mv[j] = PYJL_SEL((pyjl_v8i)(v > mv[j]), v, mv[j]);
                        }
                    }
                    for (Py_ssize_t j = 0; j < jn; j++) {
                        cur[j0 + j] = mv[j] + lbv[j0 + j];
                        bt[j0 + j] = __builtin_convertvector(ix[j], pyjl_v8u8);
                    }
                }
            }
            pyjl_v8d *sw = prev; prev = cur; cur = sw;
        }
    }
    /* prev holds row m - 1 */
    for (int l = 0; l < PYJL_LANES; l++) {
        const Py_ssize_t Tl = T[l];
        for (Py_ssize_t j = 0; j < K; j++) tl[j] = PYJL_LANE(prev[j], l);
        if (gp && Tl > m) {
            gt = tl + (Tl - m + 1) * K;
            pyjl_gauss(lb[l] + m * gp->d, gp->M, gp->IV, gp->cst, gt, Tl - m, gp->d, K);
        }
        for (Py_ssize_t t = m; t < Tl; t++) {
            const double *pr = tl + (t - m) * K, *lbt = gp ? gt + (t - m) * K : lb[l] + t * K;
            double *cu = tl + (t - m + 1) * K;
            for (Py_ssize_t j = 0; j < K; j++) cu[j] = pr[0] + lA[j];
            for (Py_ssize_t i = 1; i < K; i++) {
                double p = pr[i];
                for (Py_ssize_t j = 0; j < K; j++) {
                    double v = p + lA[i * K + j];
                    cu[j] = v > cu[j] ? v : cu[j];
                }
            }
            for (Py_ssize_t j = 0; j < K; j++) cu[j] = cu[j] + lbt[j];
        }
        const double *last = tl + (Tl - m) * K;
        Py_ssize_t s = 0;
        double best = last[0];
        for (Py_ssize_t i = 1; i < K; i++)
            if (last[i] > best) { best = last[i]; s = i; }
        int64_t *pl = path[l];
        pl[Tl - 1] = s;
        Py_ssize_t t = Tl - 2;
        for (; t >= m - 1; t--) {
            const double *pr = tl + (t - m + 1) * K;
            const double *col = lA + pl[t + 1];
            double v = pr[0] + col[0];
            Py_ssize_t j = 0;
            for (Py_ssize_t i = 1; i < K; i++) {
                double u = pr[i] + col[i * K];
                if (u >= v) { v = u; j = i; }
            }
            pl[t] = j;
        }
        /* steps before m - 1: the predecessor the lanes recorded for step t + 1 */
        const unsigned char *bl = (const unsigned char *)bp + l;
        for (s = pl[t + 1]; t >= 0; t--) {
            s = bl[((t + 1) * K + s) * PYJL_LANES];
            pl[t] = s;
        }
        lp[l] = best;
    }
}

#define PYJL_VITL_DEF(KK) \
    PYJL_LANE_CLONES __attribute__((noinline)) static void pyjl_vitl_##KK( \
        const double *const *lb, const pyjl_gauss_par *gp, int64_t *const *path, \
        const Py_ssize_t *T, const double *lpi, const double *lA, double *lp, double *work, \
        Py_ssize_t K) { pyjl_vitl_t(lb, gp, path, T, lpi, lA, lp, work, (KK) ? (KK) : K); }
PYJL_LANE_KS(PYJL_VITL_DEF)

/* rows: log_B (gp NULL) or the observations X (n, gp->d) of diagonal-Gaussian emissions */
static void pyjl_vit_lanes(const double *rows, const pyjl_gauss_par *gp, const int64_t *off,
                           const int64_t *idx, double *logprob, int64_t *path,
                           const double *lpi, const double *lA, double *work, Py_ssize_t K) {
    const double *lb[PYJL_LANES];
    int64_t *pt[PYJL_LANES];
    double lp[PYJL_LANES];
    Py_ssize_t T[PYJL_LANES];
    const Py_ssize_t w = gp ? gp->d : K;
    for (int l = 0; l < PYJL_LANES; l++) {
        lb[l] = rows + off[idx[l]] * w;
        pt[l] = path + off[idx[l]];
        T[l] = off[idx[l] + 1] - off[idx[l]];
    }
    PYJL_LANE_SWITCH(pyjl_vitl, lb, gp, pt, T, lpi, lA, lp, work, K)
    for (int l = 0; l < PYJL_LANES; l++) logprob[idx[l]] = lp[l];
}

#endif  /* PYJL_HMM_VIT_LANES_H */
