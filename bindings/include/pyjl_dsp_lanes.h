/* IIR filters in lanes (pyjl_simd.h): up to eight rows filtered at once, one per lane,
 * in groups of the CPU's lanes per vector (the kernels: pyjl_dsp_lanes_w.h).
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
/* (PYJL_VW, PYJL_SPLAT: the width of the template that expands them) */
#define PYJL_SEC_COEF(S, c)                                                        \
    const PYJL_VW b##S##0 = PYJL_SPLAT((c)[0]), b##S##1 = PYJL_SPLAT((c)[1]),     \
                  b##S##2 = PYJL_SPLAT((c)[2]), a##S##1 = PYJL_SPLAT((c)[4]),     \
                  a##S##2 = PYJL_SPLAT((c)[5])
/* y = b0 x + z0; z0 = b1 x - a1 y + z1; z1 = b2 x - a2 y  (SciPy's order) */
#define PYJL_SEC_STEP(S, xin, yout)                                                \
    yout = b##S##0 * (xin) + z##S##0;                                              \
    z##S##0 = b##S##1 * (xin) - a##S##1 * yout + z##S##1;                          \
    z##S##1 = b##S##2 * (xin) - a##S##2 * yout

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

#define PYJL_WIDTH_BODY "pyjl_dsp_lanes_w.h"
#include "pyjl_widths.h"

/* sosfilt of nl <= PYJL_LANES rows of n samples: row l is x0[l * stride ...], its
   output y0[l * stride ...], its state (n_sec, 2) at z0 + l * zstride, updated in place;
   stream: write y by streaming stores where the rows allow (large outputs).  The rows
   run in groups of the CPU's lanes per vector. */
static void pyjl_sos_lanes(const double *sos, Py_ssize_t n_sec, double *z0,
                           Py_ssize_t zstride, const double *x0, double *y0,
                           Py_ssize_t stride, int nl, Py_ssize_t n, int stream) {
    const int w = pyjl_lane_width();
    int g, ng;
    for (g = 0; g < nl; g += w) {
        ng = nl - g < w ? nl - g : w;
        PYJL_BY_WIDTH(w, pyjl_sos_lanes, (sos, n_sec, z0 + g * zstride, zstride,
                                          x0 + g * stride, y0 + g * stride, stride, ng, n,
                                          stream));
    }
}

/* The zero-input response of the cascade from the states at z0 + l * zstride, added
   to rows[l][t] for t < n, l < nl <= PYJL_LANES, tile by tile until every lane's state
   has fallen below 1e-24 of its start (the rest is below rounding); the states end
   propagated (zeroed once decayed).  Returns whether all decayed within n samples; 0,
   adding nothing, if a state is not finite (a NaN must reach the following samples). */
static int pyjl_sos_lanes_zir(const double *sos, Py_ssize_t n_sec, double *z0,
                              Py_ssize_t zstride, double *const *rows, int nl,
                              Py_ssize_t n) {
    const int w = pyjl_lane_width();
    int g, ng, l, done = 1;
    Py_ssize_t j;
    for (l = 0; l < nl; l++)
        for (j = 0; j < 2 * n_sec; j++)
            if (!(fabs(z0[l * zstride + j]) <= DBL_MAX)) return 0;
    for (g = 0; g < nl; g += w) {
        ng = nl - g < w ? nl - g : w;
        done &= PYJL_BY_WIDTH(w, pyjl_sos_lanes_zir,
                              (sos, n_sec, z0 + g * zstride, zstride, rows + g, ng, n));
    }
    return done;
}

/* lfilter (a[0] == 1, 2 <= k <= PYJL_LANE_MAX_SEC) of nl <= PYJL_LANES rows, laid out
   as in pyjl_sos_lanes; the state (k - 1) of row l at z0 + l * zstride. */
static void pyjl_iir_lanes(const double *b, const double *a, Py_ssize_t k, double *z0,
                           Py_ssize_t zstride, const double *x0, double *y0,
                           Py_ssize_t stride, int nl, Py_ssize_t n, int stream) {
    const int w = pyjl_lane_width();
    int g, ng;
    for (g = 0; g < nl; g += w) {
        ng = nl - g < w ? nl - g : w;
        PYJL_BY_WIDTH(w, pyjl_iir_lanes, (b, a, k, z0 + g * zstride, zstride,
                                          x0 + g * stride, y0 + g * stride, stride, ng, n,
                                          stream));
    }
}

#endif  /* PYJL_DSP_LANES_H */
