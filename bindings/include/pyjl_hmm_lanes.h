/* HMM kernels across sequences in SIMD lanes (bindings/hmm.pyx): a block of eight
 * sequences (PYJL_LANES, sorted by length by the caller; the last block of a call may
 * hold fewer, a multiple of W: nl) runs as groups of W side by
 * side, one per lane of a vector of W doubles (pyjl_simd.h), W the widest the CPU has
 * (8 with AVX-512, 4 with AVX2, 2 elsewhere: pyjl_lane_width).  The kernels are written
 * once per width (pyjl_hmm_lanes_w.h for the scaled forward pass and forward-backward,
 * pyjl_hmm_vit_lanes_w.h for Viterbi, pyjl_hmm_estep_lanes_w.h for the fused Gaussian
 * E-step, on the helpers of pyjl_hmm_gauss_lanes_w.h), each compiled for its width's
 * instruction set (PYJL_WTARGET).
 *
 * The lanes of a group run up to its shortest length, at most 8 / W times the block's
 * shortest (pyjl_group_steps: the group's scratch stays within the block's), and each
 * lane's remaining steps run one sequence at a time, from the state the lanes left.
 * Each lane performs the operations of the scalar kernels of pyjl_hmm.h in the same
 * order (contraction off), so log-likelihoods, posteriors and Viterbi paths are
 * bit-identical to them at every width; only the transition-posterior sums (xi) are
 * added in another order (within 1e-12 relative).
 *
 * Layout contract: as pyjl_hmm.h; off (n_seq + 1) holds the first row of each sequence,
 * idx 8 sequence numbers; work has at least pyjl_lanes_work(m, tail, K, d, kind) doubles
 * (m >= the block's shortest length, tail >= its longest minus its shortest; any
 * alignment).
 */
#include "pyjl_hmm.h"  /* first: it includes this header after its own kernels */

#ifndef PYJL_HMM_LANES_H
#define PYJL_HMM_LANES_H

#include <stdint.h>

#include "pyjl_simd.h"

/* a where msk is set, else b; the lane l of v (PYJL_VW, PYJL_VI: the width of the
   template that expands them) */
#define PYJL_SEL(msk, a, b) \
    ((PYJL_VW)(((PYJL_VI)(a) & (msk)) | ((PYJL_VI)(b) & ~(msk))))
#define PYJL_LANE(v, l) (((const double *)&(v))[l])

#include "pyjl_hmm_gauss_lanes.h"

PYJL_LANE_INLINE double *pyjl_align64(double *p) {
    return (double *)(((uintptr_t)p + 63) & ~(uintptr_t)63);
}

/* One scaled forward step of one sequence (pyjl_fb_seq_t's): a = (ap A) * b
   (pyjl_fwd_step), then normalised; returns the scale's inverse; *dead set when
   impossible. */
PYJL_LANE_INLINE double pyjl_fwd_step1(double *__restrict a, const double *__restrict ap,
                                       const double *__restrict b, const double *__restrict A,
                                       pyjl_llacc *acc, int *dead, const Py_ssize_t K) {
    double c = pyjl_fwd_step(a, ap, NULL, A, b, K);
    if (!(c > 0.0)) { *dead = 1; c = 1.0; }
    double v = 1.0 / c;
    for (Py_ssize_t j = 0; j < K; j++) a[j] *= v;
    pyjl_ll_add(acc, c);
    return v;
}

/* One lane's own steps backward (pyjl_fb_seq_t's, one sequence at a time), from its
   last step Tl - 1 down to step m - 1 where the lanes' common steps take over.  Step t
   has its posteriors at g + (t - m + 1) * K (its emission factors on entry), its forward
   variables at at + (t - m + 1) * K and its scale's inverse at st[t - m + 1] (t >= m;
   s_common for step m - 1, the lanes' own).  Adds the transition posteriors to xl
   (stride xs: one lane of the lanes' sums); leaves in w the backward message for step
   m - 1.  Shared by forward-backward and the fused E-step in lanes. */
