/* The IIR lane kernels of one width (pyjl_dsp_lanes.h includes this through
 * pyjl_widths.h once per width; no include guard: by design): sosfilt and lfilter of
 * nl <= PYJL_W rows, and the zero-input response of a cascade, compiled for the width's
 * instruction set (PYJL_WTARGET).
 * Layout contract: as in pyjl_dsp_lanes.h, with nl <= PYJL_W rows per call.
 */

PYJL_LANE_INLINE void PYJL_WN(pyjl_lsos1)(const double *c, PYJL_VW *z, const PYJL_VW *src,
                                 PYJL_VW *dst, Py_ssize_t m) {
    PYJL_SEC_COEF(0, c);
    PYJL_VW z00 = z[0], z01 = z[1], y;
    Py_ssize_t t;
    for (t = 0; t < m; t++) {
        PYJL_SEC_STEP(0, src[t], y);
        dst[t] = y;
    }
    z[0] = z00; z[1] = z01;
}

PYJL_LANE_INLINE void PYJL_WN(pyjl_lsos2)(const double *c, PYJL_VW *z, const PYJL_VW *src,
                                 PYJL_VW *dst, Py_ssize_t m) {
    PYJL_SEC_COEF(0, c); PYJL_SEC_COEF(1, c + 6);
    PYJL_VW z00 = z[0], z01 = z[1], z10 = z[2], z11 = z[3], v, y;
    Py_ssize_t t;
    for (t = 0; t < m; t++) {
        PYJL_SEC_STEP(0, src[t], v);
        PYJL_SEC_STEP(1, v, y);
        dst[t] = y;
    }
    z[0] = z00; z[1] = z01; z[2] = z10; z[3] = z11;
}

/* Four sections as a pipeline (section s runs s samples behind section 0), so their
   recursions are independent within a step; m >= 4. */
PYJL_LANE_INLINE void PYJL_WN(pyjl_lsos4)(const double *c, PYJL_VW *z, const PYJL_VW *src,
                                 PYJL_VW *dst, Py_ssize_t m) {
    PYJL_VW p0[3], p1[2], p2[1], tail[1];
    Py_ssize_t t;
    PYJL_WN(pyjl_lsos1)(c, z, src, p0, 3);
    PYJL_WN(pyjl_lsos1)(c + 6, z + 2, p0, p1, 2);
    PYJL_WN(pyjl_lsos1)(c + 12, z + 4, p1, p2, 1);
    {
        PYJL_SEC_COEF(0, c); PYJL_SEC_COEF(1, c + 6);
        PYJL_SEC_COEF(2, c + 12); PYJL_SEC_COEF(3, c + 18);
        PYJL_VW z00 = z[0], z01 = z[1], z10 = z[2], z11 = z[3];
        PYJL_VW z20 = z[4], z21 = z[5], z30 = z[6], z31 = z[7];
        PYJL_VW v0 = p0[2], v1 = p1[1], v2 = p2[0], x0, y0, y1, y2, y3;
        for (t = 3; t < m; t++) {
            x0 = src[t];
            PYJL_SEC_STEP(3, v2, y3);
            PYJL_SEC_STEP(2, v1, y2);
            PYJL_SEC_STEP(1, v0, y1);
            PYJL_SEC_STEP(0, x0, y0);
            dst[t - 3] = y3;
            v2 = y2; v1 = y1; v0 = y0;
        }
        z[0] = z00; z[1] = z01; z[2] = z10; z[3] = z11;
        z[4] = z20; z[5] = z21; z[6] = z30; z[7] = z31;
        p2[0] = v2; p1[1] = v1; p0[2] = v0;
    }
    /* drain the pipeline */
    PYJL_WN(pyjl_lsos1)(c + 18, z + 6, p2, dst + m - 3, 1);
    PYJL_WN(pyjl_lsos1)(c + 12, z + 4, p1 + 1, tail, 1);
    PYJL_WN(pyjl_lsos1)(c + 18, z + 6, tail, dst + m - 2, 1);
    PYJL_WN(pyjl_lsos1)(c + 6, z + 2, p0 + 2, tail, 1);
    PYJL_WN(pyjl_lsos1)(c + 12, z + 4, tail, tail, 1);
    PYJL_WN(pyjl_lsos1)(c + 18, z + 6, tail, dst + m - 1, 1);
}

