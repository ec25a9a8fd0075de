/* One long channel of a recursive filter split in time, in lanes (bindings/dsp_sos_lanes.pxi
 * for sosfilt, bindings/dsp_lfilter.pxi for lfilter with a denominator).
 *
 * The filter is linear: segments filtered from a guessed starting state, each plus the
 * zero-input response (ZIR) of what its predecessor's final state differs by from that
 * guess, give the channel's output (the guess: the steady state of the signal's level
 * before the segment, so that an offset leaves nothing large to correct).  The
 * ZIR from any state z is a sum of the ZIRs from the unit states, zir(z)[t] =
 * sum_j z_j H[j][t], so with H computed once per filter (pyjl_zir_basis) a segment's
 * correction is a small matrix product (pyjl_zir_add) where running the recursion
 * from z costs as much per sample as filtering.  H ends at the T samples after which the
 * states reached from all unit states sum to at most PYJL_ZIR_TOL: every later sample of
 * any ZIR, and the state it leaves, is then below PYJL_ZIR_TOL max|z| (below rounding,
 * the criterion pyjl_sos_lanes_zir applies to each state instead).
 *
 * A recursion (pyjl_recursion) is second-order sections or one direct form II transposed;
 * its state has ns values per row (2 per section, or k - 1).
 * Layout contract: sos, b, a as in pyjl_dsp_lanes.h; H holds ns columns of hs >= T
 * samples (H[j * hs + t]); T is a multiple of PYJL_ZIR_STEP; a state is ns values in the
 * filter's zi order (sosfilt: (section, 2); lfilter: k - 1).  Nothing here allocates or
 * takes the GIL.
 */
#ifndef PYJL_DSP_SPLIT_H
#define PYJL_DSP_SPLIT_H

#include <float.h>
#include <math.h>
#include "pyjl_dsp_lanes.h"
#include "pyjl_team.h"

#define PYJL_ZIR_TOL 1e-24
#define PYJL_ZIR_STEP 64

/* A recursive filter: second-order sections (sos != NULL: n_sec of them) or the direct
   form II transposed of b and a (k coefficients each, a[0] == 1). */
typedef struct {
    const double *sos, *b, *a;
    Py_ssize_t n_sec, k;
} pyjl_recursion;

static inline Py_ssize_t pyjl_rec_states(const pyjl_recursion *f) {
    return f->sos != NULL ? 2 * f->n_sec : f->k - 1;
}

/* The recursion over one tile of lanes, in place (bv, av: b and a splatted, direct form) */
PYJL_LANE_INLINE void pyjl_rec_tile(const pyjl_recursion *f, const pyjl_v8d *bv,
                                    const pyjl_v8d *av, pyjl_v8d *zv, pyjl_v8d *tile,
                                    Py_ssize_t m) {
    if (f->sos != NULL)
        pyjl_lsos_tile(f->sos, f->n_sec, zv, tile, m);
    else
        pyjl_liir_run(bv, av, f->k, zv, tile, m);
}

/* H[j * hs + t] for t < T, the ZIR of unit state j, eight unit states at a time in lanes;
   returns T, or 0 if the states have not decayed within hs samples. */
PYJL_LANE_CLONES
static Py_ssize_t pyjl_zir_basis(const pyjl_recursion *f, double *H, Py_ssize_t hs) {
    pyjl_v8d tile[PYJL_ZIR_STEP], zv[2 * PYJL_LANE_MAX_SEC], bv[PYJL_LANE_MAX_SEC],
        av[PYJL_LANE_MAX_SEC];
    const Py_ssize_t ns = pyjl_rec_states(f);
    const double tol = PYJL_ZIR_TOL / (double)ns;   /* per unit state: ns of them sum */
    Py_ssize_t j0, j, t0, t, T = 0, Tg;
    int l, nl, done;
    if (f->sos == NULL)
        for (j = 0; j < f->k; j++) { bv[j] = pyjl_splat(f->b[j]); av[j] = pyjl_splat(f->a[j]); }
    for (j0 = 0; j0 < ns; j0 += PYJL_LANES) {
        nl = ns - j0 < PYJL_LANES ? (int)(ns - j0) : PYJL_LANES;
        for (j = 0; j < ns; j++) zv[j] = pyjl_splat(0.0);
        for (l = 0; l < nl; l++) zv[j0 + l][l] = 1.0;
        Tg = 0;
        for (t0 = 0; t0 + PYJL_ZIR_STEP <= hs && !Tg; t0 += PYJL_ZIR_STEP) {
            for (t = 0; t < PYJL_ZIR_STEP; t++) tile[t] = pyjl_splat(0.0);
            pyjl_rec_tile(f, bv, av, zv, tile, PYJL_ZIR_STEP);
            for (l = 0; l < nl; l++)
                for (t = 0; t < PYJL_ZIR_STEP; t++) H[(j0 + l) * hs + t0 + t] = tile[t][l];
            done = 1;
            for (j = 0; j < ns; j++)
                for (l = 0; l < nl; l++) done = done && fabs(zv[j][l]) <= tol;
            if (done) Tg = t0 + PYJL_ZIR_STEP;
        }
        if (!Tg) return 0;
        if (Tg > T) {   /* every column ends at T: zeros after the ones that decayed sooner */
            for (j = 0; j < j0; j++) memset(H + j * hs + T, 0, (size_t)(Tg - T) * sizeof(double));
            T = Tg;
        } else {
            for (j = j0; j < j0 + nl; j++)
                memset(H + j * hs + Tg, 0, (size_t)(T - Tg) * sizeof(double));
        }
    }
    return T;
}

