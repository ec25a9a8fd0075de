/* The forward-backward and forward lane kernels of pyjl_hmm_lanes.h for one width
 * (included through pyjl_widths.h once per width; no include guard: by design): PYJL_W
 * sequences side by side, the helpers always inlined into the kernels, which are
 * compiled for the width's instruction set (PYJL_WTARGET), one copy per common K.
 * Layout contract: pyjl_hmm_lanes.h's; m, the steps the lanes take together, is at
 * most the shortest of the PYJL_W lengths T (pyjl_group_steps).
 */

/* pyjl_llacc of every lane */
typedef struct { PYJL_VW prod; PYJL_VI e2; double extra[PYJL_W]; } PYJL_WN(pyjl_llv);

PYJL_LANE_INLINE void PYJL_WN(pyjl_llv_add)(PYJL_WN(pyjl_llv) *acc, const PYJL_VW *cp) {
    const PYJL_VW c = *cp;
    /* c in [2^-1000, 2^1000] (one comparison on the other's blend: GCC turns the AND
       of two vector comparisons into scalar ones) */
    const PYJL_VW cb = PYJL_SEL((PYJL_VI)(c <= PYJL_SPLAT(0x1p+1000)), c, PYJL_SPLAT(0.0));
    PYJL_VI in = (PYJL_VI)(cb >= PYJL_SPLAT(0x1p-1000));
    PYJL_VI u = (PYJL_VI)(acc->prod * c);
    PYJL_VI e = ((u >> 52) & 0x7ff) - 1023;
    PYJL_VW p = (PYJL_VW)((u & 0x000fffffffffffffLL) | 0x3ff0000000000000LL);
    acc->e2 += e & in;
    acc->prod = PYJL_SEL(in, p, acc->prod);
    const PYJL_VI out = ~in;
    if (PYJL_WN(pyjl_any)(&out))
        for (int l = 0; l < PYJL_W; l++)
            if (!in[l]) acc->extra[l] += log(PYJL_LANE(c, l));
}

PYJL_LANE_INLINE pyjl_llacc PYJL_WN(pyjl_llv_lane)(const PYJL_WN(pyjl_llv) *acc, int l) {
    pyjl_llacc a = {PYJL_LANE(acc->prod, l), acc->e2[l], acc->extra[l]};
    return a;
}

/* The scaled forward step of pyjl_fwd_step1 in every lane (t > 0), or the first step
   (ap == NULL), its scale's inverse into *sc; the sums run in a local array (registers
   for K <= 16). */
PYJL_LANE_INLINE void PYJL_WN(pyjl_fwd_stepv)(PYJL_VW *__restrict a,
                                              const PYJL_VW *__restrict ap,
                                              const PYJL_VW *__restrict b, const double *pi,
                                              const double *__restrict A,
                                              PYJL_WN(pyjl_llv) *acc, PYJL_VI *dead,
                                              PYJL_VW *sc, const Py_ssize_t K) {
    PYJL_VW rl[K <= 16 ? K : 1];
    PYJL_VW *r = K <= 16 ? rl : a;
    if (!ap) {
        for (Py_ssize_t j = 0; j < K; j++) r[j] = PYJL_SPLAT(pi[j]) * b[j];
    } else {
        for (Py_ssize_t j = 0; j < K; j++) r[j] = ap[0] * PYJL_SPLAT(A[j]);
        for (Py_ssize_t i = 1; i < K; i++) {
            PYJL_VW ai = ap[i];
            for (Py_ssize_t j = 0; j < K; j++) r[j] += ai * PYJL_SPLAT(A[i * K + j]);
        }
        for (Py_ssize_t j = 0; j < K; j++) r[j] *= b[j];
    }
    PYJL_VW c = PYJL_SPLAT(0.0);
    for (Py_ssize_t j = 0; j < K; j++) c += r[j];
    PYJL_VI ok = (PYJL_VI)(c > PYJL_SPLAT(0.0));
    *dead |= ~ok;
    c = PYJL_SEL(ok, c, PYJL_SPLAT(1.0));
    PYJL_VW v = PYJL_SPLAT(1.0) / c;
    for (Py_ssize_t j = 0; j < K; j++) a[j] = r[j] * v;
    PYJL_WN(pyjl_llv_add)(acc, &c);
    *sc = v;
}

/* xv[i, j] += sum_{s = t..te} at[s - t, i] * wb[s % PYJL_NB, j] (a block of outer
   products; at holds the forward variables from step t on; a row of xv stays in
   registers for K <= 16) */