/* The cascade over one tile, in place, groups of sections in turn (as _sos_channel). */
PYJL_LANE_INLINE void PYJL_WN(pyjl_lsos_tile)(const double *sos, Py_ssize_t n_sec, PYJL_VW *zv,
                                     PYJL_VW *tile, Py_ssize_t m) {
    Py_ssize_t s = 0, left;
    while (s < n_sec) {
        left = n_sec - s;
        if (left >= 4 && m >= 4) {
            PYJL_WN(pyjl_lsos4)(sos + 6 * s, zv + 2 * s, tile, tile, m); s += 4;
        } else if (left >= 2) {
            PYJL_WN(pyjl_lsos2)(sos + 6 * s, zv + 2 * s, tile, tile, m); s += 2;
        } else {
            PYJL_WN(pyjl_lsos1)(sos + 6 * s, zv + 2 * s, tile, tile, m); s += 1;
        }
    }
}

/* sosfilt of nl <= PYJL_W rows of n samples: row l is x0[l * stride ...], its output
   y0[l * stride ...], its state (n_sec, 2) at z0 + l * zstride, updated in place;
   stream: write y by streaming stores where the rows allow (large outputs). */
PYJL_WTARGET
static void PYJL_WN(pyjl_sos_lanes)(const double *sos, Py_ssize_t n_sec, double *z0,
                           Py_ssize_t zstride, const double *x0, double *y0,
                           Py_ssize_t stride, int nl, Py_ssize_t n, int stream) {
    PYJL_VW tile[PYJL_TILE], zv[2 * PYJL_LANE_MAX_SEC];
    const double *xs[PYJL_W];
    double *ys[PYJL_W];
    Py_ssize_t t0, m, j, sh = 0, span;
    int l;
    if (nl == PYJL_W && stride % 512 == 0 && n >= 1024 * PYJL_STAGGER)
        sh = PYJL_STAGGER;   /* the rows run alone for a few percent of their length */
    span = sh * (PYJL_W - 1);
    for (l = 0; l < nl; l++)   /* the staggered lanes' heads */
        pyjl_sos_row(sos, n_sec, z0 + l * zstride, x0 + l * stride, y0 + l * stride, sh * l);
    for (j = 0; j < 2 * n_sec; j++) zv[j] = PYJL_SPLAT(0.0);
    for (l = 0; l < nl; l++) {
        xs[l] = x0 + l * stride + sh * l; ys[l] = y0 + l * stride + sh * l;
        for (j = 0; j < 2 * n_sec; j++) zv[j][l] = z0[l * zstride + j];
    }
    stream = stream && PYJL_WN(pyjl_can_stream)(ys, nl);
    for (t0 = 0; t0 < n - span; t0 += m) {
        m = n - span - t0 < PYJL_TILE ? n - span - t0 : PYJL_TILE;
        PYJL_WN(pyjl_gather)(tile, xs, nl, t0, m);
        PYJL_WN(pyjl_lsos_tile)(sos, n_sec, zv, tile, m);
        PYJL_WN(pyjl_scatter_to)(tile, ys, nl, t0, m, stream);
    }
    pyjl_stream_fence(stream);
    for (l = 0; l < nl; l++)
        for (j = 0; j < 2 * n_sec; j++) z0[l * zstride + j] = zv[j][l];
    for (l = 0; l < nl; l++)   /* and their tails */
        pyjl_sos_row(sos, n_sec, z0 + l * zstride, xs[l] + n - span, ys[l] + n - span,
                     span - sh * l);
}

/* The zero-input response of the cascade from the states at z0 + l * zstride, added
   to rows[l][t] for t < n, tile by tile until every lane's state has fallen below
   1e-24 of its start (the rest is below rounding); the states end propagated (zeroed
   once decayed).  Returns whether all decayed within n samples; 0, adding nothing,
   if a state is not finite (a NaN must reach the following samples). */
