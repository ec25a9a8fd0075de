/* HMM kernels across sequences in SIMD lanes (bindings/hmm.pyx): eight sequences side
 * by side, one per lane of a vector of doubles (pyjl_simd.h), for the scaled forward
 * pass and forward-backward; Viterbi in pyjl_hmm_vit_lanes.h, the fused Gaussian E-step
 * in pyjl_hmm_estep_lanes.h, on the helpers here.
 *
 * A block is eight sequences (sorted by length by the caller); the lanes run up to the
 * shortest length m of the block and each lane's remaining steps run one sequence at a
 * time, from the state the lanes left.  Each lane performs the operations of the scalar
 * kernels of pyjl_hmm.h in the same order (contraction off), so log-likelihoods,
 * posteriors and Viterbi paths are bit-identical to them; only the transition-posterior
 * sums (xi) are added in another order (within 1e-12 relative).
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

#define PYJL_SEL(msk, a, b) \
    ((pyjl_v8d)(((pyjl_v8i)(a) & (msk)) | ((pyjl_v8i)(b) & ~(msk))))
#define PYJL_LANE(v, l) (((const double *)&(v))[l])

#include "pyjl_hmm_gauss_lanes.h"

PYJL_LANE_INLINE double *pyjl_align64(double *p) {
    return (double *)(((uintptr_t)p + 63) & ~(uintptr_t)63);
}

/* pyjl_llacc of every lane */
typedef struct { pyjl_v8d prod; pyjl_v8i e2; double extra[PYJL_LANES]; } pyjl_llv;

PYJL_LANE_INLINE void pyjl_llv_add(pyjl_llv *acc, const pyjl_v8d *cp) {
    const pyjl_v8d c = *cp;
    /* c in [2^-1000, 2^1000] (one comparison on the other's blend: GCC turns the AND
       of two vector comparisons into scalar ones) */
    const pyjl_v8d cb = PYJL_SEL((pyjl_v8i)(c <= pyjl_splat(0x1p+1000)), c, pyjl_splat(0.0));
    pyjl_v8i in = (pyjl_v8i)(cb >= pyjl_splat(0x1p-1000));
    pyjl_v8i u = (pyjl_v8i)(acc->prod * c);
    pyjl_v8i e = ((u >> 52) & 0x7ff) - 1023;
    pyjl_v8d p = (pyjl_v8d)((u & 0x000fffffffffffffLL) | 0x3ff0000000000000LL);
    acc->e2 += e & in;
    acc->prod = PYJL_SEL(in, p, acc->prod);
    const pyjl_v8i out = ~in;
    if (pyjl_any(&out))
        for (int l = 0; l < PYJL_LANES; l++)
            if (!in[l]) acc->extra[l] += log(PYJL_LANE(c, l));
}