PYJL_LANE_INLINE void PYJL_WN(pyjl_xi_lanes)(PYJL_VW *__restrict xv,
                                             const PYJL_VW *__restrict at,
                                             const PYJL_VW *__restrict wb, const Py_ssize_t t,
                                             const Py_ssize_t te, const Py_ssize_t K) {
    for (Py_ssize_t i = 0; i < K; i++) {
        PYJL_VW rl[K <= 16 ? K : 1];
        PYJL_VW *row = K <= 16 ? rl : xv + i * K;
        if (K <= 16)
            for (Py_ssize_t j = 0; j < K; j++) row[j] = xv[i * K + j];
        for (Py_ssize_t s = t; s <= te; s++) {
            PYJL_VW ai = at[(s - t) * K + i];
            const PYJL_VW *w = wb + (s % PYJL_NB) * K;
            for (Py_ssize_t j = 0; j < K; j++) row[j] += ai * w[j];
        }
        if (K <= 16)
            for (Py_ssize_t j = 0; j < K; j++) xv[i * K + j] = row[j];
    }
}

/* bv = A w in lanes, 0 where the forward variable a is 0: pyjl_bwd_beta's, lane by
   lane */
PYJL_LANE_INLINE void PYJL_WN(pyjl_bwd_betav)(PYJL_VW *__restrict bv, const double *A,
                                              const PYJL_VW *__restrict w,
                                              const PYJL_VW *__restrict a, const Py_ssize_t K) {
    for (Py_ssize_t i = 0; i < K; i++) {
        PYJL_VW sacc = PYJL_SPLAT(A[i * K]) * w[0];
        for (Py_ssize_t j = 1; j < K; j++) sacc += PYJL_SPLAT(A[i * K + j]) * w[j];
        bv[i] = PYJL_SEL((PYJL_VI)(a[i] == PYJL_SPLAT(0.0)), PYJL_SPLAT(0.0), sacc);
    }
}

/* g = a bv renormalised in lanes: pyjl_posterior's, lane by lane (a lane whose sum is 0
   left as it is) */
PYJL_LANE_INLINE void PYJL_WN(pyjl_posteriorv)(PYJL_VW *__restrict g,
                                               const PYJL_VW *__restrict a,
                                               const PYJL_VW *__restrict bv, const Py_ssize_t K) {
    PYJL_VW c = PYJL_SPLAT(0.0);
    for (Py_ssize_t i = 0; i < K; i++) { g[i] = a[i] * bv[i]; c += g[i]; }
    PYJL_VI pos = (PYJL_VI)(c > PYJL_SPLAT(0.0));
    PYJL_VW v = PYJL_SPLAT(1.0) / c;
    for (Py_ssize_t i = 0; i < K; i++) g[i] = PYJL_SEL(pos, g[i] * v, g[i]);
}

/* Forward-backward of PYJL_W sequences, m steps in lanes: lb[l] (T[l], K) log-emissions,
   gm[l] (T[l], K) receives the posteriors; ll[l] the log-likelihoods; xacc (K, K) +=
   sum_t alpha_t (x) w_t (times A later, as pyjl_fb_seq). */
