/* The fused diagonal-Gaussian E-step (bindings/hmm.pyx gaussian_estep) of a block of
 * eight sequences in SIMD lanes, as groups of the CPU's lanes per vector
 * (pyjl_hmm_lanes.h), without their (T, K) log-densities or posteriors: the
 * log-densities and emission factors of a block of PYJL_BLOCK steps are computed again
 * for the backward pass (the same blocks as the forward pass, so the same bits), and so
 * are its forward variables, from the ones at the end of the block before (checkpoints);
 * the posteriors of a block go straight into the weighted moments.  The working memory
 * is O(8 (K^2 + PYJL_BLOCK K + longest K / PYJL_BLOCK)) numbers, plus the factors of
 * the first common steps that fit in keep numbers (pyjl_kept_steps_w), which are kept
 * from the forward pass instead of being computed again.  The kernels are written once
 * per width (pyjl_hmm_estep_lanes_w.h).
 *
 * Layout contract: pyjl_hmm_lanes.h's; X (n, d) rows; acc = [xi sums (K, K), start
 * posteriors (K), N (K), S1 (d, K), S2 (d, K)] (the group accumulator).
 */
#include "pyjl_hmm.h"  /* first: it includes this header after its own kernels */

#ifndef PYJL_HMM_ESTEP_LANES_H
#define PYJL_HMM_ESTEP_LANES_H

#define PYJL_WIDTH_BODY "pyjl_hmm_estep_lanes_w.h"
#include "pyjl_widths.h"

static void pyjl_estep_lanes(const double *X, Py_ssize_t d, const int64_t *off,
                             const int64_t *idx, double *loglik, const double *M,
                             const double *IV, const double *cst, const double *pi,
                             const double *A, const double *shift, double *acc,
                             double *work, Py_ssize_t keep, Py_ssize_t K, int nl) {
    const double *xs[PYJL_LANES];
    double ll[PYJL_LANES];
    Py_ssize_t T[PYJL_LANES];
    pyjl_gauss_par gp = {M, IV, cst, shift, d};
    const int w = pyjl_lane_width();
    for (int l = 0; l < nl; l++) {
        xs[l] = X + off[idx[l]] * d;
        T[l] = off[idx[l] + 1] - off[idx[l]];
    }
    for (int g = 0; g < nl; g += w)
        PYJL_BY_WIDTH(w, pyjl_estl, (xs + g, T + g, pyjl_group_steps(T, g, w, nl), &gp, pi, A,
                                         acc, ll + g, work, keep, K));
    for (int l = 0; l < nl; l++) loglik[idx[l]] = ll[l];
}

#endif  /* PYJL_HMM_ESTEP_LANES_H */
