/* One long sequence on two threads (bindings/hmm_split.pxi): the forward pass on one
 * thread while the backward pass, normalised by itself, runs on the other, each computing
 * the emission factors block by block as it reaches them (the first pass to reach a
 * block computes it into the shared array; the other finds it there, or computes its own
 * copy while the first is still at it, so neither waits); then the posteriors and
 * transition sums by chunks.  Both phases are jobs on the thread team of
 * pyjl_team.h, whose caller takes the tasks a late worker has not.
 *
 * The backward vectors may be rescaled by any positive number per step: the posteriors
 * gamma_t = alpha_t .* beta_t / (alpha_t . beta_t) and the transition posteriors
 * xi_t = alpha_t (x) (A .* (b_{t+1} .* beta_{t+1})) / n_t with n_t = alpha_t' A (b_{t+1} .*
 * beta_{t+1}) are normalised per step, and so are the forward vectors.  Both passes are
 * rescaled by powers of two (exact, no division on the recursion's path; the backward
 * pass keeps its scale s_t, so that n_t = s_t (alpha_t . beta_t)), the log-likelihood
 * comes from the forward scales alone, and the backward pass does not wait for them.
 * The results equal the one-thread kernel's (pyjl_hmm_fb.h) to rounding (1e-12
 * relative), not bit for bit.  An impossible sequence (a forward sum that is zero or
 * NaN) gets a log-likelihood of -inf and zero (or NaN) posteriors, as there.
 *
 * Layout contract: pyjl_hmm.h's; the scratch (PYJL_HSPLIT_WORK numbers) holds the factors
 * b, the forward and backward vectors alpha, beta (T, K), the backward scales ss (T),
 * the blocks' sums of row maxima bmax and states (T / PYJL_BLOCK + 1 each) and, per
 * task, blocks of log-densities and factors or of outer-product rows, and a row of
 * sums; gam (T, K) the posteriors (may be alpha itself).
 */
#include "pyjl_hmm.h"  /* first: it includes this header after its own kernels */
#include "pyjl_team.h"

#ifndef PYJL_HMM_SPLIT_H
#define PYJL_HMM_SPLIT_H

/* One split sequence: its inputs, scratch and per-chunk sums.  rows: log_B (T, K), M NULL,
   or observations (T, d) of diagonal-Gaussian emissions (M, IV, cst as pyjl_gauss); X
   and shift: the moments' observations and centre (X NULL: no moments).  gam (T, K):
   the posteriors (may be alpha).  work: PYJL_HSPLIT_WORK(T, K, d) numbers. */
#define PYJL_HSPLIT_CHUNKS 8    /* tasks of the combination */
#define PYJL_HSPLIT_TW(K) ((2 * PYJL_BLOCK + PYJL_NB + 1) * (K) + PYJL_NB + 8)
#define PYJL_HSPLIT_ACC(K, d) ((K) * (K) + (2 * (d) + 1) * (K) + 8)
#define PYJL_HSPLIT_WORK(T, K, d) (3 * (T) * (K) + (T) + 2 * ((T) / PYJL_BLOCK + 1) \
    + PYJL_HSPLIT_CHUNKS * (PYJL_HSPLIT_TW(K) + PYJL_HSPLIT_ACC(K, d)))

typedef struct {
    const double *rows, *M, *IV, *cst, *X, *shift, *pi, *A;
    Py_ssize_t d, T, K;
    double *gam, *b, *alpha, *beta, *ss, *bmax, *tw, *acc;
    int64_t *state;     /* per block of factors: 0 free, 1 being computed, 2 in b */
    double ll;
    int masked;         /* the backward pass again, after the forward (pyjl_hsplit_run) */
    int lost;           /* some step's alpha_t . beta_t was not positive (the combination) */
} pyjl_hsplit_job;

/* Emission factors of block q (PYJL_BLOCK rows, the one-thread kernel's blocks) into
   out, from log_B rows (M NULL) or from diagonal-Gaussian log-densities of the
   observations computed into lbuf; returns the block's sum of row maxima. */