PYJL_WTARGET
static int PYJL_WN(pyjl_sos_lanes_zir)(const double *sos, Py_ssize_t n_sec, double *z0,
                              Py_ssize_t zstride, double *const *rows, int nl,
                              Py_ssize_t n) {
    PYJL_VW tile[PYJL_TILE], zv[2 * PYJL_LANE_MAX_SEC], s0 = PYJL_SPLAT(0.0), s;
    Py_ssize_t t0, m, t, j;
    int l, done = 0;
    for (j = 0; j < 2 * n_sec; j++) zv[j] = PYJL_SPLAT(0.0);
    for (l = 0; l < nl; l++)
        for (j = 0; j < 2 * n_sec; j++) {
            zv[j][l] = z0[l * zstride + j];
            if (!(fabs(zv[j][l]) <= DBL_MAX)) return 0;
            if (fabs(zv[j][l]) > s0[l]) s0[l] = fabs(zv[j][l]);
        }
    for (t0 = 0; t0 < n && !done; t0 += m) {
        m = n - t0 < PYJL_TILE ? n - t0 : PYJL_TILE;
        for (t = 0; t < m; t++) tile[t] = PYJL_SPLAT(0.0);
        PYJL_WN(pyjl_lsos_tile)(sos, n_sec, zv, tile, m);
        for (l = 0; l < nl; l++) {
            double *r = rows[l] + t0;
            for (t = 0; t < m; t++) r[t] = r[t] + tile[t][l];
        }
        s = PYJL_SPLAT(0.0);
        for (j = 0; j < 2 * n_sec; j++)
            for (l = 0; l < nl; l++)
                if (fabs(zv[j][l]) > s[l]) s[l] = fabs(zv[j][l]);
        done = 1;
        for (l = 0; l < nl; l++)
            if (!(s[l] <= 1e-24 * s0[l])) done = 0;
    }
    for (l = 0; l < nl; l++)
        for (j = 0; j < 2 * n_sec; j++) z0[l * zstride + j] = done ? 0.0 : zv[j][l];
    return done;
}

/* ---- direct form II transposed --------------------------------------------------- */
/* One sample *s of K coefficients each (a[0] == 1) through the state z (K - 1 vectors),
   in place: *s becomes the output. */
PYJL_LANE_INLINE void PYJL_WN(pyjl_liir_step)(const PYJL_VW *bv, const PYJL_VW *av,
                                              Py_ssize_t K, PYJL_VW *z, PYJL_VW *s) {
    const PYJL_VW xn = *s, yn = z[0] + bv[0] * xn;
    for (Py_ssize_t j = 0; j < K - 2; j++) z[j] = z[j + 1] + xn * bv[j + 1] - yn * av[j + 1];
    z[K - 2] = xn * bv[K - 1] - yn * av[K - 1];
    *s = yn;
}

/* The samples of a tile in place; a constant K unrolls the taps and keeps the state in
   registers. */
PYJL_LANE_INLINE void PYJL_WN(pyjl_liir_tile)(const PYJL_VW *bv, const PYJL_VW *av, const int K,
                                     PYJL_VW *zv, PYJL_VW *tile, Py_ssize_t m) {
    PYJL_VW z[PYJL_IIR_MAXK];
    Py_ssize_t t;
    int j;
    for (j = 0; j < K - 1; j++) z[j] = zv[j];
    for (t = 0; t < m; t++) PYJL_WN(pyjl_liir_step)(bv, av, K, z, tile + t);
    for (j = 0; j < K - 1; j++) zv[j] = z[j];
}

/* The same for any K, the state in memory. */
PYJL_LANE_INLINE void PYJL_WN(pyjl_liir_tile_any)(const PYJL_VW *bv, const PYJL_VW *av,
                                         Py_ssize_t K, PYJL_VW *z, PYJL_VW *tile,
                                         Py_ssize_t m) {
    for (Py_ssize_t t = 0; t < m; t++) PYJL_WN(pyjl_liir_step)(bv, av, K, z, tile + t);
}

