/* Matrix-free products of the GP kernels (bindings/gp.pyx, through pyjl_gp.h): R = K V and
 * the traces sum_c U[:, c]^T dK/dtheta_q V[:, c], by tiles of PYJL_TILE columns of K, never
 * an n1 x n2 matrix.  Built from the row loops of pyjl_gp.h (pyjl_r2_row, pyjl_kappa_row,
 * pyjl_contract_row, the periodic kind's functions): a new kind needs nothing here.
 *
 * Layout contract (validated by pyjl.gp, trusted here): float64, C-contiguous.  Points and
 * lengthscales as in pyjl_gp.h (A: the (n1, d) rows, scaled unless periodic; BT: the (d, n)
 * transpose of the scaled points compared with, or the (n, d) points themselves for the
 * periodic kind); V, U: (n, k) row-major, VT, UT their (k, n) transposes; R: (n1, k).
 * Rows go four at a time where they can: four rows of kernel values share every load of V
 * (and of the lower-triangle accumulator), which is what bounds these loops after the
 * kernel evaluations themselves.
 */
#ifndef PYJL_GP_FREE_H
#define PYJL_GP_FREE_H

#include "pyjl_gp.h"  /* the row loops (a no-op when pyjl_gp.h includes this file) */

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize ("no-math-errno", "no-trapping-math")
#endif

#define PYJL_TILE 256

/* out[j - j0] = k(x, B[j]) for j in [j0, j1): BT the (d, ld) transpose of the scaled
   points (stationary kinds), or the (ld, d) points themselves (periodic); r2 scratch. */
static inline void pyjl_kernel_row(int kind, const double *x, const double *BT,
                                   Py_ssize_t ld, Py_ssize_t d, const double *ls,
                                   Py_ssize_t nls, double var, double a, Py_ssize_t j0,
                                   Py_ssize_t j1, double *r2, double *out) {
    Py_ssize_t j;
    if (kind == PYJL_PERIODIC) {
        for (j = j0; j < j1; j++) out[j - j0] = var * pyjl_periodic(x, BT + j * d, d, ls, nls, a);
    } else {
        pyjl_r2_row(x, BT, ld, d, j0, j1, r2);
        pyjl_kappa_row(kind, r2, j1 - j0, var, a, out);
    }
}

/* Ri[c] += sum_{j in [j0, j1)} krow[j - j0] VT[c, j] for c in [0, k); VT is (k, ld). */
PYJL_CLONES
static void pyjl_dots_row(const double *restrict krow, const double *VT, Py_ssize_t ld,
                          Py_ssize_t k, Py_ssize_t j0, Py_ssize_t j1, double *restrict Ri) {
    Py_ssize_t m = j1 - j0, j, c;
    for (c = 0; c < k; c++) {
        const double *restrict v = VT + c * ld + j0;
        double s = 0.0;
        PYJL_SIMD_SUM_S
        for (j = 0; j < m; j++) s += krow[j] * v[j];
        Ri[c] += s;
    }
}

/* The same for four rows of kernel values kr (PYJL_TILE apart) and the rows Ri, Ri + k,
   Ri + 2k, Ri + 3k of R. */
PYJL_CLONES
static void pyjl_dots_rows4(const double *restrict kr, const double *VT, Py_ssize_t ld,
                            Py_ssize_t k, Py_ssize_t j0, Py_ssize_t j1, double *restrict Ri) {
    Py_ssize_t m = j1 - j0, j, c;
    const double *restrict k0 = kr, *restrict k1 = kr + PYJL_TILE;
    const double *restrict k2 = kr + 2 * PYJL_TILE, *restrict k3 = kr + 3 * PYJL_TILE;
    for (c = 0; c < k; c++) {
        const double *restrict v = VT + c * ld + j0;
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        PYJL_SIMD_SUM_S4
        for (j = 0; j < m; j++) {
            double vj = v[j];
            s0 += k0[j] * vj;
            s1 += k1[j] * vj;
            s2 += k2[j] * vj;
            s3 += k3[j] * vj;
        }
        Ri[c] += s0;
        Ri[k + c] += s1;
        Ri[2 * k + c] += s2;
        Ri[3 * k + c] += s3;
    }
}

/* RT[c, j] += sum_{r < nr} kr[r][j - j0] Vi[r k + c] for j in [j0, j1), c in [0, k): the
   lower triangle's share of nr = 1 or 4 rows (kr rows PYJL_TILE apart); RT is (k, ld). */
PYJL_CLONES
static void pyjl_axpys_rows(const double *restrict kr, int nr, const double *Vi,
                            Py_ssize_t k, Py_ssize_t ld, Py_ssize_t j0, Py_ssize_t j1,
                            double *RT) {
    Py_ssize_t m = j1 - j0, j, c;
    const double *restrict k0 = kr, *restrict k1 = kr + PYJL_TILE;
    const double *restrict k2 = kr + 2 * PYJL_TILE, *restrict k3 = kr + 3 * PYJL_TILE;
    for (c = 0; c < k; c++) {
        double *restrict r = RT + c * ld + j0;
        double a0 = Vi[c];
        if (nr == 4) {
            double a1 = Vi[k + c], a2 = Vi[2 * k + c], a3 = Vi[3 * k + c];
            PYJL_SIMD
            for (j = 0; j < m; j++) r[j] += (k0[j] * a0 + k1[j] * a1) + (k2[j] * a2 + k3[j] * a3);
        } else {
            PYJL_SIMD
            for (j = 0; j < m; j++) r[j] += k0[j] * a0;
        }
    }
}

