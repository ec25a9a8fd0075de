/* The fused diagonal-Gaussian E-step (bindings/hmm.pyx gaussian_estep) of eight
 * sequences in SIMD lanes, without their (T, K) log-densities or posteriors: the
 * log-densities and emission factors of a block of PYJL_BLOCK steps are computed again
 * for the backward pass (the same blocks as the forward pass, so the same bits), and so
 * are its forward variables, from the ones at the end of the block before (checkpoints);
 * the posteriors of a block go straight into the weighted moments.  The working memory
 * is O(8 (K^2 + PYJL_BLOCK K + longest K / PYJL_BLOCK)) numbers, plus the factors of
 * the first common steps that fit in keep numbers (pyjl_kept_steps), which are kept from
 * the forward pass instead of being computed again.
 *
 * Layout contract: pyjl_hmm_lanes.h's; X (n, d) rows; acc = [xi sums (K, K), start
 * posteriors (K), N (K), S1 (d, K), S2 (d, K)] (the group accumulator).
 */
#include "pyjl_hmm.h"  /* first: it includes this header after its own kernels */

#ifndef PYJL_HMM_ESTEP_LANES_H
#define PYJL_HMM_ESTEP_LANES_H


PYJL_LANE_INLINE void pyjl_estl_t(const double *const *xs, const Py_ssize_t *T,
                                  const pyjl_gauss_par *gp, const double *pi, const double *A,
                                  double *acc, double *ll, double *work, Py_ssize_t keep,
                                  const Py_ssize_t K) {
    const Py_ssize_t d = gp->d;
    Py_ssize_t m = T[0], tmax = T[0];
    for (int l = 1; l < PYJL_LANES; l++) {
        m = T[l] < m ? T[l] : m;
        tmax = T[l] > tmax ? T[l] : tmax;
    }
    const Py_ssize_t tb = (m - 1) / PYJL_BLOCK * PYJL_BLOCK;   /* first block of the tails */
    pyjl_v8d *xv = (pyjl_v8d *)pyjl_align64(work), *tile = xv + K * K, *tile0 = tile;
    pyjl_v8d *wv = tile + PYJL_BLOCK * K, *bw = wv + K, *wb = bw + K;
    const Py_ssize_t nck = (m + PYJL_BLOCK - 1) / PYJL_BLOCK;
    pyjl_v8d *ck = wb + PYJL_NB * K, *ac = ck + nck * K, *scc = ac + PYJL_BLOCK * K, scl;
    pyjl_v8d *xt = scc + PYJL_BLOCK, *mv = xt + PYJL_BLOCK * d;   /* X rows, moment sums */
    double *fb = (double *)(mv + (2 * d + 1) * K), *ltmp = fb + PYJL_LANES * PYJL_BLOCK * K;
    double *gtl = ltmp + PYJL_BLOCK * K, *at = gtl + (tmax - tb) * K;
    double *st = at + (tmax - m + 1) * K, *w = st + (tmax - m + 1), *beta = w + K;
    /* the factors of the first ks common steps, kept for the backward pass */
    const Py_ssize_t ks = pyjl_kept_steps(m, keep, K);
    pyjl_v8d *fk = (pyjl_v8d *)pyjl_align64(beta + K);
    double *mom = acc + K * K + K, *fbr[PYJL_LANES];
    for (int l = 0; l < PYJL_LANES; l++) fbr[l] = fb + l * PYJL_BLOCK * K;
    for (Py_ssize_t q = 0; q < K * K; q++) xv[q] = pyjl_splat(0.0);
    for (Py_ssize_t q = 0; q < (2 * d + 1) * K; q++) mv[q] = pyjl_splat(0.0);
    pyjl_llv lacc = {pyjl_splat(1.0), {0}, {0}}, lrep = lacc;
    pyjl_v8i dead = {0}, drep = {0};
    double msum[PYJL_LANES] = {0};
    for (Py_ssize_t t0 = 0; t0 < m; t0 += PYJL_BLOCK) {
        Py_ssize_t n = m - t0 < PYJL_BLOCK ? m - t0 : PYJL_BLOCK;
        pyjl_v8d *tb0 = t0 < ks ? fk + t0 * K : tile;
        pyjl_gfactors_block(tb0, xt, xs, T, gp, t0, n, fbr, ltmp, msum, K);
        const pyjl_v8d *a0 = t0 ? ck + (t0 / PYJL_BLOCK - 1) * K : NULL;
        for (Py_ssize_t u = 0; u < n; u++)
            pyjl_fwd_stepv(ac + u * K, u ? ac + (u - 1) * K : a0, tb0 + u * K, pi, A, &lacc,
                           &dead, &scl, K);
        for (Py_ssize_t j = 0; j < K; j++) ck[t0 / PYJL_BLOCK * K + j] = ac[(n - 1) * K + j];
    }
    for (int l = 0; l < PYJL_LANES; l++) {
        const Py_ssize_t Tl = T[l];
        pyjl_llacc la = pyjl_llv_lane(&lacc, l);
        int dl = dead[l] != 0;
        double ms = msum[l], *xl = (double *)xv + l;
        for (Py_ssize_t t = tb; t < Tl; t += PYJL_BLOCK) {
            double s = pyjl_gfactors(xs[l], gp, t, Tl - t < PYJL_BLOCK ? Tl - t : PYJL_BLOCK, ltmp,
                                     gtl + (t - tb) * K, K);
            if (t > tb) ms += s;     /* block tb is in msum already */
        }
        for (Py_ssize_t j = 0; j < K; j++) at[j] = PYJL_LANE(ck[(nck - 1) * K + j], l);
        for (Py_ssize_t t = m; t < Tl; t++) {
            double *a = at + (t - m + 1) * K;
            st[t - m + 1] = pyjl_fwd_step1(a, a - K, gtl + (t - tb) * K, A, &la, &dl, K);
        }
        ll[l] = dl ? -INFINITY : pyjl_ll_value(&la) + ms;
        double slast = Tl > m ? st[Tl - m] : PYJL_LANE(scl, l);
        double *gT = gtl + (Tl - 1 - tb) * K;
        const double *aT = at + (Tl - m) * K;
        for (Py_ssize_t j = 0; j < K; j++) w[j] = Tl > 1 ? gT[j] * slast : 0.0;
        for (Py_ssize_t j = 0; j < K; j++) gT[j] = aT[j];
        for (Py_ssize_t t = Tl - 2; t >= m - 1; t--) {
            double *gt = gtl + (t - tb) * K;
            const double *a = at + (t - m + 1) * K;
            for (Py_ssize_t i = 0; i < K; i++) {
                double sacc = A[i * K] * w[0];
                for (Py_ssize_t j = 1; j < K; j++) sacc += A[i * K + j] * w[j];
                beta[i] = sacc;
            }
            for (Py_ssize_t i = 0; i < K; i++)
                for (Py_ssize_t j = 0; j < K; j++) xl[(i * K + j) * PYJL_LANES] += a[i] * w[j];
            if (t > 0) {
                double v = t >= m ? st[t - m + 1] : PYJL_LANE(scl, l);   /* t = m - 1 */
                for (Py_ssize_t j = 0; j < K; j++) w[j] = gt[j] * beta[j] * v;
            }
            double c = 0.0;
            for (Py_ssize_t i = 0; i < K; i++) { gt[i] = a[i] * beta[i]; c += gt[i]; }
            if (c > 0.0) {
                double v = 1.0 / c;
                for (Py_ssize_t i = 0; i < K; i++) gt[i] *= v;
            }
        }
        for (Py_ssize_t j = 0; j < K; j++) ((double *)(wv + j))[l] = w[j];
        const double *g0 = gtl + (m - 1 - tb) * K;
        pyjl_moments(xs[l] + (m - 1) * d, g0, gp->shift, mom, Tl - m + 1, d, K);
        if (m == 1)
            for (Py_ssize_t k = 0; k < K; k++) acc[K * K + k] += g0[k];
    }
    for (Py_ssize_t t1 = m - 2, t0; t1 >= 0; t1 = t0 - 1) {
        t0 = t1 / PYJL_BLOCK * PYJL_BLOCK;
        Py_ssize_t n = t1 - t0 + 1;
        pyjl_v8d *tile = t0 < ks ? fk + t0 * K : tile0;
        if (t0 < ks)
            pyjl_gather(xt, xs, PYJL_LANES, t0 * d, n * d);
        else
            pyjl_gfactors_block(tile, xt, xs, T, gp, t0, t0 + PYJL_BLOCK <= m ? PYJL_BLOCK : n,
                                fbr, ltmp, NULL, K);
        /* the forward variables of the block again, from its checkpoint */
        const pyjl_v8d *a0 = t0 ? ck + (t0 / PYJL_BLOCK - 1) * K : NULL;
        for (Py_ssize_t u = 0; u < n; u++)
            pyjl_fwd_stepv(ac + u * K, u ? ac + (u - 1) * K : a0, tile + u * K, pi, A, &lrep,
                           &drep, scc + u, K);
        for (Py_ssize_t t = t1; t >= t0; t--) {
            pyjl_v8d *gt = tile + (t - t0) * K, *wt = wb + (t % PYJL_NB) * K;
            const pyjl_v8d *a = ac + (t - t0) * K;
            pyjl_v8d bl[K <= 16 ? K : 1];
            pyjl_v8d *bv = K <= 16 ? bl : bw;
            for (Py_ssize_t j = 0; j < K; j++) wt[j] = wv[j];
            for (Py_ssize_t i = 0; i < K; i++) {
                pyjl_v8d sacc = pyjl_splat(A[i * K]) * wt[0];
                for (Py_ssize_t j = 1; j < K; j++) sacc += pyjl_splat(A[i * K + j]) * wt[j];
                bv[i] = sacc;
            }
            if (t % PYJL_NB == 0)
                pyjl_xi_lanes(xv, a, wb, t, t + PYJL_NB - 1 < m - 2 ? t + PYJL_NB - 1 : m - 2, K);
            if (t > 0) {
                pyjl_v8d v = scc[t - t0];
                for (Py_ssize_t j = 0; j < K; j++) wv[j] = gt[j] * bv[j] * v;
            }
            pyjl_v8d c = pyjl_splat(0.0);
            for (Py_ssize_t i = 0; i < K; i++) { gt[i] = a[i] * bv[i]; c += gt[i]; }
            pyjl_v8i pos = (pyjl_v8i)(c > pyjl_splat(0.0));
            pyjl_v8d v = pyjl_splat(1.0) / c;
            for (Py_ssize_t i = 0; i < K; i++) gt[i] = PYJL_SEL(pos, gt[i] * v, gt[i]);
        }
        /* the weighted moments of the block's rows, in lanes */
        for (Py_ssize_t u = 0; u < n; u++) {
            const pyjl_v8d *g = tile + u * K, *x = xt + u * d;
            for (Py_ssize_t k = 0; k < K; k++) mv[k] += g[k];
            for (Py_ssize_t j = 0; j < d; j++) {
                pyjl_v8d xc = x[j] - pyjl_splat(gp->shift[j]), xc2 = xc * xc;
                pyjl_v8d *S1 = mv + K + j * K, *S2 = mv + K + (d + j) * K;
                for (Py_ssize_t k = 0; k < K; k++) {
                    S1[k] += g[k] * xc;
                    S2[k] += g[k] * xc2;
                }
            }
        }
        if (t0 == 0)
            for (int l = 0; l < PYJL_LANES; l++)
                for (Py_ssize_t k = 0; k < K; k++) acc[K * K + k] += PYJL_LANE(tile[k], l);
    }
    for (Py_ssize_t q = 0; q < (2 * d + 1) * K; q++) {
        double s = 0.0;
        for (int l = 0; l < PYJL_LANES; l++) s += PYJL_LANE(mv[q], l);
        mom[q] += s;
    }
    for (Py_ssize_t q = 0; q < K * K; q++) {
        double s = 0.0;
        for (int l = 0; l < PYJL_LANES; l++) s += PYJL_LANE(xv[q], l);
        acc[q] += s;
    }
}

