// GP kernels of the cuda engine (adapter: gp.py): covariance matrices, their gradients
// with respect to the log-parameters, the fused gradient contraction, the matrix-free
// products (K V and the trace of U^T dK V, by shared-memory tiles), and (log-)EI.
// One thread per matrix entry (grid-stride) unless said otherwise; inputs are pre-scaled
// by the lengthscales except for the periodic kind.  Differences a_k - b_k are taken here (no
// |a|^2 + |b|^2 - 2ab expansion), so entries near the diagonal keep full precision.
// Reference: Rasmussen & Williams, Gaussian Processes for Machine Learning (2006), ch. 4-5;
// log-EI: Ament et al., "Unexpected improvements to expected improvement" (NeurIPS 2023).

// The kernel kinds: the codes are the positions in pyjl.engines.contract.GP_KINDS
// (tests/gpu checks this list against that table).
enum pj_gp_kind { PJ_RBF = 0, PJ_MATERN12 = 1, PJ_MATERN32 = 2, PJ_MATERN52 = 3, PJ_RQ = 4,
                  PJ_PERIODIC = 5 };

#define PJ_SQRT3 1.7320508075688772935
#define PJ_SQRT5 2.2360679774997896964
#define PJ_MAXP 64
// a squared scaled distance at most this: points ~1e154 lengthscales apart get the limits
// of the formulas (0), not inf * 0 (bindings/include/pyjl_gp.h, PYJL_R2_MAX)
#define PJ_R2_MAX 1e306

// kappa(r2) of the stationary kinds, k = variance * kappa(r2) on scaled inputs (a: rq alpha)
PJ_DEVICE double pj_kappa(int kind, double r2, double a) {
    if (kind == PJ_RBF) return exp(-0.5 * r2);
    double r = sqrt(r2);
    if (kind == PJ_MATERN12) return exp(-r);
    if (kind == PJ_MATERN32) return (1.0 + PJ_SQRT3 * r) * exp(-PJ_SQRT3 * r);
    if (kind == PJ_MATERN52)
        return (1.0 + PJ_SQRT5 * r + (5.0 / 3.0) * r2) * exp(-PJ_SQRT5 * r);
    return pow(1.0 + r2 / (2.0 * a), -a);
}

// -2 dkappa/d(r2): dk/dlog l_k = sigma2 * gscale * D_k
PJ_DEVICE double pj_gscale(int kind, double r2, double a) {
    if (kind == PJ_RBF) return pj_kappa(kind, r2, a);
    if (kind == PJ_RQ) return pow(1.0 + r2 / (2.0 * a), -a - 1.0);
    double r = sqrt(r2);
    if (kind == PJ_MATERN12) return r > 0.0 ? exp(-r) / r : 0.0;
    if (kind == PJ_MATERN32) return 3.0 * exp(-PJ_SQRT3 * r);
    return (5.0 / 3.0) * (1.0 + PJ_SQRT5 * r) * exp(-PJ_SQRT5 * r);
}

// dkappa/dlog alpha of the rq kind
PJ_DEVICE double pj_dlog_alpha(double r2, double a) {
    double u = r2 / (2.0 * a), k = pj_kappa(PJ_RQ, r2, a);
    return k == 0.0 ? 0.0 : k * a * (u / (1.0 + u) - log1p(u));  // u overflowed: the limit
}

// S = sum_k sin^2(pi (a_k - b_k) / p) / l_k^2 (one l for every k when isotropic)
PJ_DEVICE double pj_periodic_sum(const double* a, const double* b, int d, const double* ls,
                                 int nls, double p) {
    double S = 0.0;
    for (int k = 0; k < d; ++k) {
        double s = sin(PJ_PI * (a[k] - b[k]) / p), l = nls > 1 ? ls[k] : ls[0];
        S += l > 1e-150 ? s * s / (l * l) : fmin((s / l) * (s / l), PJ_R2_MAX);
    }
    return fmin(S, PJ_R2_MAX);
}

// |a - b|^2 over d coordinates
PJ_DEVICE double pj_r2(const double* a, const double* b, int d) {
    double r2 = 0.0;
    for (int k = 0; k < d; ++k) r2 += (a[k] - b[k]) * (a[k] - b[k]);
    return fmin(r2, PJ_R2_MAX);
}