PYJL_INLINE double pyjl_hsplit_factors_t(const pyjl_hsplit_job *j, const Py_ssize_t q,
                                        double *__restrict out, double *__restrict lbuf,
                                        const Py_ssize_t K) {
    Py_ssize_t lo = q * PYJL_BLOCK, n = j->T - lo < PYJL_BLOCK ? j->T - lo : PYJL_BLOCK;
    const double *lb = j->rows + lo * K;
    if (j->M != NULL) {
        pyjl_gauss(j->rows + lo * j->d, j->M, j->IV, j->cst, lbuf, n, j->d, K);
        lb = lbuf;
    }
    return pyjl_factors(lb, out, n, K);
}

PYJL_CLONES __attribute__((noinline))
static double pyjl_hsplit_factors(const pyjl_hsplit_job *j, Py_ssize_t q, double *out,
                                  double *lbuf) {
    const Py_ssize_t K = j->K;
    #define PYJL_SPF(KK) return pyjl_hsplit_factors_t(j, q, out, lbuf, KK);
    PYJL_KCASES(PYJL_SPF)
    #undef PYJL_SPF
}

/* The factors of block q for a pass: computed into b by the first thread that asks (the
   other pass then finds them there), or into priv while the other thread is computing
   them (no thread waits for another); *m receives the block's sum of row maxima. */
__attribute__((noinline))
static const double *pyjl_hsplit_block(pyjl_hsplit_job *j, Py_ssize_t q, double *priv,
                                       double *lbuf, double *m) {
    int64_t *st = j->state + q, free_ = 0;
    double *bq = j->b + q * PYJL_BLOCK * j->K;
    if (__atomic_load_n(st, __ATOMIC_ACQUIRE) != 2
            && __atomic_compare_exchange_n(st, &free_, 1, 0, __ATOMIC_ACQ_REL,
                                           __ATOMIC_ACQUIRE)) {
        j->bmax[q] = pyjl_hsplit_factors(j, q, bq, lbuf);
        __atomic_store_n(st, 2, __ATOMIC_RELEASE);
    } else if (__atomic_load_n(st, __ATOMIC_ACQUIRE) != 2) {
        *m = pyjl_hsplit_factors(j, q, priv, lbuf);
        return priv;
    }
    *m = j->bmax[q];
    return bq;
}

/* Power-of-two rescaling, exact and without a division on the recursion's path: returns
   2^-E with s 2^-E in [1, 2) and stores E (s in [2^-1000, 2^1000]). */
PYJL_INLINE double pyjl_pow2_inv(const double s, int64_t *e) {
    int64_t E = (int64_t)((pyjl_asu(s) >> 52) & 0x7ff) - 1023;
    *e = E;
    return pyjl_asd((uint64_t)(1023 - E) << 52);
}

/* Sum of K numbers by four interleaved partial sums (a shorter dependency chain). */
PYJL_INLINE double pyjl_sum4(const double *__restrict x, const Py_ssize_t K) {
    double p0 = 0.0, p1 = 0.0, p2 = 0.0, p3 = 0.0;
    Py_ssize_t j = 0;
    for (; j + 4 <= K; j += 4) {
        p0 += x[j];
        p1 += x[j + 1];
        p2 += x[j + 2];
        p3 += x[j + 3];
    }
    for (; j < K; j++) p0 += x[j];
    return (p0 + p1) + (p2 + p3);
}

/* The forward state between blocks of steps. */
typedef struct { int64_t e2; double extra, mant, msum; int dead; } pyjl_hsplit_fs;

/* Forward steps [t0, t0 + n) over the block's factors bb, rescaled at every step by a
   power of two (alpha_t then sums to [1, 2)); a step whose sum is zero or NaN marks the
   sequence impossible and leaves alpha_t unscaled, as in the one-thread kernel. */