PYJL_LANE_INLINE void pyjl_lane_tail_bwd(double *g, const double *at, const double *st,
                                         double s_common, const double *A, double *w,
                                         double *beta, double *xl, int xs, Py_ssize_t m,
                                         Py_ssize_t Tl, Py_ssize_t K) {
    double slast = Tl > m ? st[Tl - m] : s_common;
    double *gT = g + (Tl - m) * K;
    const double *aT = at + (Tl - m) * K;
    for (Py_ssize_t j = 0; j < K; j++) w[j] = Tl > 1 ? gT[j] * slast : 0.0;
    for (Py_ssize_t j = 0; j < K; j++) gT[j] = aT[j];
    for (Py_ssize_t t = Tl - 2; t >= m - 1; t--) {
        double *gt = g + (t - m + 1) * K;
        const double *a = at + (t - m + 1) * K;
        pyjl_bwd_beta(beta, A, w, a, K);
        for (Py_ssize_t i = 0; i < K; i++)
            for (Py_ssize_t j = 0; j < K; j++) xl[(i * K + j) * xs] += a[i] * w[j];
        if (t > 0) {
            double v = t >= m ? st[t - m + 1] : s_common;   /* t = m - 1 */
            for (Py_ssize_t j = 0; j < K; j++) w[j] = gt[j] * beta[j] * v;
        }
        pyjl_posterior(gt, a, beta, K);
    }
}

/* Specialised copies of every kernel, per width, for common state counts (0: any K). */
#define PYJL_LANE_KS(X) X(2) X(3) X(4) X(5) X(6) X(8) X(16) X(0)

