/* IIR filters in lanes (pyjl_simd.h): up to eight rows filtered at once, one per lane.
 *
 * A row is a channel of a multi-channel signal or a time segment of one long channel
 * (rows l = 0..nl-1 start at x0 + l * stride; their states at z0 + l * zstride).
 * Per lane the arithmetic is the scalar kernels' of bindings/dsp.pyx (sosfilt: SciPy's
 * second-order sections, four at a time as a pipeline; lfilter: direct form II
 * transposed), operation for operation, so results are bit-identical to them.
 * Layout contract (validated by pyjl.dsp, trusted here): float64 throughout; sos is
 * (n_sec, 6) C-contiguous with n_sec <= PYJL_LANE_MAX_SEC, b and a hold k coefficients
 * with a[0] == 1; rows hold n samples; x and y may be the same rows.  Nothing here
 * allocates or takes the GIL.
 */
#ifndef PYJL_DSP_LANES_H
#define PYJL_DSP_LANES_H

#include <float.h>
#include <math.h>
#include "pyjl_simd.h"

#define PYJL_LANE_MAX_SEC 64   /* more sections (or lfilter taps) run the scalar path */
#define PYJL_IIR_MAXK 13       /* lfilter orders up to 12 keep their state in registers */

/* ---- second-order sections ------------------------------------------------------ */
#define PYJL_SEC_COEF(S, c)                                                        \
    const pyjl_v8d b##S##0 = pyjl_splat((c)[0]), b##S##1 = pyjl_splat((c)[1]),    \
                   b##S##2 = pyjl_splat((c)[2]), a##S##1 = pyjl_splat((c)[4]),    \
                   a##S##2 = pyjl_splat((c)[5])
/* y = b0 x + z0; z0 = b1 x - a1 y + z1; z1 = b2 x - a2 y  (SciPy's order) */
#define PYJL_SEC_STEP(S, xin, yout)                                                \
    yout = b##S##0 * (xin) + z##S##0;                                              \
    z##S##0 = b##S##1 * (xin) - a##S##1 * yout + z##S##1;                          \
    z##S##1 = b##S##2 * (xin) - a##S##2 * yout

PYJL_LANE_INLINE void pyjl_lsos1(const double *c, pyjl_v8d *z, const pyjl_v8d *src,
                                 pyjl_v8d *dst, Py_ssize_t m) {
    PYJL_SEC_COEF(0, c);
    pyjl_v8d z00 = z[0], z01 = z[1], y;
    Py_ssize_t t;
    for (t = 0; t < m; t++) {
        PYJL_SEC_STEP(0, src[t], y);
        dst[t] = y;
    }
    z[0] = z00; z[1] = z01;
}