PYJL_LANE_INLINE void PYJL_WN(pyjl_fbl_t)(const double *const *lb, double *const *gm,
                                          const Py_ssize_t *T, const Py_ssize_t m,
                                          const double *pi, const double *A, double *xacc,
                                          double *ll, double *work, const Py_ssize_t K) {
    Py_ssize_t tmax = T[0];
    for (int l = 1; l < PYJL_W; l++) tmax = T[l] > tmax ? T[l] : tmax;
    PYJL_VW *xv = (PYJL_VW *)pyjl_align64(work), *tile = xv + K * K;
    PYJL_VW *wv = tile + PYJL_BLOCK * K, *bw = wv + K, *wb = bw + K;
    PYJL_VW *av = wb + PYJL_NB * K, *scv = av + m * K;
    double *at = (double *)(scv + m), *st = at + (tmax - m + 1) * K;
    double *w = st + (tmax - m + 1), *beta = w + K;
    for (Py_ssize_t q = 0; q < K * K; q++) xv[q] = PYJL_SPLAT(0.0);
    PYJL_WN(pyjl_llv) acc = {PYJL_SPLAT(1.0), {0}, {0}};
    PYJL_VI dead = {0};
    double msum[PYJL_W] = {0};
    for (Py_ssize_t t0 = 0; t0 < m; t0 += PYJL_BLOCK) {
        Py_ssize_t n = m - t0 < PYJL_BLOCK ? m - t0 : PYJL_BLOCK;
        for (int l = 0; l < PYJL_W; l++)
            msum[l] += pyjl_factors(lb[l] + t0 * K, gm[l] + t0 * K,
                                    T[l] - t0 < PYJL_BLOCK ? T[l] - t0 : PYJL_BLOCK, K);
        PYJL_WN(pyjl_gather)(tile, (const double *const *)gm, PYJL_W, t0 * K, n * K);
        for (Py_ssize_t u = 0; u < n; u++) {
            Py_ssize_t t = t0 + u;
            PYJL_WN(pyjl_fwd_stepv)(av + t * K, t ? av + (t - 1) * K : NULL, tile + u * K, pi,
                                    A, &acc, &dead, scv + t, K);
        }
    }
    /* each lane's own steps beyond m, then its backward pass down to step m - 1 */
    for (int l = 0; l < PYJL_W; l++) {
        const Py_ssize_t Tl = T[l];
        pyjl_llacc la = PYJL_WN(pyjl_llv_lane)(&acc, l);
        int dl = dead[l] != 0;
        double ms = msum[l], *g = gm[l], *xl = (double *)xv + l;
        for (Py_ssize_t j = 0; j < K; j++) at[j] = PYJL_LANE(av[(m - 1) * K + j], l);
        for (Py_ssize_t t = m; t < Tl; t++) {
            if (t % PYJL_BLOCK == 0)
                ms += pyjl_factors(lb[l] + t * K, g + t * K,
                                   Tl - t < PYJL_BLOCK ? Tl - t : PYJL_BLOCK, K);
            double *a = at + (t - m + 1) * K;
            st[t - m + 1] = pyjl_fwd_step1(a, a - K, g + t * K, A, &la, &dl, K);
        }
        ll[l] = dl ? -INFINITY : pyjl_ll_value(&la) + ms;
        pyjl_lane_tail_bwd(g + (m - 1) * K, at, st, PYJL_LANE(scv[m - 1], l), A, w, beta, xl,
                           PYJL_W, m, Tl, K);
        for (Py_ssize_t j = 0; j < K; j++) ((double *)(wv + j))[l] = w[j];
    }
    /* the common steps backward, in lanes */
    for (Py_ssize_t t1 = m - 2; t1 >= 0; t1 -= PYJL_BLOCK) {
        Py_ssize_t t0 = t1 - PYJL_BLOCK + 1 > 0 ? t1 - PYJL_BLOCK + 1 : 0, n = t1 - t0 + 1;
        PYJL_WN(pyjl_gather)(tile, (const double *const *)gm, PYJL_W, t0 * K, n * K);
        for (Py_ssize_t t = t1; t >= t0; t--) {
            PYJL_VW *gt = tile + (t - t0) * K, *w = wb + (t % PYJL_NB) * K;
            const PYJL_VW *a = av + t * K;
            PYJL_VW bl[K <= 16 ? K : 1];
            PYJL_VW *bv = K <= 16 ? bl : bw;
            for (Py_ssize_t j = 0; j < K; j++) w[j] = wv[j];
            PYJL_WN(pyjl_bwd_betav)(bv, A, w, a, K);
            if (t % PYJL_NB == 0)
                PYJL_WN(pyjl_xi_lanes)(xv, av + t * K, wb, t,
                                       t + PYJL_NB - 1 < m - 2 ? t + PYJL_NB - 1 : m - 2, K);
            if (t > 0) {
                PYJL_VW v = scv[t];
                for (Py_ssize_t j = 0; j < K; j++) wv[j] = gt[j] * bv[j] * v;
            }
            PYJL_WN(pyjl_posteriorv)(gt, a, bv, K);
        }
        PYJL_WN(pyjl_scatter_to)(tile, gm, PYJL_W, t0 * K, n * K, 0);
    }
    for (Py_ssize_t q = 0; q < K * K; q++) {
        double s = 0.0;
        for (int l = 0; l < PYJL_W; l++) s += PYJL_LANE(xv[q], l);
        xacc[q] += s;
    }
}

/* Scaled forward pass of PYJL_W sequences, m steps in lanes: ll[l] only.  rows[l] is the
   lane's log_B rows (gp NULL) or, for diagonal-Gaussian emissions of parameters gp, its
   observations. */