/* rows[l][t] += sum_j H[j * hs + t] s[l * ns + j] for t < T, l < nl <= PYJL_LANES: the
   ZIRs of the states s added to the rows.  With AVX-512 (32 vector registers) every row
   runs against each pair of H's vectors while they are in registers (16 accumulators; a
   row at a time would load H once per row and run at half the multiply-add rate); with
   16 registers those accumulators spill (3-4x slower), so there two rows at a time run
   against a block of H (eight vectors of each).  Both sum each element in the same order.
   Returns 0, adding nothing, if a state is not finite (a NaN must reach every later
   sample: the caller reruns the channel serially).  A correction is not the scalar
   arithmetic anyway (it differs from it by rounding), so its multiply-adds may fuse where
   the CPU has FMA. */
PYJL_LANE_CLONES __attribute__((optimize("fp-contract=fast")))
static int pyjl_zir_add(const double *H, Py_ssize_t hs, Py_ssize_t ns, Py_ssize_t T,
                        const double *s, double *const *rows, int nl) {
    pyjl_v8d a[PYJL_LANES], b[PYJL_LANES], h0, h1, v;
    Py_ssize_t t0, j;
    int l, u;
    for (j = 0; j < nl * ns; j++)
        if (!(fabs(s[j]) <= DBL_MAX)) return 0;
    if (!__builtin_cpu_supports("avx512f")) {
        for (t0 = 0; t0 < T; t0 += PYJL_ZIR_STEP)
            for (l = 0; l < nl; l += 2) {
                const double *sa = s + l * ns, *sb = l + 1 < nl ? sa + ns : sa;
                for (u = 0; u < 8; u++) a[u] = b[u] = pyjl_splat(0.0);
                for (j = 0; j < ns; j++) {
                    const double *hp = H + j * hs + t0;
                    const pyjl_v8d va = pyjl_splat(sa[j]), vb = pyjl_splat(sb[j]);
                    for (u = 0; u < 8; u++) {
                        memcpy(&h0, hp + 8 * u, sizeof h0);
                        a[u] = a[u] + h0 * va;
                        b[u] = b[u] + h0 * vb;
                    }
                }
                for (u = 0; u < 8; u++) {
                    double *r = rows[l] + t0 + 8 * u;
                    memcpy(&v, r, sizeof v);
                    v = v + a[u];
                    memcpy(r, &v, sizeof v);
                    if (l + 1 < nl) {
                        r = rows[l + 1] + t0 + 8 * u;
                        memcpy(&v, r, sizeof v);
                        v = v + b[u];
                        memcpy(r, &v, sizeof v);
                    }
                }
            }
        return 1;
    }
    for (t0 = 0; t0 < T; t0 += 16) {   /* T is a multiple of PYJL_ZIR_STEP */
        for (l = 0; l < PYJL_LANES; l++) a[l] = b[l] = pyjl_splat(0.0);
        for (j = 0; j < ns; j++) {
            memcpy(&h0, H + j * hs + t0, sizeof h0);
            memcpy(&h1, H + j * hs + t0 + 8, sizeof h1);
            for (l = 0; l < PYJL_LANES; l++) {   /* rows past nl: row 0 again, not stored */
                const double c = s[(l < nl ? l : 0) * ns + j];
                v = pyjl_splat(c);
                a[l] = a[l] + h0 * v;
                b[l] = b[l] + h1 * v;
            }
        }
        for (l = 0; l < nl; l++) {
            double *r = rows[l] + t0;
            memcpy(&v, r, sizeof v);
            v = v + a[l];
            memcpy(r, &v, sizeof v);
            memcpy(&v, r + 8, sizeof v);
            v = v + b[l];
            memcpy(r + 8, &v, sizeof v);
        }
    }
    return 1;
}