/* R[i, :] = sum_j k(A[i], B[j]) V[j, :] for the rows i in [i0, i1) of R (n1, k).  A is
   (n1, d) (scaled unless periodic); BT is the (d, n2) transpose of the scaled B for the
   stationary kinds, B itself (n2, d) for periodic; VT is the (k, n2) transpose of V.  The
   columns go by tiles of PYJL_TILE, the rows of [i0, i1) (four at a time from i0) inside
   each tile, so the tile of BT and VT stays in cache; buf holds 5 * PYJL_TILE numbers. */
static void pyjl_matvec_rows(int kind, const double *A, const double *BT, Py_ssize_t n2,
                             Py_ssize_t d, const double *ls, Py_ssize_t nls, double var,
                             double a, const double *VT, Py_ssize_t k, Py_ssize_t i0,
                             Py_ssize_t i1, double *buf, double *R) {
    Py_ssize_t i, j0, j1, r;
    double *r2 = buf, *kr = buf + PYJL_TILE;
    for (i = i0; i < i1; i++) memset(R + i * k, 0, (size_t)k * sizeof(double));
    for (j0 = 0; j0 < n2; j0 += PYJL_TILE) {
        j1 = j0 + PYJL_TILE < n2 ? j0 + PYJL_TILE : n2;
        for (i = i0; i + 4 <= i1; i += 4) {
            for (r = 0; r < 4; r++)
                pyjl_kernel_row(kind, A + (i + r) * d, BT, n2, d, ls, nls, var, a, j0, j1, r2,
                                kr + r * PYJL_TILE);
            pyjl_dots_rows4(kr, VT, n2, k, j0, j1, R + i * k);
        }
        for (; i < i1; i++) {
            pyjl_kernel_row(kind, A + i * d, BT, n2, d, ls, nls, var, a, j0, j1, r2, kr);
            pyjl_dots_row(kr, VT, n2, k, j0, j1, R + i * k);
        }
    }
}

/* The symmetric product R = K(A, A) V from the upper triangle, each entry of K computed
   once: for the rows i in [i0, i1), R[i, :] = var V[i, :] + sum_{j > i} K[i, j] V[j, :]
   and, for every j > i, RT[:, j] += K[i, j] V[i, :] (the lower triangle's share, into this
   thread's RT (k, n), added to R by the caller).  A, BT, VT and buf as for
   pyjl_matvec_rows (n2 = n); V is (n, k).  Four rows go together where the tile lies
   right of all four diagonals. */
static void pyjl_matvec_sym_rows(int kind, const double *A, const double *BT, Py_ssize_t n,
                                 Py_ssize_t d, const double *ls, Py_ssize_t nls, double var,
                                 double a, const double *V, const double *VT, Py_ssize_t k,
                                 Py_ssize_t i0, Py_ssize_t i1, double *buf, double *R,
                                 double *RT) {
    Py_ssize_t i, j0, j1, js, c, r;
    double *r2 = buf, *kr = buf + PYJL_TILE;
    for (i = i0; i < i1; i++)
        for (c = 0; c < k; c++) R[i * k + c] = var * V[i * k + c];
    for (j0 = i0 + 1; j0 < n; j0 += PYJL_TILE) {
        j1 = j0 + PYJL_TILE < n ? j0 + PYJL_TILE : n;
        for (i = i0; i < i1;) {
            if (i + 4 <= i1 && i + 4 <= j0) {
                for (r = 0; r < 4; r++)
                    pyjl_kernel_row(kind, A + (i + r) * d, BT, n, d, ls, nls, var, a, j0, j1,
                                    r2, kr + r * PYJL_TILE);
                pyjl_dots_rows4(kr, VT, n, k, j0, j1, R + i * k);
                pyjl_axpys_rows(kr, 4, V + i * k, k, n, j0, j1, RT);
                i += 4;
                continue;
            }
            js = i + 1 > j0 ? i + 1 : j0;
            if (js >= j1) break;
            pyjl_kernel_row(kind, A + i * d, BT, n, d, ls, nls, var, a, js, j1, r2, kr);
            pyjl_dots_row(kr, VT, n, k, js, j1, R + i * k);
            pyjl_axpys_rows(kr, 1, V + i * k, k, n, js, j1, RT);
            i++;
        }
    }
}

/* w[r][j - j0] = sum_c U[i + r, c] VT[c, j] + V[i + r, c] UT[c, j] for j in [j0, j1) and
   the nr = 1 or 4 rows from i (w rows PYJL_TILE apart): the entries of U V^T + V U^T, the
   weights of the upper triangle of dK.  Ui, Vi are the rows i of U and V (n, k). */