PYJL_INLINE void pyjl_hsplit_fwd_rows(double *__restrict alpha, const double *__restrict bb,
                                      const double *__restrict pi,
                                      const double *__restrict A, pyjl_hsplit_fs *fs,
                                      const Py_ssize_t t0, const Py_ssize_t n,
                                      const Py_ssize_t K) {
    int64_t e2 = fs->e2, e;
    double extra = fs->extra, mant = fs->mant;
    int dead = fs->dead;
    for (Py_ssize_t t = t0; t < t0 + n; t++) {
        double *__restrict a = alpha + t * K;
        const double *__restrict bt = bb + (t - t0) * K;
        double c, v;
        if (K < 8 || t == 0) {
            c = pyjl_fwd_step(a, t ? alpha + (t - 1) * K : NULL, pi, A, bt, K);
        } else {    /* (ap A)_j by two interleaved partial sums: shorter chains */
            const double *__restrict ap = alpha + (t - 1) * K;
            double q[K];
            for (Py_ssize_t j = 0; j < K; j++) { a[j] = ap[0] * A[j]; q[j] = 0.0; }
            Py_ssize_t i = 1;
            for (; i + 2 <= K; i += 2) {
                double a0 = ap[i], a1 = ap[i + 1];
                for (Py_ssize_t j = 0; j < K; j++) {
                    q[j] += a0 * A[i * K + j];
                    a[j] += a1 * A[(i + 1) * K + j];
                }
            }
            for (; i < K; i++)
                for (Py_ssize_t j = 0; j < K; j++) q[j] += ap[i] * A[i * K + j];
            for (Py_ssize_t j = 0; j < K; j++) a[j] = (a[j] + q[j]) * bt[j];
            c = pyjl_sum4(a, K);
        }
        if (c >= 0x1p-1000 && c <= 0x1p+1000) {
            v = pyjl_pow2_inv(c, &e);
            e2 += e;
            mant = c * v;
        } else if (c > 0.0) {                       /* subnormal: divide */
            extra += log(c);
            for (Py_ssize_t j = 0; j < K; j++) a[j] /= c;
            mant = 1.0;
            continue;
        } else {                                    /* impossible under the model */
            dead = 1;
            v = 1.0;
        }
        for (Py_ssize_t j = 0; j < K; j++) a[j] *= v;
    }
    fs->e2 = e2;
    fs->extra = extra;
    fs->mant = mant;
    fs->dead = dead;
}

/* The forward pass, block by block (factors from pyjl_hsplit_block): alpha (T, K);
   returns the log-likelihood (-inf for an impossible sequence). */
PYJL_INLINE double pyjl_hsplit_fwd_t(pyjl_hsplit_job *j, double *priv, double *lbuf,
                                     const Py_ssize_t K) {
    pyjl_hsplit_fs fs = {0, 0.0, 1.0, 0.0, 0};
    for (Py_ssize_t t0 = 0; t0 < j->T; t0 += PYJL_BLOCK) {
        double m;
        const double *bb = pyjl_hsplit_block(j, t0 / PYJL_BLOCK, priv, lbuf, &m);
        fs.msum += m;
        pyjl_hsplit_fwd_rows(j->alpha, bb, j->pi, j->A, &fs, t0,
                             j->T - t0 < PYJL_BLOCK ? j->T - t0 : PYJL_BLOCK, K);
    }
    if (fs.dead) return -INFINITY;
    return (((double) fs.e2 * 0.6931471805599453 + log(fs.mant)) + fs.extra) + fs.msum;
}

/* Backward steps t = hi - 1 down to lo, with the factors of rows t + 1 in bb (row r0
   first), normalised by themselves: u_t = A (b_{t+1} .* beta_{t+1}), beta_t = u_t / s_t
   with s_t the power of two at or below sum(u_t) (the sum itself where it is subnormal;
   1 where it is zero or NaN), kept in ss[t].  With alpha (the forward variables, or
   NULL), u_t is 0 where alpha_t is 0, as pyjl_bwd_beta's. */
