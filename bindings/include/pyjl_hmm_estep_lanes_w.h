/* The fused Gaussian E-step lane kernels of pyjl_hmm_estep_lanes.h for one width
 * (included through pyjl_widths.h once per width; no include guard: by design), compiled
 * for the width's instruction set (PYJL_WTARGET), one copy per common K.
 * Layout contract: pyjl_hmm_estep_lanes.h's; m, the steps the lanes take together, is
 * at most the shortest of the PYJL_W lengths T (pyjl_group_steps).
 */

PYJL_LANE_INLINE void PYJL_WN(pyjl_estl_t)(const double *const *xs, const Py_ssize_t *T,
                                           const Py_ssize_t m, const pyjl_gauss_par *gp,
                                           const double *pi, const double *A, double *acc,
                                           double *ll, double *work, Py_ssize_t keep,
                                           const Py_ssize_t K) {
    const Py_ssize_t d = gp->d;
    Py_ssize_t tmax = T[0];
    for (int l = 1; l < PYJL_W; l++) tmax = T[l] > tmax ? T[l] : tmax;
    const Py_ssize_t tb = (m - 1) / PYJL_BLOCK * PYJL_BLOCK;   /* first block of the tails */
    PYJL_VW *xv = (PYJL_VW *)pyjl_align64(work), *tile = xv + K * K, *tile0 = tile;
    PYJL_VW *wv = tile + PYJL_BLOCK * K, *bw = wv + K, *wb = bw + K;
    const Py_ssize_t nck = (m + PYJL_BLOCK - 1) / PYJL_BLOCK;
    PYJL_VW *ck = wb + PYJL_NB * K, *ac = ck + nck * K, *scc = ac + PYJL_BLOCK * K, scl;
    PYJL_VW *xt = scc + PYJL_BLOCK, *mv = xt + PYJL_BLOCK * d;   /* X rows, moment sums */
    double *fb = (double *)(mv + (2 * d + 1) * K), *ltmp = fb + PYJL_W * PYJL_BLOCK * K;
    double *gtl = ltmp + PYJL_BLOCK * K, *at = gtl + (tmax - tb) * K;
    double *st = at + (tmax - m + 1) * K, *w = st + (tmax - m + 1), *beta = w + K;
    /* the factors of the first ks common steps, kept for the backward pass */
    const Py_ssize_t ks = pyjl_kept_steps_w(m, keep, K, PYJL_W);
    PYJL_VW *fk = (PYJL_VW *)pyjl_align64(beta + K);
    double *mom = acc + K * K + K, *fbr[PYJL_W];
    for (int l = 0; l < PYJL_W; l++) fbr[l] = fb + l * PYJL_BLOCK * K;
    for (Py_ssize_t q = 0; q < K * K; q++) xv[q] = PYJL_SPLAT(0.0);
    for (Py_ssize_t q = 0; q < (2 * d + 1) * K; q++) mv[q] = PYJL_SPLAT(0.0);
    PYJL_WN(pyjl_llv) lacc = {PYJL_SPLAT(1.0), {0}, {0}}, lrep = lacc;
    PYJL_VI dead = {0}, drep = {0};
    double msum[PYJL_W] = {0};
    for (Py_ssize_t t0 = 0; t0 < m; t0 += PYJL_BLOCK) {
        Py_ssize_t n = m - t0 < PYJL_BLOCK ? m - t0 : PYJL_BLOCK;
        PYJL_VW *tb0 = t0 < ks ? fk + t0 * K : tile;
        PYJL_WN(pyjl_gfactors_block)(tb0, xt, xs, T, gp, t0, n, fbr, ltmp, msum, K);
        const PYJL_VW *a0 = t0 ? ck + (t0 / PYJL_BLOCK - 1) * K : NULL;
        for (Py_ssize_t u = 0; u < n; u++)
            PYJL_WN(pyjl_fwd_stepv)(ac + u * K, u ? ac + (u - 1) * K : a0, tb0 + u * K, pi, A,
                                    &lacc, &dead, &scl, K);
        for (Py_ssize_t j = 0; j < K; j++) ck[t0 / PYJL_BLOCK * K + j] = ac[(n - 1) * K + j];
    }
    for (int l = 0; l < PYJL_W; l++) {
        const Py_ssize_t Tl = T[l];
        pyjl_llacc la = PYJL_WN(pyjl_llv_lane)(&lacc, l);
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
        pyjl_lane_tail_bwd(gtl + (m - 1 - tb) * K, at, st, PYJL_LANE(scl, l), A, w, beta,
                           xl, PYJL_W, m, Tl, K);
        for (Py_ssize_t j = 0; j < K; j++) ((double *)(wv + j))[l] = w[j];
        const double *g0 = gtl + (m - 1 - tb) * K;
        pyjl_moments(xs[l] + (m - 1) * d, g0, gp->shift, mom, Tl - m + 1, d, K);
        if (m == 1)
            for (Py_ssize_t k = 0; k < K; k++) acc[K * K + k] += g0[k];
    }
    for (Py_ssize_t t1 = m - 2, t0; t1 >= 0; t1 = t0 - 1) {
        t0 = t1 / PYJL_BLOCK * PYJL_BLOCK;
        Py_ssize_t n = t1 - t0 + 1;
        PYJL_VW *tile = t0 < ks ? fk + t0 * K : tile0;
        if (t0 < ks)
            PYJL_WN(pyjl_gather)(xt, xs, PYJL_W, t0 * d, n * d);
        else
            PYJL_WN(pyjl_gfactors_block)(tile, xt, xs, T, gp, t0,
                                         t0 + PYJL_BLOCK <= m ? PYJL_BLOCK : n, fbr, ltmp,
                                         NULL, K);
        /* the forward variables of the block again, from its checkpoint */
        const PYJL_VW *a0 = t0 ? ck + (t0 / PYJL_BLOCK - 1) * K : NULL;
        for (Py_ssize_t u = 0; u < n; u++)
            PYJL_WN(pyjl_fwd_stepv)(ac + u * K, u ? ac + (u - 1) * K : a0, tile + u * K, pi,
                                    A, &lrep, &drep, scc + u, K);
        for (Py_ssize_t t = t1; t >= t0; t--) {
            PYJL_VW *gt = tile + (t - t0) * K, *wt = wb + (t % PYJL_NB) * K;
            const PYJL_VW *a = ac + (t - t0) * K;
            PYJL_VW bl[K <= 16 ? K : 1];
            PYJL_VW *bv = K <= 16 ? bl : bw;
            for (Py_ssize_t j = 0; j < K; j++) wt[j] = wv[j];
            PYJL_WN(pyjl_bwd_betav)(bv, A, wt, a, K);
            if (t % PYJL_NB == 0)
                PYJL_WN(pyjl_xi_lanes)(xv, a, wb, t,
                                       t + PYJL_NB - 1 < m - 2 ? t + PYJL_NB - 1 : m - 2, K);
            if (t > 0) {
                PYJL_VW v = scc[t - t0];
                for (Py_ssize_t j = 0; j < K; j++) wv[j] = gt[j] * bv[j] * v;
            }
            PYJL_WN(pyjl_posteriorv)(gt, a, bv, K);
        }
        /* the weighted moments of the block's rows, in lanes */
        for (Py_ssize_t u = 0; u < n; u++) {
            const PYJL_VW *g = tile + u * K, *x = xt + u * d;
            for (Py_ssize_t k = 0; k < K; k++) mv[k] += g[k];
            for (Py_ssize_t j = 0; j < d; j++) {
                PYJL_VW xc = x[j] - PYJL_SPLAT(gp->shift[j]), xc2 = xc * xc;
                PYJL_VW *S1 = mv + K + j * K, *S2 = mv + K + (d + j) * K;
                for (Py_ssize_t k = 0; k < K; k++) {
                    S1[k] += g[k] * xc;
                    S2[k] += g[k] * xc2;
                }
            }
        }
        if (t0 == 0)
            for (int l = 0; l < PYJL_W; l++)
                for (Py_ssize_t k = 0; k < K; k++) acc[K * K + k] += PYJL_LANE(tile[k], l);
    }
    for (Py_ssize_t q = 0; q < (2 * d + 1) * K; q++) {
        double s = 0.0;
        for (int l = 0; l < PYJL_W; l++) s += PYJL_LANE(mv[q], l);
        mom[q] += s;
    }
    for (Py_ssize_t q = 0; q < K * K; q++) {
        double s = 0.0;
        for (int l = 0; l < PYJL_W; l++) s += PYJL_LANE(xv[q], l);
        acc[q] += s;
    }
}

#define PYJL_ESTL_DEF(KK) \
    PYJL_WTARGET __attribute__((noinline)) static void PYJL_WN(pyjl_estl_##KK)( \
        const double *const *xs, const Py_ssize_t *T, Py_ssize_t m, \
        const pyjl_gauss_par *gp, const double *pi, const double *A, double *acc, \
        double *ll, double *work, Py_ssize_t keep, Py_ssize_t K) { \
        PYJL_WN(pyjl_estl_t)(xs, T, m, gp, pi, A, acc, ll, work, keep, (KK) ? (KK) : K); }
PYJL_LANE_KS(PYJL_ESTL_DEF)
#undef PYJL_ESTL_DEF

/* the E-step of PYJL_W sequences (pyjl_estep_lanes) */
PYJL_LANE_INLINE void PYJL_WN(pyjl_estl)(const double *const *xs, const Py_ssize_t *T,
                                         Py_ssize_t m, const pyjl_gauss_par *gp,
                                         const double *pi, const double *A, double *acc,
                                         double *ll, double *work, Py_ssize_t keep,
                                         Py_ssize_t K) {
    PYJL_LANE_SWITCH(pyjl_estl, xs, T, m, gp, pi, A, acc, ll, work, keep, K)
}