PYJL_CLONES
static void pyjl_uv_rows(const double *Ui, const double *Vi, int nr, const double *UT,
                         const double *VT, Py_ssize_t ld, Py_ssize_t k, Py_ssize_t j0,
                         Py_ssize_t j1, double *restrict w) {
    Py_ssize_t m = j1 - j0, j, c;
    double *restrict w0 = w, *restrict w1 = w + PYJL_TILE;
    double *restrict w2 = w + 2 * PYJL_TILE, *restrict w3 = w + 3 * PYJL_TILE;
    for (j = 0; j < m; j++) w0[j] = 0.0;
    if (nr == 4)
        for (j = 0; j < m; j++) w1[j] = w2[j] = w3[j] = 0.0;
    for (c = 0; c < k; c++) {
        const double *restrict u = UT + c * ld + j0;
        const double *restrict v = VT + c * ld + j0;
        double a0 = Ui[c], b0 = Vi[c];
        if (nr == 4) {
            double a1 = Ui[k + c], b1 = Vi[k + c], a2 = Ui[2 * k + c], b2 = Vi[2 * k + c];
            double a3 = Ui[3 * k + c], b3 = Vi[3 * k + c];
            PYJL_SIMD
            for (j = 0; j < m; j++) {
                double uj = u[j], vj = v[j];
                w0[j] += a0 * vj + b0 * uj;
                w1[j] += a1 * vj + b1 * uj;
                w2[j] += a2 * vj + b2 * uj;
                w3[j] += a3 * vj + b3 * uj;
            }
        } else {
            PYJL_SIMD
            for (j = 0; j < m; j++) w0[j] += a0 * v[j] + b0 * u[j];
        }
    }
}

/* acc[q] += wt[j - j0] dk(x, x_j)/dtheta_q summed over j in [j0, j1) */
static inline void pyjl_contract_entries(int kind, const double *x, const double *BT,
                                         Py_ssize_t n, Py_ssize_t d, const double *ls,
                                         Py_ssize_t nls, Py_ssize_t n_extra, double var,
                                         double a, Py_ssize_t j0, Py_ssize_t j1,
                                         const double *wt, double *r2, double *g,
                                         double *acc) {
    Py_ssize_t j;
    if (kind == PYJL_PERIODIC) {
        for (j = j0; j < j1; j++)
            pyjl_periodic_grad(x, BT + j * d, d, ls, nls, var, a, wt[j - j0], acc);
    } else {
        pyjl_contract_row(kind, x, BT, n, d, j0, j1, nls, n_extra, var, a, wt, 1.0, r2, g,
                          acc);
    }
}

/* acc[q] += sum_c U[i, c] dK[i, j]/dtheta_q V[j, c] over the rows i in [i0, i1) and every
   column j of K = K(X, X) (n of them): the upper triangle weighted by U V^T + V U^T
   (pyjl_uv_rows, by tiles, four rows at a time where the tile lies right of all four
   diagonals) through the contraction of pyjl_contract_row, plus the diagonal (var, on
   log var only).  U and V are (n, k), UT and VT their transposes; A and BT as for
   pyjl_matvec_rows with B = A; buf holds 6 * PYJL_TILE numbers. */
static void pyjl_quad_rows(int kind, const double *A, const double *BT, Py_ssize_t n,
                           Py_ssize_t d, const double *ls, Py_ssize_t nls,
                           Py_ssize_t n_extra, double var, double a, const double *U,
                           const double *V, const double *UT, const double *VT,
                           Py_ssize_t k, Py_ssize_t i0, Py_ssize_t i1, double *buf,
                           double *acc) {
    Py_ssize_t i, j0, j1, js, c, r;
    double *w = buf, *r2 = buf + 4 * PYJL_TILE, *g = buf + 5 * PYJL_TILE, diag = 0.0;
    for (i = i0; i < i1; i++)
        for (c = 0; c < k; c++) diag += U[i * k + c] * V[i * k + c];
    acc[nls] += var * diag;
    for (j0 = i0 + 1; j0 < n; j0 += PYJL_TILE) {
        j1 = j0 + PYJL_TILE < n ? j0 + PYJL_TILE : n;
        for (i = i0; i < i1;) {
            if (i + 4 <= i1 && i + 4 <= j0) {
                pyjl_uv_rows(U + i * k, V + i * k, 4, UT, VT, n, k, j0, j1, w);
                for (r = 0; r < 4; r++)
                    pyjl_contract_entries(kind, A + (i + r) * d, BT, n, d, ls, nls, n_extra,
                                          var, a, j0, j1, w + r * PYJL_TILE, r2, g, acc);
                i += 4;
                continue;
            }
            js = i + 1 > j0 ? i + 1 : j0;
            if (js >= j1) break;
            pyjl_uv_rows(U + i * k, V + i * k, 1, UT, VT, n, k, js, j1, w);
            pyjl_contract_entries(kind, A + i * d, BT, n, d, ls, nls, n_extra, var, a, js, j1,
                                  w, r2, g, acc);
            i++;
        }
    }
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif

#endif  /* PYJL_GP_FREE_H */
