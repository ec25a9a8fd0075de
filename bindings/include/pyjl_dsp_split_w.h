/* The split's lane kernels of one width (pyjl_dsp_split.h includes this through
 * pyjl_widths.h once per width; no include guard: by design): the responses to unit
 * states (the basis H) and the corrections made from them.
 * Layout contract: as in pyjl_dsp_split.h.
 */

/* The recursion over one tile of lanes, in place (bv, av: b and a splatted, direct form) */
PYJL_LANE_INLINE void PYJL_WN(pyjl_rec_tile)(const pyjl_recursion *f, const PYJL_VW *bv,
                                    const PYJL_VW *av, PYJL_VW *zv, PYJL_VW *tile,
                                    Py_ssize_t m) {
    if (f->sos != NULL)
        PYJL_WN(pyjl_lsos_tile)(f->sos, f->n_sec, zv, tile, m);
    else
        PYJL_WN(pyjl_liir_run)(bv, av, f->k, zv, tile, m);
}

/* H[j * hs + t] for t < T, the ZIR of unit state j, PYJL_W unit states at a time in
   lanes; returns T, or 0 if the states have not decayed within hs samples. */
PYJL_WTARGET
static Py_ssize_t PYJL_WN(pyjl_zir_basis)(const pyjl_recursion *f, double *H, Py_ssize_t hs) {
    PYJL_VW tile[PYJL_ZIR_STEP], zv[2 * PYJL_LANE_MAX_SEC], bv[PYJL_LANE_MAX_SEC],
        av[PYJL_LANE_MAX_SEC];
    const Py_ssize_t ns = pyjl_rec_states(f);
    const double tol = PYJL_ZIR_TOL / (double)ns;   /* per unit state: ns of them sum */
    Py_ssize_t j0, j, t0, t, T = 0, Tg;
    int l, nl, done;
    if (f->sos == NULL)
        for (j = 0; j < f->k; j++) { bv[j] = PYJL_SPLAT(f->b[j]); av[j] = PYJL_SPLAT(f->a[j]); }
    for (j0 = 0; j0 < ns; j0 += PYJL_W) {
        nl = ns - j0 < PYJL_W ? (int)(ns - j0) : PYJL_W;
        for (j = 0; j < ns; j++) zv[j] = PYJL_SPLAT(0.0);
        for (l = 0; l < nl; l++) zv[j0 + l][l] = 1.0;
        Tg = 0;
        for (t0 = 0; t0 + PYJL_ZIR_STEP <= hs && !Tg; t0 += PYJL_ZIR_STEP) {
            for (t = 0; t < PYJL_ZIR_STEP; t++) tile[t] = PYJL_SPLAT(0.0);
            PYJL_WN(pyjl_rec_tile)(f, bv, av, zv, tile, PYJL_ZIR_STEP);
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
   16 registers two rows at a time run against a block of PYJL_ZIR_BLOCK vectors of H.
   Both sum each element in the same order.  Returns 0, adding nothing, if a state is
   not finite.  A correction is not the scalar arithmetic anyway (it differs from it by
   rounding), so its multiply-adds may fuse where the CPU has FMA. */
PYJL_WTARGET __attribute__((optimize("fp-contract=fast")))
static int PYJL_WN(pyjl_zir_add)(const double *H, Py_ssize_t hs, Py_ssize_t ns, Py_ssize_t T,
                                 const double *s, double *const *rows, int nl) {
    Py_ssize_t t0, j;
    int l;
    for (j = 0; j < nl * ns; j++)
        if (!(fabs(s[j]) <= DBL_MAX)) return 0;
#if PYJL_W == 8
    PYJL_VW a[PYJL_LANES], b[PYJL_LANES], h0, h1, v;
    for (t0 = 0; t0 < T; t0 += 16) {   /* T is a multiple of PYJL_ZIR_STEP */
        for (l = 0; l < PYJL_LANES; l++) a[l] = b[l] = PYJL_SPLAT(0.0);
        for (j = 0; j < ns; j++) {
            memcpy(&h0, H + j * hs + t0, sizeof h0);
            memcpy(&h1, H + j * hs + t0 + 8, sizeof h1);
            for (l = 0; l < PYJL_LANES; l++) {   /* rows past nl: row 0 again, not stored */
                const double c = s[(l < nl ? l : 0) * ns + j];
                v = PYJL_SPLAT(c);
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
#else
    PYJL_VW a[PYJL_ZIR_BLOCK], b[PYJL_ZIR_BLOCK], h, v;
    int u;
    for (t0 = 0; t0 < T; t0 += PYJL_ZIR_BLOCK * PYJL_W)   /* divides PYJL_ZIR_STEP */
        for (l = 0; l < nl; l += 2) {
            const double *sa = s + l * ns, *sb = l + 1 < nl ? sa + ns : sa;
            for (u = 0; u < PYJL_ZIR_BLOCK; u++) a[u] = b[u] = PYJL_SPLAT(0.0);
            for (j = 0; j < ns; j++) {
                const double *hp = H + j * hs + t0;
                const PYJL_VW va = PYJL_SPLAT(sa[j]), vb = PYJL_SPLAT(sb[j]);
                for (u = 0; u < PYJL_ZIR_BLOCK; u++) {
                    memcpy(&h, hp + PYJL_W * u, sizeof h);
                    a[u] = a[u] + h * va;
                    b[u] = b[u] + h * vb;
                }
            }
            for (u = 0; u < PYJL_ZIR_BLOCK; u++) {
                double *r = rows[l] + t0 + PYJL_W * u;
                memcpy(&v, r, sizeof v);
                v = v + a[u];
                memcpy(r, &v, sizeof v);
                if (l + 1 < nl) {
                    r = rows[l + 1] + t0 + PYJL_W * u;
                    memcpy(&v, r, sizeof v);
                    v = v + b[u];
                    memcpy(r, &v, sizeof v);
                }
            }
        }
#endif
    return 1;
}
