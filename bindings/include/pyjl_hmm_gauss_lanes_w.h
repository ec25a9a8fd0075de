/* The diagonal-Gaussian helpers of pyjl_hmm_gauss_lanes.h for one width (included
 * through pyjl_widths.h once per width; no include guard: by design): PYJL_W sequences
 * side by side, always inlined into the kernels of that width, which carry its target.
 * Layout contract: pyjl_hmm_gauss_lanes.h's.
 */

/* whether some lane of msk is set: the lanes ORed by shuffles, so the comparisons
   before it stay vector ones (a lane read straight from a mask makes GCC redo each
   comparison as a scalar one) */
PYJL_LANE_INLINE int PYJL_WN(pyjl_any)(const PYJL_VI *mp) {
    PYJL_VI msk = *mp;
#if PYJL_W == 8
    msk |= __builtin_shuffle(msk, (PYJL_VI){4, 5, 6, 7, 0, 1, 2, 3});
    msk |= __builtin_shuffle(msk, (PYJL_VI){2, 3, 0, 1, 6, 7, 4, 5});
    msk |= __builtin_shuffle(msk, (PYJL_VI){1, 0, 3, 2, 5, 4, 7, 6});
#elif PYJL_W == 4
    msk |= __builtin_shuffle(msk, (PYJL_VI){2, 3, 0, 1});
    msk |= __builtin_shuffle(msk, (PYJL_VI){1, 0, 3, 2});
#else
    msk |= __builtin_shuffle(msk, (PYJL_VI){1, 0});
#endif
    return msk[0] != 0;
}

/* log-densities of n rows in lanes: out[u K + k] = pyjl_gauss_t's out[u, k] of each lane's
   row xt[u d .. u d + d - 1] (the sums in registers for K <= 16) */
PYJL_LANE_INLINE void PYJL_WN(pyjl_gauss_v)(PYJL_VW *__restrict out,
                                            const PYJL_VW *__restrict xt,
                                            const pyjl_gauss_par *g, const Py_ssize_t n,
                                            const Py_ssize_t K) {
    const Py_ssize_t d = g->d;
    const double *M = g->M, *IV = g->IV, *cst = g->cst;
    for (Py_ssize_t u = 0; u < n; u++) {
        const PYJL_VW *x = xt + u * d;
        PYJL_VW ol[K <= 16 ? K : 1];
        PYJL_VW *o = K <= 16 ? ol : out + u * K;
        for (Py_ssize_t k = 0; k < K; k++) o[k] = PYJL_SPLAT(0.0);
        for (Py_ssize_t j = 0; j < d; j++) {
            const PYJL_VW xj = x[j];
            for (Py_ssize_t k = 0; k < K; k++) {
                PYJL_VW z = (xj - PYJL_SPLAT(M[j * K + k])) * PYJL_SPLAT(IV[j * K + k]);
                o[k] += z * z;
            }
        }
        for (Py_ssize_t k = 0; k < K; k++)
            out[u * K + k] = PYJL_SPLAT(cst[k]) - PYJL_SPLAT(0.5) * o[k];
    }
}

/* Emission factors of n whole rows in lanes (pyjl_factors of each lane's n rows): b =
   exp(l - max_k l), the sum of the row maxima into *ms; returns 1, with the exponential
   not taken, when some lane has a factor below e^-708 (pyjl_factors' libm case). */
PYJL_LANE_INLINE int PYJL_WN(pyjl_gfactors_v)(PYJL_VW *__restrict b,
                                              const PYJL_VW *__restrict xt,
                                              const pyjl_gauss_par *g, const Py_ssize_t n,
                                              PYJL_VW *ms, const Py_ssize_t K) {
    PYJL_WN(pyjl_gauss_v)(b, xt, g, n, K);
    PYJL_VW s = PYJL_SPLAT(0.0);
    PYJL_VW zmin = PYJL_SPLAT(0.0);   /* the smallest shifted log-density (NaNs skipped) */
    for (Py_ssize_t u = 0; u < n; u++) {
        PYJL_VW *l = b + u * K, m = l[0];
        for (Py_ssize_t k = 1; k < K; k++) m = PYJL_SEL((PYJL_VI)(l[k] > m), l[k], m);
        m = PYJL_SEL((PYJL_VI)(m == PYJL_SPLAT(-INFINITY)), PYJL_SPLAT(0.0), m);
        for (Py_ssize_t k = 0; k < K; k++) {
            PYJL_VW z = l[k] - m;
            l[k] = z;
            zmin = PYJL_SEL((PYJL_VI)(z < zmin), z, zmin);
        }
        s += m;
    }
    *ms = s;
    const PYJL_VI low = (PYJL_VI)(zmin < PYJL_SPLAT(-708.0));
    if (PYJL_WN(pyjl_any)(&low)) return 1;
    pyjl_exp_block((double *)b, n * K * PYJL_W);
    return 0;
}

/* The emission factors of the n common rows from t0 of PYJL_W sequences into the tile
   and their observations into xt: in lanes when every lane's block is those rows (n ==
   PYJL_BLOCK, or every lane ends at t0 + n), else lane by lane by pyjl_gfactors (rows t0
   up to each lane's block end or length, into fbr[l], kept for the lane's remaining
   steps) and gathered; each lane's row maxima added to msum[l] (msum NULL: not wanted). */
PYJL_LANE_INLINE void PYJL_WN(pyjl_gfactors_block)(PYJL_VW *tile, PYJL_VW *xt,
                                                   const double *const *xs,
                                                   const Py_ssize_t *T,
                                                   const pyjl_gauss_par *g, Py_ssize_t t0,
                                                   Py_ssize_t n, double *const *fbr,
                                                   double *ltmp, double *msum,
                                                   const Py_ssize_t K) {
    PYJL_WN(pyjl_gather)(xt, xs, PYJL_W, t0 * g->d, n * g->d);
    int whole = 1;   /* every lane's block is these n rows */
    for (int l = 0; l < PYJL_W && n < PYJL_BLOCK; l++) whole &= T[l] - t0 == n;
    if (whole) {
        PYJL_VW s;
        if (!PYJL_WN(pyjl_gfactors_v)(tile, xt, g, n, &s, K)) {
            if (msum)
                for (int l = 0; l < PYJL_W; l++) msum[l] += PYJL_LANE(s, l);
            return;
        }
    }
    for (int l = 0; l < PYJL_W; l++) {
        double s = pyjl_gfactors(xs[l], g, t0, T[l] - t0 < PYJL_BLOCK ? T[l] - t0 : PYJL_BLOCK,
                                 ltmp, fbr[l], K);
        if (msum) msum[l] += s;
    }
    PYJL_WN(pyjl_gather)(tile, (const double *const *)fbr, PYJL_W, 0, n * K);
}