/* One block of a channel split in time: nl segments of L samples (segment l at
   x0 + l * L, its starting state at z0 + l * ns), filtered in lanes from those states;
   then the ZIR of what each segment's final state differs by from the state the next
   segment started from goes to the next segment: added to it within the block, written
   to owed[0..cap) (zeros on entry) for the first segment of the next block, none after
   the channel's last segment (last_block).  A segment after the first starts from the
   steady state of a level, zss * lvl[l] (zss: the state a unit constant input leaves;
   lvl: the mean of the samples before each segment; NULL: zero starts), so that an
   offset of the signal costs no transient to correct (the correction would cancel it,
   and lose its rounding to the output).  By the basis H (T = cap samples) where given,
   else by the recursion (pyjl_sos_lanes_zir, at most cap samples; sections only: a
   direct form is split only with its basis).  cap <= L.  Returns whether every response
   decayed within cap samples and every state is finite.  stream as in pyjl_sos_lanes. */
static int pyjl_lane_block(const pyjl_recursion *f, const double *zss, const double *lvl,
                           double *z0, const double *x0, double *y0, Py_ssize_t L, int nl,
                           const double *H, Py_ssize_t hs, double *owed, Py_ssize_t cap,
                           int last_block, int stream) {
    double *rows[PYJL_LANES];
    double d[PYJL_LANES * 2 * PYJL_LANE_MAX_SEC];
    const Py_ssize_t ns = pyjl_rec_states(f);
    Py_ssize_t j;
    int l, nz = last_block ? nl - 1 : nl;
    if (f->sos != NULL)
        pyjl_sos_lanes(f->sos, f->n_sec, z0, ns, x0, y0, L, nl, L, stream);
    else
        pyjl_iir_lanes(f->b, f->a, f->k, z0, ns, x0, y0, L, nl, L, stream);
    if (nz <= 0) return 1;
    for (l = 0; l < nz; l++) {
        rows[l] = l + 1 < nl ? y0 + (l + 1) * L : owed;
        for (j = 0; j < ns; j++)
            d[l * ns + j] = zss != NULL ? z0[l * ns + j] - zss[j] * lvl[l + 1]
                                        : z0[l * ns + j];
    }
    if (H != NULL) return pyjl_zir_add(H, hs, ns, cap, d, rows, nz);
    if (f->sos != NULL) return pyjl_sos_lanes_zir(f->sos, f->n_sec, d, ns, rows, nz, cap);
    return 0;
}

/* The mean of the PYJL_LEVEL_SAMPLES samples before x: a segment's starting level. */
#define PYJL_LEVEL_SAMPLES 64   /* a multiple of 4 */
static inline double pyjl_level(const double *x) {
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    Py_ssize_t t;
    for (t = -PYJL_LEVEL_SAMPLES; t < 0; t += 4) {
        s0 = s0 + x[t];
        s1 = s1 + x[t + 1];
        s2 = s2 + x[t + 2];
        s3 = s3 + x[t + 3];
    }
    return ((s0 + s1) + (s2 + s3)) / PYJL_LEVEL_SAMPLES;
}

/* A channel split in time as a team job (pyjl_team.h): task q is block q of eight
   segments, pyjl_lane_block's arguments for it taken from the job.  states holds
   segment 0's starting state (the channel's) and zeros: each task sets its own
   segments' starting states, zss times their levels, so that reading the samples
   before every segment (cold lines of a fresh chunk) is not left to the caller alone
   while the other threads wait. */
typedef struct {
    pyjl_recursion f;
    const double *zss, *x, *H;
    double *states, *y, *owed;
    Py_ssize_t L, nseg, cap;   /* L >= PYJL_LEVEL_SAMPLES */
    int stream;
    int *decayed;
} pyjl_split_job;

static void pyjl_split_task(void *ctx, Py_ssize_t q) {
    const pyjl_split_job *j = (const pyjl_split_job *)ctx;
    const Py_ssize_t c = q * PYJL_LANES, nb = (j->nseg + PYJL_LANES - 1) / PYJL_LANES;
    const Py_ssize_t ns = pyjl_rec_states(&j->f);
    const int nl = j->nseg - c < PYJL_LANES ? (int)(j->nseg - c) : PYJL_LANES;
    double lvl[PYJL_LANES + 1] = {0.0};   /* of segments c .. c + nl (the next block's first) */
    Py_ssize_t t;
    int l;
    if (j->zss != NULL)
        for (l = 0; l <= nl && c + l < j->nseg; l++) {
            if (c + l == 0) continue;   /* starts from the channel's state */
            lvl[l] = pyjl_level(j->x + (c + l) * j->L);
            if (l < nl)
                for (t = 0; t < ns; t++) j->states[(c + l) * ns + t] = j->zss[t] * lvl[l];
        }
    j->decayed[q] = pyjl_lane_block(&j->f, j->zss, lvl, j->states + c * ns, j->x + c * j->L,
                                    j->y + c * j->L, j->L, nl, j->H, j->cap,
                                    j->owed + q * j->cap, j->cap, q == nb - 1, j->stream);
}

#endif  /* PYJL_DSP_SPLIT_H */