PYJL_INLINE void pyjl_hsplit_bwd_rows(double *__restrict beta, double *__restrict ss,
                                      const double *__restrict bb,
                                      const double *__restrict A, double *__restrict w,
                                      const double *__restrict alpha,
                                      const Py_ssize_t r0, const Py_ssize_t lo,
                                      const Py_ssize_t hi, const Py_ssize_t K) {
    for (Py_ssize_t t = hi - 1; t >= lo; t--) {
        const double *__restrict bn = bb + (t + 1 - r0) * K;
        const double *__restrict en = beta + (t + 1) * K;
        double *__restrict be = beta + t * K;
        for (Py_ssize_t j = 0; j < K; j++) w[j] = bn[j] * en[j];
        for (Py_ssize_t i = 0; i < K; i++) {
            const double *__restrict r = A + i * K;
            double p0 = r[0] * w[0], p1 = 0.0;
            Py_ssize_t j = 1;
            for (; j + 2 <= K; j += 2) {   /* two interleaved partial sums */
                p1 += r[j] * w[j];
                p0 += r[j + 1] * w[j + 1];
            }
            for (; j < K; j++) p1 += r[j] * w[j];
            be[i] = p0 + p1;
        }
        if (alpha)
            for (Py_ssize_t i = 0; i < K; i++)
                if (alpha[t * K + i] == 0.0) be[i] = 0.0;
        double s = pyjl_sum4(be, K);
        if (s >= 0x1p-1000 && s <= 0x1p+1000) {
            int64_t e;
            double v = pyjl_pow2_inv(s, &e);
            for (Py_ssize_t i = 0; i < K; i++) be[i] *= v;
            s = pyjl_asd((uint64_t)(e + 1023) << 52);
        } else if (s > 0.0) {
            for (Py_ssize_t i = 0; i < K; i++) be[i] /= s;
        } else {
            s = 1.0;
        }
        ss[t] = s;
    }
}

/* The backward pass, block by block from the end (factors from pyjl_hsplit_block). */
PYJL_INLINE void pyjl_hsplit_bwd_t(pyjl_hsplit_job *j, double *priv, double *lbuf,
                                   double *__restrict w, const Py_ssize_t K) {
    const Py_ssize_t T = j->T;
    const double *am = j->masked ? j->alpha : NULL;
    for (Py_ssize_t q = 0; q < K; q++) j->beta[(T - 1) * K + q] = 1.0;
    j->ss[T - 1] = 1.0;
    for (Py_ssize_t q = (T - 1) / PYJL_BLOCK; q >= 0; q--) {
        double m;
        Py_ssize_t r0 = q * PYJL_BLOCK, hi = r0 + PYJL_BLOCK - 1;
        if (hi > T - 1) hi = T - 1;
        if (r0 == 0) break;     /* rows t + 1 of the first block: done below */
        const double *bb = pyjl_hsplit_block(j, q, priv, lbuf, &m);
        pyjl_hsplit_bwd_rows(j->beta, j->ss, bb, j->A, w, am, r0, r0 - 1, hi, K);
    }
    if (T > 1) {
        double m;
        const double *bb = pyjl_hsplit_block(j, 0, priv, lbuf, &m);
        Py_ssize_t hi = T - 1 < PYJL_BLOCK - 1 ? T - 1 : PYJL_BLOCK - 1;
        pyjl_hsplit_bwd_rows(j->beta, j->ss, bb, j->A, w, am, 0, 0, hi, K);
    }
}

/* Steps [lo, hi) of the combination: gam_t = alpha_t .* beta_t / (alpha_t . beta_t) and
   xl (K, K) += alpha_t (x) (b_{t+1} .* beta_{t+1} / n_t)
   (times A later), in blocks of PYJL_NB outer products.  gam may be alpha: a row is
   overwritten after its last read.  Returns 1 where some alpha_t . beta_t is not
   positive (zero or NaN), else 0. */