PYJL_LANE_INLINE void pyjl_lsos2(const double *c, pyjl_v8d *z, const pyjl_v8d *src,
                                 pyjl_v8d *dst, Py_ssize_t m) {
    PYJL_SEC_COEF(0, c); PYJL_SEC_COEF(1, c + 6);
    pyjl_v8d z00 = z[0], z01 = z[1], z10 = z[2], z11 = z[3], v, y;
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
PYJL_LANE_INLINE void pyjl_lsos4(const double *c, pyjl_v8d *z, const pyjl_v8d *src,
                                 pyjl_v8d *dst, Py_ssize_t m) {
    pyjl_v8d p0[3], p1[2], p2[1], tail[1];
    Py_ssize_t t;
    pyjl_lsos1(c, z, src, p0, 3);
    pyjl_lsos1(c + 6, z + 2, p0, p1, 2);
    pyjl_lsos1(c + 12, z + 4, p1, p2, 1);
    {
        PYJL_SEC_COEF(0, c); PYJL_SEC_COEF(1, c + 6);
        PYJL_SEC_COEF(2, c + 12); PYJL_SEC_COEF(3, c + 18);
        pyjl_v8d z00 = z[0], z01 = z[1], z10 = z[2], z11 = z[3];
        pyjl_v8d z20 = z[4], z21 = z[5], z30 = z[6], z31 = z[7];
        pyjl_v8d v0 = p0[2], v1 = p1[1], v2 = p2[0], x0, y0, y1, y2, y3;
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
    pyjl_lsos1(c + 18, z + 6, p2, dst + m - 3, 1);
    pyjl_lsos1(c + 12, z + 4, p1 + 1, tail, 1);
    pyjl_lsos1(c + 18, z + 6, tail, dst + m - 2, 1);
    pyjl_lsos1(c + 6, z + 2, p0 + 2, tail, 1);
    pyjl_lsos1(c + 12, z + 4, tail, tail, 1);
    pyjl_lsos1(c + 18, z + 6, tail, dst + m - 1, 1);
}

/* The cascade over one tile, in place, groups of sections in turn (as _sos_channel). */
PYJL_LANE_INLINE void pyjl_lsos_tile(const double *sos, Py_ssize_t n_sec, pyjl_v8d *zv,
                                     pyjl_v8d *tile, Py_ssize_t m) {
    Py_ssize_t s = 0, left;
    while (s < n_sec) {
        left = n_sec - s;
        if (left >= 4 && m >= 4) {
            pyjl_lsos4(sos + 6 * s, zv + 2 * s, tile, tile, m); s += 4;
        } else if (left >= 2) {
            pyjl_lsos2(sos + 6 * s, zv + 2 * s, tile, tile, m); s += 2;
        } else {
            pyjl_lsos1(sos + 6 * s, zv + 2 * s, tile, tile, m); s += 1;
        }
    }
}

/* The cascade over one row, one sample at a time, each section's step written as
   PYJL_SEC_STEP writes it: the same operations as a lane, so the same results. */
PYJL_LANE_INLINE void pyjl_sos_row(const double *sos, Py_ssize_t n_sec, double *z,
                                   const double *x, double *y, Py_ssize_t n) {
    Py_ssize_t t, s;
    for (t = 0; t < n; t++) {
        double v = x[t], out;
        for (s = 0; s < n_sec; s++) {
            const double *c = sos + 6 * s;
            double *zs = z + 2 * s;
            out = c[0] * v + zs[0];
            zs[0] = c[1] * v - c[4] * out + zs[1];
            zs[1] = c[2] * v - c[5] * out;
            v = out;
        }
        y[t] = v;
    }
}

/* Rows whose starts are a multiple of 4 kB apart (a stream's chunk of 2^k samples per
   channel, a split channel's segments) fall into the same cache sets, sample for
   sample, and evict one another's prefetched lines.  Lane l of rows that long then
   runs PYJL_STAGGER * l samples ahead of lane 0 (its lines in other sets): its first
   samples before the lanes start and its last after they stop run alone
   (pyjl_sos_row). */
#define PYJL_STAGGER 16

/* sosfilt of nl <= 8 rows of n samples: row l is x0[l * stride ...], its output
   y0[l * stride ...], its state (n_sec, 2) at z0 + l * zstride, updated in place;
   stream: write y by streaming stores where the rows allow (large outputs). */
PYJL_LANE_CLONES
static void pyjl_sos_lanes(const double *sos, Py_ssize_t n_sec, double *z0,
                           Py_ssize_t zstride, const double *x0, double *y0,
                           Py_ssize_t stride, int nl, Py_ssize_t n, int stream) {
    pyjl_v8d tile[PYJL_TILE], zv[2 * PYJL_LANE_MAX_SEC];
    const double *xs[PYJL_LANES];
    double *ys[PYJL_LANES];
    Py_ssize_t t0, m, j, sh = 0, span;
    int l;
    if (nl == PYJL_LANES && stride % 512 == 0 && n >= 1024 * PYJL_STAGGER)
        sh = PYJL_STAGGER;   /* the rows run alone for a few percent of their length */
    span = sh * (PYJL_LANES - 1);
    for (l = 0; l < nl; l++)   /* the staggered lanes' heads */
        pyjl_sos_row(sos, n_sec, z0 + l * zstride, x0 + l * stride, y0 + l * stride, sh * l);
    for (j = 0; j < 2 * n_sec; j++) zv[j] = pyjl_splat(0.0);
    for (l = 0; l < nl; l++) {
        xs[l] = x0 + l * stride + sh * l; ys[l] = y0 + l * stride + sh * l;
        for (j = 0; j < 2 * n_sec; j++) zv[j][l] = z0[l * zstride + j];
    }
    stream = stream && pyjl_can_stream(ys, nl);
    for (t0 = 0; t0 < n - span; t0 += m) {
        m = n - span - t0 < PYJL_TILE ? n - span - t0 : PYJL_TILE;
        pyjl_gather(tile, xs, nl, t0, m);
        pyjl_lsos_tile(sos, n_sec, zv, tile, m);
        pyjl_scatter_to(tile, ys, nl, t0, m, stream);
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
PYJL_LANE_CLONES
static int pyjl_sos_lanes_zir(const double *sos, Py_ssize_t n_sec, double *z0,
                              Py_ssize_t zstride, double *const *rows, int nl,
                              Py_ssize_t n) {
    pyjl_v8d tile[PYJL_TILE], zv[2 * PYJL_LANE_MAX_SEC], s0 = pyjl_splat(0.0), s;
    Py_ssize_t t0, m, t, j;
    int l, done = 0;
    for (j = 0; j < 2 * n_sec; j++) zv[j] = pyjl_splat(0.0);
    for (l = 0; l < nl; l++)
        for (j = 0; j < 2 * n_sec; j++) {
            zv[j][l] = z0[l * zstride + j];
            if (!(fabs(zv[j][l]) <= DBL_MAX)) return 0;
            if (fabs(zv[j][l]) > s0[l]) s0[l] = fabs(zv[j][l]);
        }
    for (t0 = 0; t0 < n && !done; t0 += m) {
        m = n - t0 < PYJL_TILE ? n - t0 : PYJL_TILE;
        for (t = 0; t < m; t++) tile[t] = pyjl_splat(0.0);
        pyjl_lsos_tile(sos, n_sec, zv, tile, m);
        for (l = 0; l < nl; l++) {
            double *r = rows[l] + t0;
            for (t = 0; t < m; t++) r[t] = r[t] + tile[t][l];
        }
        s = pyjl_splat(0.0);
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
/* K coefficients each (a[0] == 1), state K - 1 vectors; a constant K unrolls the taps
   and keeps the state in registers. */
PYJL_LANE_INLINE void pyjl_liir_tile(const pyjl_v8d *bv, const pyjl_v8d *av, const int K,
                                     pyjl_v8d *zv, pyjl_v8d *tile, Py_ssize_t m) {
    pyjl_v8d z[PYJL_IIR_MAXK], xn, yn;
    Py_ssize_t t;
    int j;
    for (j = 0; j < K - 1; j++) z[j] = zv[j];
    for (t = 0; t < m; t++) {
        xn = tile[t];
        yn = z[0] + bv[0] * xn;
        for (j = 0; j < K - 2; j++) z[j] = z[j + 1] + xn * bv[j + 1] - yn * av[j + 1];
        z[K - 2] = xn * bv[K - 1] - yn * av[K - 1];
        tile[t] = yn;
    }
    for (j = 0; j < K - 1; j++) zv[j] = z[j];
}

/* The same for any K, the state in memory. */
PYJL_LANE_INLINE void pyjl_liir_tile_any(const pyjl_v8d *bv, const pyjl_v8d *av,
                                         Py_ssize_t K, pyjl_v8d *z, pyjl_v8d *tile,
                                         Py_ssize_t m) {
    pyjl_v8d xn, yn;
    Py_ssize_t t, j;
    for (t = 0; t < m; t++) {
        xn = tile[t];
        yn = z[0] + bv[0] * xn;
        for (j = 0; j < K - 2; j++) z[j] = z[j + 1] + xn * bv[j + 1] - yn * av[j + 1];
        z[K - 2] = xn * bv[K - 1] - yn * av[K - 1];
        tile[t] = yn;
    }
}

PYJL_LANE_INLINE void pyjl_liir_run(const pyjl_v8d *bv, const pyjl_v8d *av, Py_ssize_t k,
                                    pyjl_v8d *zv, pyjl_v8d *tile, Py_ssize_t m) {
    switch (k) {
#define PYJL_IIR_CASE(K) case K: pyjl_liir_tile(bv, av, K, zv, tile, m); break;
        PYJL_IIR_CASE(2) PYJL_IIR_CASE(3) PYJL_IIR_CASE(4) PYJL_IIR_CASE(5)
        PYJL_IIR_CASE(6) PYJL_IIR_CASE(7) PYJL_IIR_CASE(8) PYJL_IIR_CASE(9)
        PYJL_IIR_CASE(10) PYJL_IIR_CASE(11) PYJL_IIR_CASE(12) PYJL_IIR_CASE(13)
#undef PYJL_IIR_CASE
        default: pyjl_liir_tile_any(bv, av, k, zv, tile, m);
    }
}

/* lfilter of one row, one sample at a time, written as pyjl_liir_tile writes a lane's
   step: the same operations, so the same results (a staggered lane's head and tail). */
PYJL_LANE_INLINE void pyjl_iir_row(const double *b, const double *a, Py_ssize_t k, double *z,
                                   const double *x, double *y, Py_ssize_t n) {
    Py_ssize_t t, j;
    for (t = 0; t < n; t++) {
        const double xn = x[t], yn = z[0] + b[0] * xn;
        for (j = 0; j < k - 2; j++) z[j] = z[j + 1] + xn * b[j + 1] - yn * a[j + 1];
        z[k - 2] = xn * b[k - 1] - yn * a[k - 1];
        y[t] = yn;
    }
}

/* lfilter (a[0] == 1, 2 <= k <= PYJL_LANE_MAX_SEC) of nl <= 8 rows, laid out as in
   pyjl_sos_lanes (rows a multiple of 4 kB apart staggered as there); the state (k - 1)
   of row l at z0 + l * zstride. */
PYJL_LANE_CLONES
static void pyjl_iir_lanes(const double *b, const double *a, Py_ssize_t k, double *z0,
                           Py_ssize_t zstride, const double *x0, double *y0,
                           Py_ssize_t stride, int nl, Py_ssize_t n, int stream) {
    pyjl_v8d tile[PYJL_TILE], zv[PYJL_LANE_MAX_SEC], bv[PYJL_LANE_MAX_SEC],
        av[PYJL_LANE_MAX_SEC];
    const double *xs[PYJL_LANES];
    double *ys[PYJL_LANES];
    Py_ssize_t t0, m, j, sh = 0, span;
    int l;
    if (nl == PYJL_LANES && stride % 512 == 0 && n >= 1024 * PYJL_STAGGER)
        sh = PYJL_STAGGER;
    span = sh * (PYJL_LANES - 1);
    for (l = 0; l < nl; l++)   /* the staggered lanes' heads */
        pyjl_iir_row(b, a, k, z0 + l * zstride, x0 + l * stride, y0 + l * stride, sh * l);
    for (j = 0; j < k; j++) { bv[j] = pyjl_splat(b[j]); av[j] = pyjl_splat(a[j]); }
    for (j = 0; j < k - 1; j++) zv[j] = pyjl_splat(0.0);
    for (l = 0; l < nl; l++) {
        xs[l] = x0 + l * stride + sh * l; ys[l] = y0 + l * stride + sh * l;
        for (j = 0; j < k - 1; j++) zv[j][l] = z0[l * zstride + j];
    }
    stream = stream && pyjl_can_stream(ys, nl);
    for (t0 = 0; t0 < n - span; t0 += m) {
        m = n - span - t0 < PYJL_TILE ? n - span - t0 : PYJL_TILE;
        pyjl_gather(tile, xs, nl, t0, m);
        pyjl_liir_run(bv, av, k, zv, tile, m);
        pyjl_scatter_to(tile, ys, nl, t0, m, stream);
    }
    pyjl_stream_fence(stream);
    for (l = 0; l < nl; l++)
        for (j = 0; j < k - 1; j++) z0[l * zstride + j] = zv[j][l];
    for (l = 0; l < nl; l++)   /* and their tails */
        pyjl_iir_row(b, a, k, z0 + l * zstride, xs[l] + n - span, ys[l] + n - span,
                     span - sh * l);
}

#endif  /* PYJL_DSP_LANES_H */
