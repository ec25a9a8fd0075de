/* The lane helpers of one width (pyjl_simd.h includes this through pyjl_widths.h once
 * per width; no include guard: by design): a tile of PYJL_W rows gathered into vectors,
 * and scattered back.  Always inlined into the kernels, which carry the target.
 * Layout contract: as in pyjl_simd.h, with W = PYJL_W.
 */

/* r[0..W) := its transpose (r[i][j] <-> r[j][i]): log2(W) rounds of pair shuffles; round
   k pairs r[i] with r[i + k] (i & k == 0), lo_k taking the lanes j & k == 0 of the first
   and the ones below them of the second, hi_k the rest */
PYJL_LANE_INLINE void PYJL_WN(pyjl_transpose)(PYJL_VW *r) {
    int i;
#if PYJL_W == 8
    typedef long long iv __attribute__((vector_size(64)));
    PYJL_TRANSPOSE_ROUND(1, ((iv){0, 8, 2, 10, 4, 12, 6, 14}), ((iv){1, 9, 3, 11, 5, 13, 7, 15}));
    PYJL_TRANSPOSE_ROUND(2, ((iv){0, 1, 8, 9, 4, 5, 12, 13}), ((iv){2, 3, 10, 11, 6, 7, 14, 15}));
    PYJL_TRANSPOSE_ROUND(4, ((iv){0, 1, 2, 3, 8, 9, 10, 11}), ((iv){4, 5, 6, 7, 12, 13, 14, 15}));
#elif PYJL_W == 4
    typedef long long iv __attribute__((vector_size(32)));
    PYJL_TRANSPOSE_ROUND(1, ((iv){0, 4, 2, 6}), ((iv){1, 5, 3, 7}));
    PYJL_TRANSPOSE_ROUND(2, ((iv){0, 1, 4, 5}), ((iv){2, 3, 6, 7}));
#else
    typedef long long iv __attribute__((vector_size(16)));
    PYJL_TRANSPOSE_ROUND(1, ((iv){0, 2}), ((iv){1, 3}));
#endif
}

/* tile[t][l] = rows[l][t0 + t] for t < m, l < nl; zero lanes above nl */
PYJL_LANE_INLINE void PYJL_WN(pyjl_gather)(PYJL_VW *tile, const double *const *rows, int nl,
                                           Py_ssize_t t0, Py_ssize_t m) {
    Py_ssize_t t = 0;
    int l;
    double *tp = (double *)tile;
    if (nl == PYJL_W) {
        PYJL_VW r[PYJL_W];
        for (; t + PYJL_W <= m; t += PYJL_W) {
            for (l = 0; l < PYJL_W; l++) {
                __builtin_prefetch(rows[l] + t0 + t + PYJL_PREFETCH);
                memcpy(&r[l], rows[l] + t0 + t, sizeof(PYJL_VW));
            }
            PYJL_WN(pyjl_transpose)(r);
            for (l = 0; l < PYJL_W; l++) tile[t + l] = r[l];
        }
    }
    if (t == m) return;
    for (Py_ssize_t u = t; u < m; u++) tile[u] = PYJL_SPLAT(0.0);
    for (l = 0; l < nl; l++) {
        const double *src = rows[l] + t0;
        for (Py_ssize_t u = t; u < m; u++) tp[u * PYJL_W + l] = src[u];
    }
}

/* whether streaming stores may write rows[0..nl): each starts on a cache line, so
   every line is written whole (partly written lines cost a read in memory) */
PYJL_LANE_INLINE int PYJL_WN(pyjl_can_stream)(double *const *rows, int nl) {
    int l, ok = PYJL_STREAM && nl == PYJL_W;
    for (l = 0; l < nl; l++) ok = ok && ((size_t)rows[l] % 64 == 0);
    return ok;
}

/* rows[l][t0 + t] = tile[t][l] for t < m, l < nl; stream: by streaming stores
   (pyjl_can_stream(rows, nl) true, t0 a multiple of 8) */
PYJL_LANE_INLINE void PYJL_WN(pyjl_scatter_to)(const PYJL_VW *tile, double *const *rows,
                                               int nl, Py_ssize_t t0, Py_ssize_t m,
                                               int stream) {
    Py_ssize_t t = 0;
    int l;
    const double *tp = (const double *)tile;
    if (nl == PYJL_W) {
        PYJL_VW r[PYJL_W];
        for (; t + PYJL_W <= m; t += PYJL_W) {
            for (l = 0; l < PYJL_W; l++) r[l] = tile[t + l];
            PYJL_WN(pyjl_transpose)(r);
#if PYJL_STREAM
            if (stream) {
                for (l = 0; l < PYJL_W; l++) {
                    double *d = rows[l] + t0 + t;
                    pyjl_v2d h;
                    int q;
                    for (q = 0; q < PYJL_W; q += 2) {
                        memcpy(&h, (const double *)&r[l] + q, sizeof h);
                        __builtin_ia32_movntpd(d + q, h);
                    }
                }
                continue;
            }
#endif
            for (l = 0; l < PYJL_W; l++) memcpy(rows[l] + t0 + t, &r[l], sizeof(PYJL_VW));
        }
    }
    for (l = 0; l < nl; l++) {
        double *dst = rows[l] + t0;
        for (Py_ssize_t u = t; u < m; u++) dst[u] = tp[u * PYJL_W + l];
    }
}