PYJL_LANE_INLINE pyjl_llacc pyjl_llv_lane(const pyjl_llv *acc, int l) {
    pyjl_llacc a = {PYJL_LANE(acc->prod, l), acc->e2[l], acc->extra[l]};
    return a;
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

/* The same step on eight lanes (t > 0), or the first step (ap == NULL), its scale's
   inverse into *sc; the sums run in a local array (registers for K <= 16). */
PYJL_LANE_INLINE void pyjl_fwd_stepv(pyjl_v8d *__restrict a, const pyjl_v8d *__restrict ap,
                                     const pyjl_v8d *__restrict b, const double *pi,
                                     const double *__restrict A, pyjl_llv *acc, pyjl_v8i *dead,
                                     pyjl_v8d *sc, const Py_ssize_t K) {
    pyjl_v8d rl[K <= 16 ? K : 1];
    pyjl_v8d *r = K <= 16 ? rl : a;
    if (!ap) {
        for (Py_ssize_t j = 0; j < K; j++) r[j] = pyjl_splat(pi[j]) * b[j];
    } else {
        for (Py_ssize_t j = 0; j < K; j++) r[j] = ap[0] * pyjl_splat(A[j]);
        for (Py_ssize_t i = 1; i < K; i++) {
            pyjl_v8d ai = ap[i];
            for (Py_ssize_t j = 0; j < K; j++) r[j] += ai * pyjl_splat(A[i * K + j]);
        }
        for (Py_ssize_t j = 0; j < K; j++) r[j] *= b[j];
    }
    pyjl_v8d c = pyjl_splat(0.0);
    for (Py_ssize_t j = 0; j < K; j++) c += r[j];
    pyjl_v8i ok = (pyjl_v8i)(c > pyjl_splat(0.0));
    *dead |= ~ok;
    c = PYJL_SEL(ok, c, pyjl_splat(1.0));
    pyjl_v8d v = pyjl_splat(1.0) / c;
    for (Py_ssize_t j = 0; j < K; j++) a[j] = r[j] * v;
    pyjl_llv_add(acc, &c);
    *sc = v;
}

/* xv[i, j] += sum_{s = t..te} at[s - t, i] * wb[s % PYJL_NB, j] (a block of outer
   products; at holds the forward variables from step t on; a row of xv stays in
   registers for K <= 16) */
PYJL_LANE_INLINE void pyjl_xi_lanes(pyjl_v8d *__restrict xv, const pyjl_v8d *__restrict at,
                                    const pyjl_v8d *__restrict wb, const Py_ssize_t t,
                                    const Py_ssize_t te, const Py_ssize_t K) {
    for (Py_ssize_t i = 0; i < K; i++) {
        pyjl_v8d rl[K <= 16 ? K : 1];
        pyjl_v8d *row = K <= 16 ? rl : xv + i * K;
        if (K <= 16)
            for (Py_ssize_t j = 0; j < K; j++) row[j] = xv[i * K + j];
        for (Py_ssize_t s = t; s <= te; s++) {
            pyjl_v8d ai = at[(s - t) * K + i];
            const pyjl_v8d *w = wb + (s % PYJL_NB) * K;
            for (Py_ssize_t j = 0; j < K; j++) row[j] += ai * w[j];
        }
        if (K <= 16)
            for (Py_ssize_t j = 0; j < K; j++) xv[i * K + j] = row[j];
    }
}

/* Forward-backward of eight sequences: lb[l] (T[l], K) log-emissions, gm[l] (T[l], K)
   receives the posteriors; ll[l] the log-likelihoods; xacc (K, K) += sum_t alpha_t (x) w_t
   (times A later, as pyjl_fb_seq). */
PYJL_LANE_INLINE void pyjl_fbl_t(const double *const *lb, double *const *gm, const Py_ssize_t *T,
                                 const double *pi, const double *A, double *xacc, double *ll,
                                 double *work, const Py_ssize_t K) {
    Py_ssize_t m = T[0], tmax = T[0];
    for (int l = 1; l < PYJL_LANES; l++) {
        m = T[l] < m ? T[l] : m;
        tmax = T[l] > tmax ? T[l] : tmax;
    }
    pyjl_v8d *xv = (pyjl_v8d *)pyjl_align64(work), *tile = xv + K * K;
    pyjl_v8d *wv = tile + PYJL_BLOCK * K, *bw = wv + K, *wb = bw + K;
    pyjl_v8d *av = wb + PYJL_NB * K, *scv = av + m * K;
    double *at = (double *)(scv + m), *st = at + (tmax - m + 1) * K;
    double *w = st + (tmax - m + 1), *beta = w + K;
    for (Py_ssize_t q = 0; q < K * K; q++) xv[q] = pyjl_splat(0.0);
    pyjl_llv acc = {pyjl_splat(1.0), {0}, {0}};
    pyjl_v8i dead = {0};
    double msum[PYJL_LANES] = {0};
    for (Py_ssize_t t0 = 0; t0 < m; t0 += PYJL_BLOCK) {
        Py_ssize_t n = m - t0 < PYJL_BLOCK ? m - t0 : PYJL_BLOCK;
        for (int l = 0; l < PYJL_LANES; l++)
            msum[l] += pyjl_factors(lb[l] + t0 * K, gm[l] + t0 * K,
                                    T[l] - t0 < PYJL_BLOCK ? T[l] - t0 : PYJL_BLOCK, K);
        pyjl_gather(tile, (const double *const *)gm, PYJL_LANES, t0 * K, n * K);
        for (Py_ssize_t u = 0; u < n; u++) {
            Py_ssize_t t = t0 + u;
            pyjl_fwd_stepv(av + t * K, t ? av + (t - 1) * K : NULL, tile + u * K, pi, A, &acc,
                           &dead, scv + t, K);
        }
    }
    /* each lane's own steps beyond m, then its backward pass down to step m - 1 */
    for (int l = 0; l < PYJL_LANES; l++) {
        const Py_ssize_t Tl = T[l];
        pyjl_llacc la = pyjl_llv_lane(&acc, l);
        int dl = dead[l] != 0;
        double ms = msum[l], *g = gm[l], *xl = (double *)xv + l;
        for (Py_ssize_t j = 0; j < K; j++) at[j] = PYJL_LANE(av[(m - 1) * K + j], l);
        for (Py_ssize_t t = m; t < Tl; t++) {
            if (t % PYJL_BLOCK == 0)
                ms += pyjl_factors(lb[l] + t * K, g + t * K,
                                   Tl - t < PYJL_BLOCK ? Tl - t : PYJL_BLOCK, K);
            double *a = at + (t - m + 1) * K;
            st[t - m + 1] = pyjl_fwd_step1(a, a - K, g + t * K, A, &la, &dl, K);
        }
        ll[l] = dl ? -INFINITY : pyjl_ll_value(&la) + ms;
        double slast = Tl > m ? st[Tl - m] : PYJL_LANE(scv[m - 1], l);
        double *gT = g + (Tl - 1) * K;
        const double *aT = at + (Tl - m) * K;
        for (Py_ssize_t j = 0; j < K; j++) w[j] = Tl > 1 ? gT[j] * slast : 0.0;
        for (Py_ssize_t j = 0; j < K; j++) gT[j] = aT[j];
        for (Py_ssize_t t = Tl - 2; t >= m - 1; t--) {
            double *gt = g + t * K;
            const double *a = at + (t - m + 1) * K;
            for (Py_ssize_t i = 0; i < K; i++) {
                double sacc = A[i * K] * w[0];
                for (Py_ssize_t j = 1; j < K; j++) sacc += A[i * K + j] * w[j];
                beta[i] = sacc;
            }
            for (Py_ssize_t i = 0; i < K; i++)
                for (Py_ssize_t j = 0; j < K; j++) xl[(i * K + j) * PYJL_LANES] += a[i] * w[j];
            if (t > 0) {
                double v = t >= m ? st[t - m + 1] : PYJL_LANE(scv[t], l);
                for (Py_ssize_t j = 0; j < K; j++) w[j] = gt[j] * beta[j] * v;
            }
            double c = 0.0;
            for (Py_ssize_t i = 0; i < K; i++) { gt[i] = a[i] * beta[i]; c += gt[i]; }
            if (c > 0.0) {
                double v = 1.0 / c;
                for (Py_ssize_t i = 0; i < K; i++) gt[i] *= v;
            }
        }
        for (Py_ssize_t j = 0; j < K; j++) ((double *)(wv + j))[l] = w[j];
    }
    /* the common steps backward, in lanes */
    for (Py_ssize_t t1 = m - 2; t1 >= 0; t1 -= PYJL_BLOCK) {
        Py_ssize_t t0 = t1 - PYJL_BLOCK + 1 > 0 ? t1 - PYJL_BLOCK + 1 : 0, n = t1 - t0 + 1;
        pyjl_gather(tile, (const double *const *)gm, PYJL_LANES, t0 * K, n * K);
        for (Py_ssize_t t = t1; t >= t0; t--) {
            pyjl_v8d *gt = tile + (t - t0) * K, *w = wb + (t % PYJL_NB) * K;
            const pyjl_v8d *a = av + t * K;
            pyjl_v8d bl[K <= 16 ? K : 1];
            pyjl_v8d *bv = K <= 16 ? bl : bw;
            for (Py_ssize_t j = 0; j < K; j++) w[j] = wv[j];
            for (Py_ssize_t i = 0; i < K; i++) {
                pyjl_v8d sacc = pyjl_splat(A[i * K]) * w[0];
                for (Py_ssize_t j = 1; j < K; j++) sacc += pyjl_splat(A[i * K + j]) * w[j];
                bv[i] = sacc;
            }
            if (t % PYJL_NB == 0)
                pyjl_xi_lanes(xv, av + t * K, wb, t,
                              t + PYJL_NB - 1 < m - 2 ? t + PYJL_NB - 1 : m - 2, K);
            if (t > 0) {
                pyjl_v8d v = scv[t];
                for (Py_ssize_t j = 0; j < K; j++) wv[j] = gt[j] * bv[j] * v;
            }
            pyjl_v8d c = pyjl_splat(0.0);
            for (Py_ssize_t i = 0; i < K; i++) { gt[i] = a[i] * bv[i]; c += gt[i]; }
            pyjl_v8i pos = (pyjl_v8i)(c > pyjl_splat(0.0));
            pyjl_v8d v = pyjl_splat(1.0) / c;
            for (Py_ssize_t i = 0; i < K; i++) gt[i] = PYJL_SEL(pos, gt[i] * v, gt[i]);
        }
        pyjl_scatter(tile, gm, PYJL_LANES, t0 * K, n * K);
    }
    for (Py_ssize_t q = 0; q < K * K; q++) {
        double s = 0.0;
        for (int l = 0; l < PYJL_LANES; l++) s += PYJL_LANE(xv[q], l);
        xacc[q] += s;
    }
}

/* Scaled forward pass of eight sequences: ll[l] only.  rows[l] is the lane's log_B rows
   (gp NULL) or, for diagonal-Gaussian emissions of parameters gp, its observations. */
PYJL_LANE_INLINE void pyjl_fwdl_t(const double *const *rows, const pyjl_gauss_par *gp,
                                  const Py_ssize_t *T, const double *pi, const double *A,
                                  double *ll, double *work, const Py_ssize_t K) {
    Py_ssize_t m = T[0];
    for (int l = 1; l < PYJL_LANES; l++) m = T[l] < m ? T[l] : m;
    pyjl_v8d *tile = (pyjl_v8d *)pyjl_align64(work), *av = tile + PYJL_BLOCK * K;
    pyjl_v8d vs;   /* the scales, unused */
    pyjl_v8d *xt = av + 2 * K;   /* observations of a block (gp) */
    double *fb = (double *)(xt + (gp ? PYJL_BLOCK * gp->d : 0));
    double *a1 = fb + PYJL_LANES * PYJL_BLOCK * K, *a0 = a1 + K, *ltmp = a0 + K;
    double *fbr[PYJL_LANES];
    pyjl_llv acc = {pyjl_splat(1.0), {0}, {0}};
    pyjl_v8i dead = {0};
    double msum[PYJL_LANES] = {0};
    for (int l = 0; l < PYJL_LANES; l++) fbr[l] = fb + l * PYJL_BLOCK * K;
    for (Py_ssize_t t0 = 0; t0 < m; t0 += PYJL_BLOCK) {
        Py_ssize_t n = m - t0 < PYJL_BLOCK ? m - t0 : PYJL_BLOCK;
        if (gp) {
            pyjl_gfactors_block(tile, xt, rows, T, gp, t0, n, fbr, ltmp, msum, K);
        } else {
            for (int l = 0; l < PYJL_LANES; l++)
                msum[l] += pyjl_factors(rows[l] + t0 * K, fbr[l],
                                        T[l] - t0 < PYJL_BLOCK ? T[l] - t0 : PYJL_BLOCK, K);
            pyjl_gather(tile, (const double *const *)fbr, PYJL_LANES, 0, n * K);
        }
        for (Py_ssize_t u = 0; u < n; u++) {
            Py_ssize_t t = t0 + u;
            pyjl_v8d *a = av + (t & 1) * K;
            pyjl_fwd_stepv(a, t ? av + ((t - 1) & 1) * K : NULL, tile + u * K, pi, A, &acc,
                           &dead, &vs, K);
        }
    }
    for (int l = 0; l < PYJL_LANES; l++) {
        pyjl_llacc la = pyjl_llv_lane(&acc, l);
        int dl = dead[l] != 0;
        double ms = msum[l], *b = fbr[l];
        for (Py_ssize_t j = 0; j < K; j++) a0[j] = PYJL_LANE(av[((m - 1) & 1) * K + j], l);
        for (Py_ssize_t t = m; t < T[l] && !dl; t++) {
            if (t % PYJL_BLOCK == 0) {
                Py_ssize_t nb = T[l] - t < PYJL_BLOCK ? T[l] - t : PYJL_BLOCK;
                ms += gp ? pyjl_gfactors(rows[l], gp, t, nb, ltmp, b, K)
                         : pyjl_factors(rows[l] + t * K, b, nb, K);
            }
            pyjl_fwd_step1(a1, a0, b + (t % PYJL_BLOCK) * K, A, &la, &dl, K);
            for (Py_ssize_t j = 0; j < K; j++) a0[j] = a1[j];
        }
        ll[l] = dl ? -INFINITY : pyjl_ll_value(&la) + ms;
    }
}

/* Specialised copies (AVX-512 / AVX2 / baseline clones) for common state counts. */
#define PYJL_LANE_KS(X) X(2) X(3) X(4) X(5) X(6) X(8) X(16) X(0)
#define PYJL_FBL_DEF(KK) \
    PYJL_LANE_CLONES __attribute__((noinline)) static void pyjl_fbl_##KK( \
        const double *const *lb, double *const *gm, const Py_ssize_t *T, const double *pi, \
        const double *A, double *xacc, double *ll, double *work, Py_ssize_t K) { \
        pyjl_fbl_t(lb, gm, T, pi, A, xacc, ll, work, (KK) ? (KK) : K); }
