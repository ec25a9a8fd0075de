/* The Viterbi lane kernels of pyjl_hmm_vit_lanes.h for one width (included through
 * pyjl_widths.h once per width; no include guard: by design), compiled for the width's
 * instruction set (PYJL_WTARGET), one copy per common K.  Layout contract:
 * pyjl_hmm_lanes.h's; m, the steps the lanes take together, is at most the shortest of
 * the PYJL_W lengths T (pyjl_group_steps).
 */

/* a byte per lane */
typedef unsigned char PYJL_WN(pyjl_vu8) __attribute__((vector_size(PYJL_W)));

/* Viterbi of PYJL_W sequences, m steps in lanes: path[l] (T[l],) and lp[l]
   (pyjl_vit_seq_t's rules).  lb[l] is the lane's log_B rows (gp NULL) or, for
   diagonal-Gaussian emissions of parameters gp, its observations, whose log-densities are
   computed here (in lanes, then a lane's remaining rows by pyjl_gauss).  The lanes keep
   two lattice rows and, per step, state and lane, the one-byte index of the best
   predecessor (the highest among equals: the running maximum is taken with >, the index
   with >=, so it is the state the scalar backtrack finds); a lane's steps past m keep
   their lattice rows and are backtracked as in pyjl_vit_seq_t. */
PYJL_LANE_INLINE void PYJL_WN(pyjl_vitl_t)(const double *const *lb, const pyjl_gauss_par *gp,
                                           int64_t *const *path, const Py_ssize_t *T,
                                           const Py_ssize_t m, const double *lpi,
                                           const double *lA, double *lp, double *work,
                                           const Py_ssize_t K) {
    PYJL_VW *tile = (PYJL_VW *)pyjl_align64(work), *r0 = tile + PYJL_BLOCK * K;
    PYJL_VW *r1 = r0 + K, *xt = r1 + K;
    PYJL_WN(pyjl_vu8) *bp = (PYJL_WN(pyjl_vu8) *)(xt + (gp ? PYJL_BLOCK * gp->d : 0));
    /* the lattice rows of the lanes' remaining steps after the back-pointers (m K W
       bytes, rounded up to whole doubles) */
    double *tl = (double *)bp + (m * K * PYJL_W + 7) / 8, *gt = NULL;
    PYJL_VW *prev = r0, *cur = r1;
    /* states per pass over the predecessors, their maxima and indices in registers: 8,
       or 4 with AVX2's 16 registers (a tenth faster at K = 16 than 8; at width 2, 8 was
       twice as fast as 4) */
    enum { JT = PYJL_W == 4 ? 4 : 8 };
    for (Py_ssize_t t0 = 0; t0 < m; t0 += PYJL_BLOCK) {
        Py_ssize_t n = m - t0 < PYJL_BLOCK ? m - t0 : PYJL_BLOCK;
        if (gp) {
            PYJL_WN(pyjl_gather)(xt, lb, PYJL_W, t0 * gp->d, n * gp->d);
            PYJL_WN(pyjl_gauss_v)(tile, xt, gp, n, K);
        } else {
            PYJL_WN(pyjl_gather)(tile, lb, PYJL_W, t0 * K, n * K);
        }
        for (Py_ssize_t u = 0; u < n; u++) {
            Py_ssize_t t = t0 + u;
            const PYJL_VW *lbv = tile + u * K;
            if (t == 0) {
                for (Py_ssize_t j = 0; j < K; j++) cur[j] = PYJL_SPLAT(lpi[j]) + lbv[j];
            } else {
                PYJL_WN(pyjl_vu8) *bt = bp + t * K;
                for (Py_ssize_t j0 = 0; j0 < K; j0 += JT) {
                    const Py_ssize_t jn = K - j0 < JT ? K - j0 : JT;
                    PYJL_VW mv[JT];
                    PYJL_VI ix[JT];
                    /* a moving row pointer: under Python's -fwrapv, lA[i * K + j0 + j] is
                       recomputed in the loop (a quarter slower at K = 16) */
                    const double *arow = lA + j0;
                    for (Py_ssize_t j = 0; j < jn; j++) {
                        mv[j] = prev[0] + PYJL_SPLAT(arow[j]);
                        ix[j] = (PYJL_VI){0};
                    }
                    PYJL_VI ii = {0};
                    for (Py_ssize_t i = 1; i < K; i++) {
                        PYJL_VW p = prev[i];
                        ii += 1;
                        arow += K;
                        for (Py_ssize_t j = 0; j < jn; j++) {
                            PYJL_VW v = p + PYJL_SPLAT(arow[j]);
                            PYJL_VI ge = (PYJL_VI)(v >= mv[j]);
                            ix[j] = (ii & ge) | (ix[j] & ~ge);
                            mv[j] = PYJL_SEL((PYJL_VI)(v > mv[j]), v, mv[j]);
                        }
                    }
                    for (Py_ssize_t j = 0; j < jn; j++) {
                        cur[j0 + j] = mv[j] + lbv[j0 + j];
                        bt[j0 + j] = __builtin_convertvector(ix[j], PYJL_WN(pyjl_vu8));
                    }
                }
            }
            PYJL_VW *sw = prev; prev = cur; cur = sw;
        }
    }
    /* prev holds row m - 1 */
    for (int l = 0; l < PYJL_W; l++) {
        const Py_ssize_t Tl = T[l];
        for (Py_ssize_t j = 0; j < K; j++) tl[j] = PYJL_LANE(prev[j], l);
        if (gp && Tl > m) {
            gt = tl + (Tl - m + 1) * K;
            pyjl_gauss(lb[l] + m * gp->d, gp->M, gp->IV, gp->cst, gt, Tl - m, gp->d, K);
        }
        for (Py_ssize_t t = m; t < Tl; t++) {
            const double *lbt = gp ? gt + (t - m) * K : lb[l] + t * K;
            pyjl_vit_step(tl + (t - m + 1) * K, tl + (t - m) * K, lA, lbt, K);
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
            s = bl[((t + 1) * K + s) * PYJL_W];
            pl[t] = s;
        }
        lp[l] = best;
    }
}

#define PYJL_VITL_DEF(KK) \
    PYJL_WTARGET __attribute__((noinline)) static void PYJL_WN(pyjl_vitl_##KK)( \
        const double *const *lb, const pyjl_gauss_par *gp, int64_t *const *path, \
        const Py_ssize_t *T, Py_ssize_t m, const double *lpi, const double *lA, double *lp, \
        double *work, Py_ssize_t K) { \
        PYJL_WN(pyjl_vitl_t)(lb, gp, path, T, m, lpi, lA, lp, work, (KK) ? (KK) : K); }
PYJL_LANE_KS(PYJL_VITL_DEF)
#undef PYJL_VITL_DEF

/* Viterbi of PYJL_W sequences (pyjl_vit_lanes) */
PYJL_LANE_INLINE void PYJL_WN(pyjl_vitl)(const double *const *lb, const pyjl_gauss_par *gp,
                                         int64_t *const *path, const Py_ssize_t *T,
                                         Py_ssize_t m, const double *lpi, const double *lA,
                                         double *lp, double *work, Py_ssize_t K) {
    PYJL_LANE_SWITCH(pyjl_vitl, lb, gp, path, T, m, lpi, lA, lp, work, K)
}