PYJL_INLINE int pyjl_hsplit_comb_t(const double *__restrict b, const double *alpha,
                                   const double *__restrict beta, const double *__restrict ss,
                                   double *gam, double *__restrict xl,
                                   double *__restrict wbuf, double *__restrict dots,
                                   const Py_ssize_t lo, const Py_ssize_t hi,
                                   const Py_ssize_t T, const Py_ssize_t K) {
    int lost = 0;
    for (Py_ssize_t t0 = lo; t0 < hi; t0 += PYJL_NB) {
        Py_ssize_t t1 = t0 + PYJL_NB < hi ? t0 + PYJL_NB : hi;
        Py_ssize_t nx = (t1 < T - 1 ? t1 : T - 1) - t0;   /* steps with a successor */
        for (Py_ssize_t t = t0; t < t1; t++) {
            const double *a = alpha + t * K;
            const double *__restrict be = beta + t * K;
            double c = 0.0;
            for (Py_ssize_t i = 0; i < K; i++) c += a[i] * be[i];
            dots[t - t0] = c;
            lost |= !(c > 0.0);
            if (t == T - 1) break;
            const double *__restrict bn = b + (t + 1) * K;
            const double *__restrict en = beta + (t + 1) * K;
            double *__restrict w = wbuf + (t - t0) * K;
            double n = ss[t] * c;
            if (n >= 0x1p-1000 || n != n) {
                double v = 1.0 / n;
                for (Py_ssize_t j = 0; j < K; j++) w[j] = bn[j] * en[j] * v;
            } else if (n > 0.0) {
                for (Py_ssize_t j = 0; j < K; j++) w[j] = bn[j] * en[j] / n;
            } else {    /* every term of n is zero: nothing to add */
                for (Py_ssize_t j = 0; j < K; j++) w[j] = 0.0;
            }
        }
        if (nx > 0) pyjl_xi_block(xl, alpha + t0 * K, wbuf, nx, K);
        for (Py_ssize_t t = t0; t < t1; t++) {
            const double *a = alpha + t * K;
            const double *__restrict be = beta + t * K;
            double *g = gam + t * K;
            double c = dots[t - t0];
            double v = c > 0.0 ? 1.0 / c : 1.0;
            for (Py_ssize_t i = 0; i < K; i++) g[i] = a[i] * be[i] * v;
        }
    }
    return lost;
}

/* The kernels, specialised on K as the one-thread kernels are, and compiled for AVX2 /
   AVX-512 too (the same IEEE operations in every clone, so the same bits). */
PYJL_CLONES __attribute__((noinline))
static double pyjl_hsplit_fwd(pyjl_hsplit_job *j, double *priv, double *lbuf) {
    const Py_ssize_t K = j->K;
    #define PYJL_SPFW(KK) return pyjl_hsplit_fwd_t(j, priv, lbuf, KK);
    PYJL_KCASES(PYJL_SPFW)
    #undef PYJL_SPFW
}

PYJL_CLONES __attribute__((noinline))
static void pyjl_hsplit_bwd(pyjl_hsplit_job *j, double *priv, double *lbuf, double *w) {
    const Py_ssize_t K = j->K;
    #define PYJL_SPBW(KK) { pyjl_hsplit_bwd_t(j, priv, lbuf, w, KK); return; }
    PYJL_KCASES(PYJL_SPBW)
    #undef PYJL_SPBW
}

/* xacc (K, K) += this range's transition sums (a local block for small K, as
   pyjl_fb_seq) */
PYJL_CLONES __attribute__((noinline))
static int pyjl_hsplit_comb(const double *b, const double *alpha, const double *beta,
                            const double *ss, double *gam, double *xacc, double *wbuf,
                            double *dots, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t T,
                            Py_ssize_t K) {
    #define PYJL_SPC(KK) { \
        if ((KK) <= 16) { \
            double xl[(KK) <= 16 ? (KK) * (KK) : 1]; \
            for (Py_ssize_t q = 0; q < (KK) * (KK); q++) xl[q] = 0.0; \
            int r = pyjl_hsplit_comb_t(b, alpha, beta, ss, gam, xl, wbuf, dots, lo, hi, T, KK); \
            for (Py_ssize_t q = 0; q < (KK) * (KK); q++) xacc[q] += xl[q]; \
            return r; } \
        return pyjl_hsplit_comb_t(b, alpha, beta, ss, gam, xacc, wbuf, dots, lo, hi, T, KK); }
    PYJL_KCASES(PYJL_SPC)
    #undef PYJL_SPC
}

static void pyjl_hsplit_task_passes(void *ctx, Py_ssize_t k) {
    pyjl_hsplit_job *j = (pyjl_hsplit_job *)ctx;
    double *tw = j->tw + k * PYJL_HSPLIT_TW(j->K), *priv = tw + PYJL_BLOCK * j->K;
    if (k == 0)
        j->ll = pyjl_hsplit_fwd(j, priv, tw);
    else
        pyjl_hsplit_bwd(j, priv, tw, priv + PYJL_BLOCK * j->K);
}