// k(a, b) for rows a, b of the scaled inputs (periodic: unscaled)
PJ_DEVICE double pj_pair(int kind, const double* a, const double* b, int d, const double* ls,
                         int nls, double var, double ex) {
    if (kind == PJ_PERIODIC) return var * exp(-2.0 * pj_periodic_sum(a, b, d, ls, nls, ex));
    return var * pj_kappa(kind, pj_r2(a, b, d), ex);
}

// out[q * stride] += w * dk(a, b)/dtheta_q for every log-parameter q
PJ_DEVICE void pj_pair_grad(int kind, const double* a, const double* b, int d, const double* ls,
                            int nls, double var, double ex, double w, double* out,
                            long long stride) {
    if (kind == PJ_PERIODIC) {
        double kap = pj_pair(kind, a, b, d, ls, nls, var, ex), r = 0.0;
        if (kap == 0.0) return;  // every term is kap times a factor that may be inf: 0
        for (int k = 0; k < d; ++k) {
            double arg = PJ_PI * (a[k] - b[k]) / ex, s = sin(arg), c = cos(arg);
            double l = nls > 1 ? ls[k] : ls[0];
            if (l > 1e-150) {
                out[(nls > 1 ? k : 0) * stride] += w * kap * 4.0 * s * s / (l * l);
                r += arg * s * c / (l * l);
            } else {  // l * l underflows: divide first
                out[(nls > 1 ? k : 0) * stride] += w * kap * 4.0 * (s / l) * (s / l);
                r += (arg / l) * (s / l) * c;
            }
        }
        out[nls * stride] += w * kap;
        out[(nls + 1) * stride] += w * kap * 4.0 * r;
        return;
    }
    double r2 = pj_r2(a, b, d);
    double gs = w * var * pj_gscale(kind, r2, ex);
    if (nls == 1) {
        out[0] += gs * r2;
    } else {
        for (int k = 0; k < d; ++k) {  // each difference at most 1e153: its square finite
            double t = a[k] - b[k];
            t = t < 1e153 && t > -1e153 ? t : 1e153;
            out[k * stride] += gs * t * t;
        }
    }
    out[nls * stride] += w * var * pj_kappa(kind, r2, ex);
    if (kind == PJ_RQ) out[(nls + 1) * stride] += w * var * pj_dlog_alpha(r2, ex);
}

PJ_KERNEL void pj_kmat(int kind, const double* A, const double* B, long long n1, long long n2,
                       int d, const double* ls, int nls, double var, double ex, double* K) {
    PJ_GRID_STRIDE(idx, n1 * n2) {
        long long i = idx / n2, j = idx % n2;
        K[idx] = pj_pair(kind, A + i * d, B + j * d, d, ls, nls, var, ex);
    }
}

// K and dK (p, n, n); dK must be zero on entry
PJ_KERNEL void pj_kgrad(int kind, const double* A, long long n, int d, const double* ls,
                        int nls, double var, double ex, double* K, double* G) {
    PJ_GRID_STRIDE(idx, n * n) {
        long long i = idx / n, j = idx % n;
        K[idx] = pj_pair(kind, A + i * d, A + j * d, d, ls, nls, var, ex);
        pj_pair_grad(kind, A + i * d, A + j * d, d, ls, nls, var, ex, 1.0, G + idx, n * n);
    }
}

// out[q] += sum_ij W[i, j] dK[i, j]/dtheta_q; out must be zero on entry, p <= PJ_MAXP,
// blockDim.x a multiple of 32
PJ_KERNEL void pj_kcontract(int kind, const double* A, long long n, int d, const double* ls,
                            int nls, double var, double ex, int p, const double* W,
                            double* out) {
    double acc[PJ_MAXP];
    for (int q = 0; q < p; ++q) acc[q] = 0.0;
    PJ_GRID_STRIDE(idx, n * n) {
        long long i = idx / n, j = idx % n;
        pj_pair_grad(kind, A + i * d, A + j * d, d, ls, nls, var, ex, W[idx], acc, 1);
    }
    for (int q = 0; q < p; ++q) {
        double v = pj_warp_sum(acc[q]);
        if ((threadIdx.x & 31) == 0) PJ_ATOMIC_ADD(out + q, v);
    }
}