#define PYJL_FWDL_DEF(KK) \
    PYJL_LANE_CLONES __attribute__((noinline)) static void pyjl_fwdl_##KK( \
        const double *const *rows, const pyjl_gauss_par *gp, const Py_ssize_t *T, \
        const double *pi, const double *A, double *ll, double *work, Py_ssize_t K) { \
        pyjl_fwdl_t(rows, gp, T, pi, A, ll, work, (KK) ? (KK) : K); }
PYJL_LANE_KS(PYJL_FBL_DEF)
PYJL_LANE_KS(PYJL_FWDL_DEF)

#define PYJL_LANE_SWITCH(F, ...) \
    switch (K) { \
    case 2: F##_2(__VA_ARGS__); break; case 3: F##_3(__VA_ARGS__); break; \
    case 4: F##_4(__VA_ARGS__); break; case 5: F##_5(__VA_ARGS__); break; \
    case 6: F##_6(__VA_ARGS__); break; case 8: F##_8(__VA_ARGS__); break; \
    case 16: F##_16(__VA_ARGS__); break; default: F##_0(__VA_ARGS__); }

#define PYJL_KEEP (1 << 14)   /* emission factors the E-step may keep, all threads (128 kB) */

/* steps of an E-step block (shortest length m) whose emission factors are kept in keep
   numbers: all m, or the whole blocks of PYJL_BLOCK steps that fit */
PYJL_LANE_INLINE Py_ssize_t pyjl_kept_steps(Py_ssize_t m, Py_ssize_t keep, Py_ssize_t K) {
    const Py_ssize_t cap = keep / (PYJL_LANES * K) / PYJL_BLOCK * PYJL_BLOCK;
    return m < cap ? m : cap;
}

/* Whether the lanes beat one sequence at a time on this CPU, for every kernel here and in
   the headers named above.  Below AVX-512 a vector of eight doubles fits no register: GCC
   keeps each in memory between operations and splits its comparisons into scalar ones,
   and the AVX2 clone of every lane kernel is then slower than one sequence at a time at
   any K, while the AVX-512 clone is not slower. */
static int pyjl_lanes_pay(void) {
#if defined(__GNUC__) && defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
#else
    return 1;
#endif
}

/* doubles of work per thread for blocks whose shortest length is at most m and whose
   longest exceeds their shortest by at most tail; kind: 0 forward-backward, 1 forward,
   2 Viterbi, 3 the E-step (pyjl_hmm_estep_lanes.h); d features of Gaussian emissions
   computed in the kernel (0: log_B given); keep the numbers of emission factors an
   E-step block may keep (pyjl_kept_steps) */
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
                          const double *A, double *xacc, double *work, Py_ssize_t K) {
    const double *lb[PYJL_LANES];
    double *gm[PYJL_LANES], ll[PYJL_LANES];
    Py_ssize_t T[PYJL_LANES];
    for (int l = 0; l < PYJL_LANES; l++) {
        lb[l] = logB + off[idx[l]] * K;
        gm[l] = gam + off[idx[l]] * K;
        T[l] = off[idx[l] + 1] - off[idx[l]];
    }
    PYJL_LANE_SWITCH(pyjl_fbl, lb, gm, T, pi, A, xacc, ll, work, K)
    for (int l = 0; l < PYJL_LANES; l++) loglik[idx[l]] = ll[l];
}

/* rows: log_B (gp NULL) or the observations X (n, gp->d) of diagonal-Gaussian emissions */
static void pyjl_fwd_lanes(const double *rows, const pyjl_gauss_par *gp, const int64_t *off,
                           const int64_t *idx, double *loglik, const double *pi,
                           const double *A, double *work, Py_ssize_t K) {
    const double *rw[PYJL_LANES];
    double ll[PYJL_LANES];
    Py_ssize_t T[PYJL_LANES];
    const Py_ssize_t w = gp ? gp->d : K;
    for (int l = 0; l < PYJL_LANES; l++) {
        rw[l] = rows + off[idx[l]] * w;
        T[l] = off[idx[l] + 1] - off[idx[l]];
    }
    PYJL_LANE_SWITCH(pyjl_fwdl, rw, gp, T, pi, A, ll, work, K)
    for (int l = 0; l < PYJL_LANES; l++) loglik[idx[l]] = ll[l];
}

#endif  /* PYJL_HMM_LANES_H */
