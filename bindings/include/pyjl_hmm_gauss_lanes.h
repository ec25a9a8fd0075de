/* Diagonal-Gaussian log-densities and emission factors of a group of sequences in SIMD
 * lanes, straight from their observations (bindings/hmm.pyx: gaussian_forward,
 * gaussian_viterbi, gaussian_estep), so that no (T, K) array of log-densities is written
 * and read back.  Every lane performs pyjl_gauss_t's and pyjl_factors' operations in
 * their order, so the log-densities and factors are bit-identical to theirs; a block
 * with a factor below e^-708 in some lane (pyjl_factors then takes libm's exponential
 * for that lane's block) is computed lane by lane by pyjl_factors itself.  The helpers
 * in lanes are written once per width (pyjl_hmm_gauss_lanes_w.h, through pyjl_widths.h).
 *
 * Layout contract: as pyjl_hmm.h; xs[l] the first observation row (d numbers each) of
 * the sequence in lane l; a tile is n K vectors (row u, state k at u K + k), xt n d
 * vectors; fbr[l] PYJL_BLOCK K doubles and ltmp PYJL_BLOCK K doubles of scratch.
 */
#include "pyjl_hmm.h"  /* first: it includes this header after its own kernels */

#ifndef PYJL_HMM_GAUSS_LANES_H
#define PYJL_HMM_GAUSS_LANES_H

#include "pyjl_simd.h"

typedef struct {
    const double *M, *IV, *cst, *shift;
    Py_ssize_t d;
} pyjl_gauss_par;

/* emission factors of rows t0 .. t0 + n - 1 of X rows x into b (via ltmp); their maxima */
PYJL_LANE_INLINE double pyjl_gfactors(const double *x, const pyjl_gauss_par *g, Py_ssize_t t0,
                                      Py_ssize_t n, double *ltmp, double *b, Py_ssize_t K) {
    pyjl_gauss(x + t0 * g->d, g->M, g->IV, g->cst, ltmp, n, g->d, K);
    return pyjl_factors(ltmp, b, n, K);
}

#define PYJL_WIDTH_BODY "pyjl_hmm_gauss_lanes_w.h"
#include "pyjl_widths.h"

#endif  /* PYJL_HMM_GAUSS_LANES_H */
