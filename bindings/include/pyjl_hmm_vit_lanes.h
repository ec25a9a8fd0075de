/* Viterbi across sequences in SIMD lanes (bindings/hmm.pyx): a block of eight sequences
 * as groups of the CPU's lanes per vector (pyjl_hmm_lanes.h), the max-product recursion
 * in lanes up to the group's common steps, each lane's remaining steps and its backtrack
 * one sequence at a time; every lane performs pyjl_vit_seq_t's operations and tie rules,
 * so paths and log-probabilities are bit-identical to it.  The kernels are written once
 * per width (pyjl_hmm_vit_lanes_w.h).  Layout contract: pyjl_hmm_lanes.h's.
 */
#include "pyjl_hmm.h"  /* first: it includes this header after its own kernels */

#ifndef PYJL_HMM_VIT_LANES_H
#define PYJL_HMM_VIT_LANES_H

#define PYJL_VIT_LANES_MAXK 256   /* most states: a predecessor's index fits in a byte */

#define PYJL_WIDTH_BODY "pyjl_hmm_vit_lanes_w.h"
#include "pyjl_widths.h"

/* rows: log_B (gp NULL) or the observations X (n, gp->d) of diagonal-Gaussian emissions */
static void pyjl_vit_lanes(const double *rows, const pyjl_gauss_par *gp, const int64_t *off,
                           const int64_t *idx, double *logprob, int64_t *path,
                           const double *lpi, const double *lA, double *work, Py_ssize_t K,
                           int nl) {
    const double *lb[PYJL_LANES];
    int64_t *pt[PYJL_LANES];
    double lp[PYJL_LANES];
    Py_ssize_t T[PYJL_LANES];
    const Py_ssize_t r = gp ? gp->d : K;
    const int w = pyjl_lane_width();
    for (int l = 0; l < nl; l++) {
        lb[l] = rows + off[idx[l]] * r;
        pt[l] = path + off[idx[l]];
        T[l] = off[idx[l] + 1] - off[idx[l]];
    }
    for (int g = 0; g < nl; g += w)
        PYJL_BY_WIDTH(w, pyjl_vitl, (lb + g, gp, pt + g, T + g, pyjl_group_steps(T, g, w, nl),
                                         lpi, lA, lp + g, work, K));
    for (int l = 0; l < nl; l++) logprob[idx[l]] = lp[l];
}

#endif  /* PYJL_HMM_VIT_LANES_H */