PYJL_LANE_INLINE void PYJL_WN(pyjl_liir_run)(const PYJL_VW *bv, const PYJL_VW *av, Py_ssize_t k,
                                    PYJL_VW *zv, PYJL_VW *tile, Py_ssize_t m) {
    switch (k) {
#define PYJL_IIR_CASE(K) case K: PYJL_WN(pyjl_liir_tile)(bv, av, K, zv, tile, m); break;
        PYJL_IIR_CASE(2) PYJL_IIR_CASE(3) PYJL_IIR_CASE(4) PYJL_IIR_CASE(5)
        PYJL_IIR_CASE(6) PYJL_IIR_CASE(7) PYJL_IIR_CASE(8) PYJL_IIR_CASE(9)
        PYJL_IIR_CASE(10) PYJL_IIR_CASE(11) PYJL_IIR_CASE(12) PYJL_IIR_CASE(13)
#undef PYJL_IIR_CASE
        default: PYJL_WN(pyjl_liir_tile_any)(bv, av, k, zv, tile, m);
    }
}

/* lfilter (a[0] == 1, 2 <= k <= PYJL_LANE_MAX_SEC) of nl <= PYJL_W rows, laid out as in
   pyjl_sos_lanes (rows a multiple of 4 kB apart staggered as there); the state (k - 1)
   of row l at z0 + l * zstride. */
PYJL_WTARGET
static void PYJL_WN(pyjl_iir_lanes)(const double *b, const double *a, Py_ssize_t k, double *z0,
                           Py_ssize_t zstride, const double *x0, double *y0,
                           Py_ssize_t stride, int nl, Py_ssize_t n, int stream) {
    PYJL_VW tile[PYJL_TILE], zv[PYJL_LANE_MAX_SEC], bv[PYJL_LANE_MAX_SEC],
        av[PYJL_LANE_MAX_SEC];
    const double *xs[PYJL_W];
    double *ys[PYJL_W];
    Py_ssize_t t0, m, j, sh = 0, span;
    int l;
    if (nl == PYJL_W && stride % 512 == 0 && n >= 1024 * PYJL_STAGGER)
        sh = PYJL_STAGGER;
    span = sh * (PYJL_W - 1);
    for (l = 0; l < nl; l++)   /* the staggered lanes' heads */
        pyjl_iir_row(b, a, k, z0 + l * zstride, x0 + l * stride, y0 + l * stride, sh * l);
    for (j = 0; j < k; j++) { bv[j] = PYJL_SPLAT(b[j]); av[j] = PYJL_SPLAT(a[j]); }
    for (j = 0; j < k - 1; j++) zv[j] = PYJL_SPLAT(0.0);
    for (l = 0; l < nl; l++) {
        xs[l] = x0 + l * stride + sh * l; ys[l] = y0 + l * stride + sh * l;
        for (j = 0; j < k - 1; j++) zv[j][l] = z0[l * zstride + j];
    }
    stream = stream && PYJL_WN(pyjl_can_stream)(ys, nl);
    for (t0 = 0; t0 < n - span; t0 += m) {
        m = n - span - t0 < PYJL_TILE ? n - span - t0 : PYJL_TILE;
        PYJL_WN(pyjl_gather)(tile, xs, nl, t0, m);
        PYJL_WN(pyjl_liir_run)(bv, av, k, zv, tile, m);
        PYJL_WN(pyjl_scatter_to)(tile, ys, nl, t0, m, stream);
    }
    pyjl_stream_fence(stream);
    for (l = 0; l < nl; l++)
        for (j = 0; j < k - 1; j++) z0[l * zstride + j] = zv[j][l];
    for (l = 0; l < nl; l++)   /* and their tails */
        pyjl_iir_row(b, a, k, z0 + l * zstride, xs[l] + n - span, ys[l] + n - span,
                     span - sh * l);
}