PYJL_LANE_INLINE void PYJL_WN(pyjl_fwdl_t)(const double *const *rows, const pyjl_gauss_par *gp,
                                           const Py_ssize_t *T, const Py_ssize_t m,
                                           const double *pi, const double *A, double *ll,
                                           double *work, const Py_ssize_t K) {
    PYJL_VW *tile = (PYJL_VW *)pyjl_align64(work), *av = tile + PYJL_BLOCK * K;
    PYJL_VW vs;   /* the scales, unused */
    PYJL_VW *xt = av + 2 * K;   /* observations of a block (gp) */
    double *fb = (double *)(xt + (gp ? PYJL_BLOCK * gp->d : 0));
    double *a1 = fb + PYJL_W * PYJL_BLOCK * K, *a0 = a1 + K, *ltmp = a0 + K;
    double *fbr[PYJL_W];
    PYJL_WN(pyjl_llv) acc = {PYJL_SPLAT(1.0), {0}, {0}};
    PYJL_VI dead = {0};
    double msum[PYJL_W] = {0};
    for (int l = 0; l < PYJL_W; l++) fbr[l] = fb + l * PYJL_BLOCK * K;
    for (Py_ssize_t t0 = 0; t0 < m; t0 += PYJL_BLOCK) {
        Py_ssize_t n = m - t0 < PYJL_BLOCK ? m - t0 : PYJL_BLOCK;
        if (gp) {
            PYJL_WN(pyjl_gfactors_block)(tile, xt, rows, T, gp, t0, n, fbr, ltmp, msum, K);
        } else {
            for (int l = 0; l < PYJL_W; l++)
                msum[l] += pyjl_factors(rows[l] + t0 * K, fbr[l],
                                        T[l] - t0 < PYJL_BLOCK ? T[l] - t0 : PYJL_BLOCK, K);
            PYJL_WN(pyjl_gather)(tile, (const double *const *)fbr, PYJL_W, 0, n * K);
        }
        for (Py_ssize_t u = 0; u < n; u++) {
            Py_ssize_t t = t0 + u;
            PYJL_VW *a = av + (t & 1) * K;
            PYJL_WN(pyjl_fwd_stepv)(a, t ? av + ((t - 1) & 1) * K : NULL, tile + u * K, pi, A,
                                    &acc, &dead, &vs, K);
        }
    }
    for (int l = 0; l < PYJL_W; l++) {
        pyjl_llacc la = PYJL_WN(pyjl_llv_lane)(&acc, l);
        int dl = dead[l] != 0;
        double ms = msum[l], *b = fbr[l];
        for (Py_ssize_t j = 0; j < K; j++) a0[j] = PYJL_LANE(av[((m - 1) & 1) * K + j], l);
        for (Py_ssize_t t = m; t < T[l] && !dl; t++) {
            if (t % PYJL_BLOCK == 0) {
                Py_ssize_t nb = T[l] - t < PYJL_BLOCK ? T[l] - t : PYJL_BLOCK;
                ms += gp ? pyjl_gfactors(rows[l], gp, t, nb, ltmp, b, K)
                         : pyjl_factors(rows[l] + t * K, b, nb, K);
            }
            pyjl_fwd_step1(a1, a0, b + (t % PYJL_BLOCK) * K, A, &la, &dl, K);
            for (Py_ssize_t j = 0; j < K; j++) a0[j] = a1[j];
        }
        ll[l] = dl ? -INFINITY : pyjl_ll_value(&la) + ms;
    }
}

/* The copies for common state counts, compiled for the width's instruction set. */
#define PYJL_FBL_DEF(KK) \
    PYJL_WTARGET __attribute__((noinline)) static void PYJL_WN(pyjl_fbl_##KK)( \
        const double *const *lb, double *const *gm, const Py_ssize_t *T, Py_ssize_t m, \
        const double *pi, const double *A, double *xacc, double *ll, double *work, \
        Py_ssize_t K) { \
        PYJL_WN(pyjl_fbl_t)(lb, gm, T, m, pi, A, xacc, ll, work, (KK) ? (KK) : K); }
#define PYJL_FWDL_DEF(KK) \
    PYJL_WTARGET __attribute__((noinline)) static void PYJL_WN(pyjl_fwdl_##KK)( \
        const double *const *rows, const pyjl_gauss_par *gp, const Py_ssize_t *T, \
        Py_ssize_t m, const double *pi, const double *A, double *ll, double *work, \
        Py_ssize_t K) { \
        PYJL_WN(pyjl_fwdl_t)(rows, gp, T, m, pi, A, ll, work, (KK) ? (KK) : K); }
PYJL_LANE_KS(PYJL_FBL_DEF)
PYJL_LANE_KS(PYJL_FWDL_DEF)
#undef PYJL_FBL_DEF
#undef PYJL_FWDL_DEF

/* forward-backward / the forward pass of PYJL_W sequences (pyjl_fb_lanes, pyjl_fwd_lanes) */
PYJL_LANE_INLINE void PYJL_WN(pyjl_fbl)(const double *const *lb, double *const *gm,
                                        const Py_ssize_t *T, Py_ssize_t m, const double *pi,
                                        const double *A, double *xacc, double *ll,
                                        double *work, Py_ssize_t K) {
    PYJL_LANE_SWITCH(pyjl_fbl, lb, gm, T, m, pi, A, xacc, ll, work, K)
}

PYJL_LANE_INLINE void PYJL_WN(pyjl_fwdl)(const double *const *rows, const pyjl_gauss_par *gp,
                                         const Py_ssize_t *T, Py_ssize_t m, const double *pi,
                                         const double *A, double *ll, double *work,
                                         Py_ssize_t K) {
    PYJL_LANE_SWITCH(pyjl_fwdl, rows, gp, T, m, pi, A, ll, work, K)
}
