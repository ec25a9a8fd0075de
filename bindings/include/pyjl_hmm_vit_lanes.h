/* Viterbi across sequences in SIMD lanes (bindings/hmm.pyx): eight sequences side by
 * side, the max-product recursion in lanes up to the block's shortest length, each
 * lane's remaining steps and its backtrack one sequence at a time; every lane performs
 * pyjl_vit_seq_t's operations and tie rules, so paths and log-probabilities are
 * bit-identical to it.  Layout contract: pyjl_hmm_lanes.h's.
 */
#include "pyjl_hmm.h"  /* first: it includes this header after its own kernels */

#ifndef PYJL_HMM_VIT_LANES_H
#define PYJL_HMM_VIT_LANES_H


/* Viterbi of eight sequences: path[l] (T[l],) and lp[l] (pyjl_vit_seq_t's rules).  lb[l] is
   the lane's log_B rows (gp NULL) or, for diagonal-Gaussian emissions of parameters gp,
   its observations, whose log-densities are computed here (in lanes, then a lane's
   remaining rows by pyjl_gauss). */
PYJL_LANE_INLINE void pyjl_vitl_t(const double *const *lb, const pyjl_gauss_par *gp,
                                  int64_t *const *path, const Py_ssize_t *T, const double *lpi,
                                  const double *lA, double *lp, double *work,
                                  const Py_ssize_t K) {
    Py_ssize_t m = T[0];
    for (int l = 1; l < PYJL_LANES; l++) m = T[l] < m ? T[l] : m;
    pyjl_v8d *tile = (pyjl_v8d *)pyjl_align64(work), *mv = tile + PYJL_BLOCK * K;
    pyjl_v8d *lat = mv + K, *xt = lat + m * K;
    double *tl = (double *)(xt + (gp ? PYJL_BLOCK * gp->d : 0)), *gt = NULL;
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
            pyjl_v8d *cur = lat + t * K;
            const pyjl_v8d *lbv = tile + u * K;
            if (t == 0) {
                for (Py_ssize_t j = 0; j < K; j++) cur[j] = pyjl_splat(lpi[j]) + lbv[j];
                continue;
            }
            const pyjl_v8d *prev = cur - K;
            for (Py_ssize_t j = 0; j < K; j++) mv[j] = prev[0] + pyjl_splat(lA[j]);
            for (Py_ssize_t i = 1; i < K; i++) {
                pyjl_v8d p = prev[i];
                for (Py_ssize_t j = 0; j < K; j++) {
                    pyjl_v8d v = p + pyjl_splat(lA[i * K + j]);
                    mv[j] = PYJL_SEL((pyjl_v8i)(v > mv[j]), v, mv[j]);
                }
            }
            for (Py_ssize_t j = 0; j < K; j++) cur[j] = mv[j] + lbv[j];
        }
    }
    for (int l = 0; l < PYJL_LANES; l++) {
        const Py_ssize_t Tl = T[l];
        for (Py_ssize_t j = 0; j < K; j++) tl[j] = PYJL_LANE(lat[(m - 1) * K + j], l);
        if (gp && Tl > m) {
            gt = tl + (Tl - m + 1) * K;
            pyjl_gauss(lb[l] + m * gp->d, gp->M, gp->IV, gp->cst, gt, Tl - m, gp->d, K);
        }
        for (Py_ssize_t t = m; t < Tl; t++) {
            const double *prev = tl + (t - m) * K, *lbt = gp ? gt + (t - m) * K : lb[l] + t * K;
            double *cur = tl + (t - m + 1) * K;
            for (Py_ssize_t j = 0; j < K; j++) cur[j] = prev[0] + lA[j];
            for (Py_ssize_t i = 1; i < K; i++) {
                double p = prev[i];
                for (Py_ssize_t j = 0; j < K; j++) {
                    double v = p + lA[i * K + j];
                    cur[j] = v > cur[j] ? v : cur[j];
                }
            }
            for (Py_ssize_t j = 0; j < K; j++) cur[j] = cur[j] + lbt[j];
        }
        const double *last = tl + (Tl - m) * K;
        Py_ssize_t s = 0;
        double best = last[0];
        for (Py_ssize_t i = 1; i < K; i++)
            if (last[i] > best) { best = last[i]; s = i; }
        int64_t *pl = path[l];
        pl[Tl - 1] = s;
        for (Py_ssize_t t = Tl - 2; t >= 0; t--) {
            const double *prev =
                t >= m - 1 ? tl + (t - m + 1) * K : (const double *)(lat + t * K) + l;
            const Py_ssize_t ps = t >= m - 1 ? 1 : PYJL_LANES;
            const double *col = lA + pl[t + 1];
            double v = prev[0] + col[0];
            Py_ssize_t j = 0;
            for (Py_ssize_t i = 1; i < K; i++) {
                double u = prev[i * ps] + col[i * K];
                if (u >= v) { v = u; j = i; }
            }
            pl[t] = j;
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