// ---- matrix-free products: one thread per row of X1, the rows of a block share tiles of tc
// points of X2 (and the matching rows of V) in shared memory; never an n1 x n2 matrix.
// A work item is (row tile of blockDim.x rows, column span s); items go grid-stride.
#define PJ_MAXK 32
// loops over the PJ_MAXK columns are unrolled on the device (guarded by c < kc), so the
// per-thread sums stay in registers; the CPU emulation runs them as plain loops
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define PJ_UNROLL _Pragma("unroll")
#else
#define PJ_UNROLL
#endif

// the tile [t0, t0 + m) of B (into sb, m x d) and of the columns [c0, c0 + kc) of V (sv)
PJ_DEVICE void pj_load_tile(const double* B, const double* V, long long t0, int m, int d,
                            int k, int c0, int kc, double* sb, double* sv) {
    for (int t = threadIdx.x; t < m * d; t += blockDim.x) sb[t] = B[t0 * d + t];
    for (int t = threadIdx.x; t < m * kc; t += blockDim.x)
        sv[t] = V[(t0 + t / kc) * k + c0 + t % kc];
}

// R[s, i, c] = sum_{j in span s} k(A[i], B[j]) V[j, c0 + c] for c < kc <= PJ_MAXK: the
// partial products of column span s (span columns each; the adapter sums over s).
// Dynamic shared memory: tc * (d + kc) doubles.
PJ_KERNEL void pj_kmatvec(int kind, const double* A, const double* B, long long n1,
                          long long n2, int d, const double* ls, int nls, double var, double ex,
                          const double* V, int k, int c0, int kc, int tc, long long span,
                          double* R) {
    PJ_SHARED(double, sh);
    double *sb = sh, *sv = sh + tc * d, acc[PJ_MAXK];
    long long ntile = (n1 + blockDim.x - 1) / blockDim.x, ns = (n2 + span - 1) / span;
    for (long long item = blockIdx.x; item < ntile * ns; item += gridDim.x) {
        long long i = (item % ntile) * blockDim.x + threadIdx.x, s = item / ntile;
        long long j0 = s * span, j1 = j0 + span < n2 ? j0 + span : n2;
        PJ_UNROLL
        for (int c = 0; c < PJ_MAXK; ++c) acc[c] = 0.0;
        for (long long t0 = j0; t0 < j1; t0 += tc) {
            int m = (int)(j1 - t0 < tc ? j1 - t0 : tc);
            __syncthreads();
            pj_load_tile(B, V, t0, m, d, k, c0, kc, sb, sv);
            __syncthreads();
            if (i < n1) {
                for (int jj = 0; jj < m; ++jj) {
                    double kij = pj_pair(kind, A + i * d, sb + jj * d, d, ls, nls, var, ex);
                    PJ_UNROLL
                    for (int c = 0; c < PJ_MAXK; ++c)
                        if (c < kc) acc[c] += kij * sv[jj * kc + c];
                }
            }
        }
        if (i < n1)
            for (int c = 0; c < kc; ++c) R[(s * n1 + i) * kc + c] = acc[c];
    }
}