#define PYJL_ESTL_DEF(KK) \
    PYJL_LANE_CLONES __attribute__((noinline)) static void pyjl_estl_##KK( \
        const double *const *xs, const Py_ssize_t *T, const pyjl_gauss_par *gp, \
        const double *pi, const double *A, double *acc, double *ll, double *work, \
        Py_ssize_t keep, Py_ssize_t K) { \
        pyjl_estl_t(xs, T, gp, pi, A, acc, ll, work, keep, (KK) ? (KK) : K); }
PYJL_LANE_KS(PYJL_ESTL_DEF)

static void pyjl_estep_lanes(const double *X, Py_ssize_t d, const int64_t *off,
                             const int64_t *idx, double *loglik, const double *M,
                             const double *IV, const double *cst, const double *pi,
                             const double *A, const double *shift, double *acc,
                             double *work, Py_ssize_t keep, Py_ssize_t K) {
    const double *xs[PYJL_LANES];
    double ll[PYJL_LANES];
    Py_ssize_t T[PYJL_LANES];
    pyjl_gauss_par gp = {M, IV, cst, shift, d};
    for (int l = 0; l < PYJL_LANES; l++) {
        xs[l] = X + off[idx[l]] * d;
        T[l] = off[idx[l] + 1] - off[idx[l]];
    }
    PYJL_LANE_SWITCH(pyjl_estl, xs, T, &gp, pi, A, acc, ll, work, keep, K)
    for (int l = 0; l < PYJL_LANES; l++) loglik[idx[l]] = ll[l];
}

#endif  /* PYJL_HMM_ESTEP_LANES_H */