static void pyjl_hsplit_task_comb(void *ctx, Py_ssize_t k) {
    pyjl_hsplit_job *j = (pyjl_hsplit_job *)ctx;
    Py_ssize_t K = j->K, lo = k * j->T / PYJL_HSPLIT_CHUNKS;
    Py_ssize_t hi = (k + 1) * j->T / PYJL_HSPLIT_CHUNKS;
    double *acc = j->acc + k * PYJL_HSPLIT_ACC(K, j->d), *tw = j->tw + k * PYJL_HSPLIT_TW(K);
    for (Py_ssize_t q = 0; q < PYJL_HSPLIT_ACC(K, j->d); q++) acc[q] = 0.0;
    if (hi <= lo) return;
    if (pyjl_hsplit_comb(j->b, j->alpha, j->beta, j->ss, j->gam, acc, tw, tw + PYJL_NB * K, lo,
                         hi, j->T, K))
        __atomic_store_n(&j->lost, 1, __ATOMIC_RELAXED);
    if (j->X != NULL)
        pyjl_moments(j->X + lo * j->d, j->gam + lo * K, j->shift, acc + K * K, hi - lo, j->d, K);
}

/* The tasks of one phase on the thread team (pyjl_team.h: the caller takes those a
   late worker has not), or OpenMP where there is no team. */
static void pyjl_hsplit_phase(pyjl_task_fn fn, void *ctx, Py_ssize_t n, int nt) {
#if PYJL_TEAM
    pyjl_team_run(fn, ctx, n, nt);
#else
    #pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
    for (Py_ssize_t k = 0; k < n; k++) fn(ctx, k);
#endif
}

/* Forward-backward of one sequence on nt threads: the forward and backward passes side
   by side, then the combination by chunks.  Adds the transition sums
   (before the product with A) to xacc (K, K) and, with X, the start posteriors and the
   weighted moments to macc = [start (K), N (K), S1 (d, K), S2 (d, K)]; each chunk's sums
   in a row of their own, added in chunk order (the same result whichever thread ran
   which).  Returns the log-likelihood. */
static double pyjl_hsplit_run(pyjl_hsplit_job *j, double *work, double *xacc, double *macc,
                              int nt) {
    Py_ssize_t T = j->T, K = j->K, d = j->d, W = PYJL_HSPLIT_ACC(K, d);
    j->b = work;
    j->alpha = j->b + T * K;
    j->beta = j->alpha + T * K;
    j->ss = j->beta + T * K;
    j->bmax = j->ss + T;
    j->state = (int64_t *)(j->bmax + T / PYJL_BLOCK + 1);
    j->tw = j->bmax + 2 * (T / PYJL_BLOCK + 1);
    for (Py_ssize_t q = 0; q <= T / PYJL_BLOCK; q++) j->state[q] = 0;
    j->acc = j->tw + PYJL_HSPLIT_CHUNKS * PYJL_HSPLIT_TW(K);
    if (j->gam == NULL) j->gam = j->alpha;
    j->masked = j->lost = 0;
    pyjl_hsplit_phase(pyjl_hsplit_task_passes, j, 2, nt);
    pyjl_hsplit_phase(pyjl_hsplit_task_comb, j, PYJL_HSPLIT_CHUNKS, nt);
    if (j->lost) {
        /* a state the chain cannot be in outweighed the others in the backward pass
           (their betas underflowed against its own), or the sequence is impossible: the
           backward pass again after the forward one (again too where the combination
           wrote the posteriors over it), leaving out the states whose forward variable is
           0, as the one-thread kernel does; then the combination again */
        if (j->gam == j->alpha) pyjl_hsplit_task_passes(j, 0);
        j->masked = 1;
        pyjl_hsplit_task_passes(j, 1);
        pyjl_hsplit_phase(pyjl_hsplit_task_comb, j, PYJL_HSPLIT_CHUNKS, nt);
    }
    for (Py_ssize_t k = 0; k < PYJL_HSPLIT_CHUNKS; k++) {
        const double *acc = j->acc + k * W;
        for (Py_ssize_t q = 0; q < K * K; q++) xacc[q] += acc[q];
        if (j->X != NULL)
            for (Py_ssize_t q = 0; q < (2 * d + 1) * K; q++) macc[K + q] += acc[K * K + q];
    }
    if (j->X != NULL)
        for (Py_ssize_t q = 0; q < K; q++) macc[q] += j->gam[q];
    return j->ll;
}

#endif  /* PYJL_HMM_SPLIT_H */
