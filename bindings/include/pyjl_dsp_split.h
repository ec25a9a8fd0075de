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
#define PYJL_ZIR_BLOCK 4   /* vectors of H a correction keeps per row, below AVX-512 */

/* A recursive filter: second-order sections (sos != NULL: n_sec of them) or the direct
   form II transposed of b and a (k coefficients each, a[0] == 1). */
typedef struct {
    const double *sos, *b, *a;
    Py_ssize_t n_sec, k;
} pyjl_recursion;

static inline Py_ssize_t pyjl_rec_states(const pyjl_recursion *f) {
    return f->sos != NULL ? 2 * f->n_sec : f->k - 1;
}

#define PYJL_WIDTH_BODY "pyjl_dsp_split_w.h"
#include "pyjl_widths.h"

/* H[j * hs + t] for t < T, the ZIR of unit state j (as many unit states at a time as
   the CPU has lanes); returns T, or 0 if the states have not decayed within hs samples. */
static Py_ssize_t pyjl_zir_basis(const pyjl_recursion *f, double *H, Py_ssize_t hs) {
    const int w = pyjl_lane_width();
    return PYJL_BY_WIDTH(w, pyjl_zir_basis, (f, H, hs));
}

/* rows[l][t] += sum_j H[j * hs + t] s[l * ns + j] for t < T, l < nl <= PYJL_LANES: the
   ZIRs of the states s added to the rows (pyjl_dsp_split_w.h).  Returns 0, adding
   nothing, if a state is not finite (a NaN must reach every later sample: the caller
   reruns the channel serially). */
static int pyjl_zir_add(const double *H, Py_ssize_t hs, Py_ssize_t ns, Py_ssize_t T,
                        const double *s, double *const *rows, int nl) {
    const int w = pyjl_lane_width();
    return PYJL_BY_WIDTH(w, pyjl_zir_add, (H, hs, ns, T, s, rows, nl));
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

/* A channel split in time as a team job (pyjl_team.h): task q is block q of `block`
   segments (the CPU's lane width: one vector of lanes per task, so that a block of
   eight on a narrower vector does not make twice the corrections for the same speed),
   pyjl_lane_block's arguments for it taken from the job.  states holds
   segment 0's starting state (the channel's) and zeros: each task sets its own
   segments' starting states, zss times their levels, so that reading the samples
   before every segment (cold lines of a fresh chunk) is not left to the caller alone
   while the other threads wait. */
typedef struct {
    pyjl_recursion f;
    const double *zss, *x, *H;
    double *states, *y, *owed;
    Py_ssize_t L, nseg, cap;   /* L >= PYJL_LEVEL_SAMPLES */
    int block;                 /* segments per task, <= PYJL_LANES */
    int stream;
    int *decayed;
} pyjl_split_job;

static void pyjl_split_task(void *ctx, Py_ssize_t q) {
    const pyjl_split_job *j = (const pyjl_split_job *)ctx;
    const Py_ssize_t c = q * j->block, nb = (j->nseg + j->block - 1) / j->block;
    const Py_ssize_t ns = pyjl_rec_states(&j->f);
    const int nl = j->nseg - c < j->block ? (int)(j->nseg - c) : j->block;
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