/* F_<K>_w<W>(...), the copy of kernel F for K (in a template of width W) */
#define PYJL_LANE_SWITCH(F, ...) \
    switch (K) { \
    case 2: PYJL_WN(F##_2)(__VA_ARGS__); break; case 3: PYJL_WN(F##_3)(__VA_ARGS__); break; \
    case 4: PYJL_WN(F##_4)(__VA_ARGS__); break; case 5: PYJL_WN(F##_5)(__VA_ARGS__); break; \
    case 6: PYJL_WN(F##_6)(__VA_ARGS__); break; case 8: PYJL_WN(F##_8)(__VA_ARGS__); break; \
    case 16: PYJL_WN(F##_16)(__VA_ARGS__); break; default: PYJL_WN(F##_0)(__VA_ARGS__); }

/* emission factors the E-step may keep, all threads together: PYJL_KEEP (128 kB), or
   PYJL_KEEP_STATE per state where that is more -- no more than the (T, K) arrays that
   one sequence of about a thousand steps takes in hmmlearn's E-step */
#define PYJL_KEEP (1 << 14)
#define PYJL_KEEP_STATE (1 << 12)

/* steps of an E-step block (shortest length m) whose emission factors are kept in keep
   numbers: all m, or the whole blocks of PYJL_BLOCK steps that fit */
PYJL_LANE_INLINE Py_ssize_t pyjl_kept_steps(Py_ssize_t m, Py_ssize_t keep, Py_ssize_t K) {
    const Py_ssize_t cap = keep / (PYJL_LANES * K) / PYJL_BLOCK * PYJL_BLOCK;
    return m < cap ? m : cap;
}

/* the same for a group of w lanes of m common steps (pyjl_group_steps): as many numbers
   as the block keeps, w lanes of 8 / w times its steps */
PYJL_LANE_INLINE Py_ssize_t pyjl_kept_steps_w(Py_ssize_t m, Py_ssize_t keep, Py_ssize_t K,
                                              int w) {
    const Py_ssize_t cap = keep / (PYJL_LANES * K) / PYJL_BLOCK * PYJL_BLOCK * (PYJL_LANES / w);
    return m < cap ? m : cap;
}

/* The steps the lanes of the group of w sequences from g (of a block of nl <= PYJL_LANES
   of lengths T) take together: up to the group's shortest length, at most 8 / w times
   the block's shortest, so that the group's scratch (w lanes of its steps, each lane's
   remaining steps one at a time) stays within pyjl_lanes_work's for the block. */
PYJL_LANE_INLINE Py_ssize_t pyjl_group_steps(const Py_ssize_t *T, int g, int w, int nl) {
    Py_ssize_t mb = T[0], mg = T[g];
    for (int l = 1; l < nl; l++) mb = T[l] < mb ? T[l] : mb;
    for (int l = g + 1; l < g + w; l++) mg = T[l] < mg ? T[l] : mg;
    mb *= PYJL_LANES / w;
    return mg < mb ? mg : mb;
}

#define PYJL_WIDTH_BODY "pyjl_hmm_lanes_w.h"
#include "pyjl_widths.h"

/* Whether the lanes beat one sequence at a time on this CPU, at the width they run
   (pyjl_lane_width), for every kernel here and in the headers named above: at 8 lanes
   (AVX-512: not slower in any kernel) and at 4 (AVX2: 1.3 to 2.3 times as fast on AMD
   Zen 3), not at 2 (SSE2 on Zen 3: EM and scores 1.0 to 1.5 times as fast, Viterbi at
   K = 16 a sixth slower). */
static int pyjl_lanes_pay(void) {
    return pyjl_lane_width() >= 4;
}

/* doubles of work per thread for blocks whose shortest length is at most m and whose
   longest exceeds their shortest by at most tail; kind: 0 forward-backward, 1 forward,
   2 Viterbi, 3 the E-step (pyjl_hmm_estep_lanes.h); d features of Gaussian emissions
   computed in the kernel (0: log_B given); keep the numbers of emission factors an
   E-step block may keep (pyjl_kept_steps).  Enough for every width: a group of W lanes
   takes at most 8 / W times the block's shortest length together (pyjl_group_steps). */
static Py_ssize_t pyjl_lanes_work(Py_ssize_t m, Py_ssize_t tail, Py_ssize_t K, Py_ssize_t d,
                                  int kind, Py_ssize_t keep) {
    const Py_ssize_t L = PYJL_LANES, B = PYJL_BLOCK;
    Py_ssize_t n;
    if (kind == 0)
        n = L * (K * K + (B + PYJL_NB + 2) * K + m * (K + 1)) + (tail + 1) * (K + 1) + 2 * K;
    else if (kind == 1)
        n = L * (2 * B + 2) * K + L * B * d + 3 * K + B * K;
    else if (kind == 2)
        n = L * ((B + 2) * K + B * d) + m * K + (tail + 1) * K + tail * K;
    else
        n = L * (K * K + (2 * B + PYJL_NB + 2 + m / B + 1) * K + B + 1 + B * d + (2 * d + 1) * K)
            + L * B * K
            + (tail + 2 * B) * K + (tail + 1) * (K + 1) + 2 * K
            + L * K * pyjl_kept_steps(m, keep, K) + L;
    return n + 2 * L;
}

static void pyjl_fb_lanes(const double *logB, double *gam, const int64_t *off,
                          const int64_t *idx, double *loglik, const double *pi,
                          const double *A, double *xacc, double *work, Py_ssize_t K,
                          int nl) {
    const double *lb[PYJL_LANES];
    double *gm[PYJL_LANES], ll[PYJL_LANES];
    Py_ssize_t T[PYJL_LANES];
    const int w = pyjl_lane_width();
    for (int l = 0; l < nl; l++) {
        lb[l] = logB + off[idx[l]] * K;
        gm[l] = gam + off[idx[l]] * K;
        T[l] = off[idx[l] + 1] - off[idx[l]];
    }
    for (int g = 0; g < nl; g += w)
        PYJL_BY_WIDTH(w, pyjl_fbl, (lb + g, gm + g, T + g, pyjl_group_steps(T, g, w, nl), pi,
                                        A, xacc, ll + g, work, K));
    for (int l = 0; l < nl; l++) loglik[idx[l]] = ll[l];
}

/* rows: log_B (gp NULL) or the observations X (n, gp->d) of diagonal-Gaussian emissions */
static void pyjl_fwd_lanes(const double *rows, const pyjl_gauss_par *gp, const int64_t *off,
                           const int64_t *idx, double *loglik, const double *pi,
                           const double *A, double *work, Py_ssize_t K, int nl) {
    const double *rw[PYJL_LANES];
    double ll[PYJL_LANES];
    Py_ssize_t T[PYJL_LANES];
    const Py_ssize_t r = gp ? gp->d : K;
    const int w = pyjl_lane_width();
    for (int l = 0; l < nl; l++) {
        rw[l] = rows + off[idx[l]] * r;
        T[l] = off[idx[l] + 1] - off[idx[l]];
    }
    for (int g = 0; g < nl; g += w)
        PYJL_BY_WIDTH(w, pyjl_fwdl, (rw + g, gp, T + g, pyjl_group_steps(T, g, w, nl), pi, A,
                                         ll + g, work, K));
    for (int l = 0; l < nl; l++) loglik[idx[l]] = ll[l];
}

#endif  /* PYJL_HMM_LANES_H */