// part[b, q] += sum over this block's items of sum_c U[i, c0 + c] V[j, c0 + c] dK[i, j]
// / dtheta_q (every j of the item's span): the per-block partial sums of kernel_grad_quad
// (the adapter adds them up, in order).  p <= PJ_MAXP, kc <= PJ_MAXK, blockDim.x a multiple
// of 32; dynamic shared memory: tc * (d + kc) + (blockDim.x / 32) * p doubles.
PJ_KERNEL void pj_kquad(int kind, const double* A, long long n, int d, const double* ls,
                        int nls, double var, double ex, int p, const double* U, const double* V,
                        int k, int c0, int kc, int tc, long long span, double* part) {
    PJ_SHARED(double, sh);
    double *sb = sh, *sv = sh + tc * d, *red = sh + tc * (d + kc), acc[PJ_MAXP], u[PJ_MAXK];
    long long ntile = (n + blockDim.x - 1) / blockDim.x, ns = (n + span - 1) / span;
    for (int q = 0; q < p; ++q) acc[q] = 0.0;
    for (long long item = blockIdx.x; item < ntile * ns; item += gridDim.x) {
        long long i = (item % ntile) * blockDim.x + threadIdx.x, s = item / ntile;
        long long j0 = s * span, j1 = j0 + span < n ? j0 + span : n;
        PJ_UNROLL
        for (int c = 0; c < PJ_MAXK; ++c) u[c] = i < n && c < kc ? U[i * k + c0 + c] : 0.0;
        for (long long t0 = j0; t0 < j1; t0 += tc) {
            int m = (int)(j1 - t0 < tc ? j1 - t0 : tc);
            __syncthreads();
            pj_load_tile(A, V, t0, m, d, k, c0, kc, sb, sv);
            __syncthreads();
            if (i < n) {
                for (int jj = 0; jj < m; ++jj) {
                    double w = 0.0;
                    PJ_UNROLL
                    for (int c = 0; c < PJ_MAXK; ++c)
                        if (c < kc) w += u[c] * sv[jj * kc + c];
                    pj_pair_grad(kind, A + i * d, sb + jj * d, d, ls, nls, var, ex, w, acc, 1);
                }
            }
        }
    }
    __syncthreads();
    for (int q = 0; q < p; ++q) {
        double v = pj_warp_sum(acc[q]);
        if ((threadIdx.x & 31) == 0) red[(threadIdx.x / 32) * p + q] = v;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        for (int q = 0; q < p; ++q) {
            double t = 0.0;
            for (unsigned w = 0; w < (blockDim.x + 31) / 32; ++w) t += red[w * p + q];
            part[blockIdx.x * p + q] += t;
        }
    }
}

#define PJ_INV_SQRT2 0.70710678118654752440
#define PJ_INV_SQRT2PI 0.39894228040143267794
#define PJ_C1 0.91893853320467274178   // 0.5 log(2 pi)
#define PJ_C2 0.22579135264472743236   // 0.5 log(pi / 2)
#define PJ_LN2 0.69314718055994530942  // log(2)

PJ_DEVICE double pj_h(double z) { return exp(-0.5 * z * z) * PJ_INV_SQRT2PI + z * normcdf(z); }

PJ_DEVICE double pj_log1mexp(double x) {
    return x > -0.6931471805599453 ? log(-expm1(x)) : log1p(-exp(x));
}

#define PJ_Z_TAIL -1e6  // below, the asymptotic form (BoTorch's float64 bound)
#define PJ_Z_SURE 40.0  // above, Phi(z) == 1 and phi(z) < 1e-347: EI is the improvement

PJ_DEVICE double pj_log_h(double z) {
    if (z > -1.0) return log(pj_h(z));
    if (z > PJ_Z_TAIL)
        return -0.5 * z * z - PJ_C1
               + pj_log1mexp(log(erfcx(-z * PJ_INV_SQRT2) * fabs(z)) + PJ_C2);
    return -0.5 * z * z - PJ_C1 - 2.0 * log(fabs(z));
}

PJ_KERNEL void pj_ei(long long n, const double* mu, const double* sigma, double best, double xi,
                     int logspace, double* out) {
    PJ_GRID_STRIDE(i, n) {
        double imp = best - xi - mu[i];
        if (sigma[i] > 0.0) {
            double z = imp / sigma[i];  // inf when imp / sigma overflows: then EI is imp
            if (z > PJ_Z_SURE)  // log(imp), halved first so that imp beyond 1.8e308 has one
                out[i] = logspace ? log(0.5 * best - 0.5 * xi - 0.5 * mu[i]) + PJ_LN2 : imp;
            else if (logspace)
                out[i] = log(sigma[i]) + pj_log_h(z);
            else  // the direct form cancels for z << 0; the log form keeps every digit
                out[i] = sigma[i] * (z > -1.0 ? pj_h(z) : exp(pj_log_h(z)));
        } else if (logspace) {
            out[i] = imp > 0.0 ? log(imp) : -INFINITY;
        } else {
            out[i] = imp > 0.0 ? imp : 0.0;
        }
    }
}
