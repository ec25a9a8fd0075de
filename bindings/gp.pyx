# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# distutils: extra_compile_args = -fno-math-errno
"""Gaussian-process kernels: covariance matrices, their gradients, Cholesky algebra, EI.

Layout contract (the caller validated everything): ``X``, ``X1``, ``X2`` are
float64 C-contiguous ``(n, d)``; ``lengthscale`` is float64 ``(d,)`` (ARD) or
``(1,)`` (isotropic); ``extra`` is ``(m,)`` (``rq``: ``[alpha]``, ``periodic``:
``[period]``); ``W`` is a symmetric float64 C-contiguous ``(n, n)`` matrix.
Parameters of a kernel are ordered ``log lengthscale[...]``, ``log variance``,
``log extra[...]``.  Kinds: 0 rbf, 1 matern12, 2 matern32, 3 matern52, 4 rq,
5 periodic (``sigma2 exp(-2 sum_k sin^2(pi (x_k - x'_k) / p) / l_k^2)``, one ``l`` for all
features when isotropic).
Threaded loops take ``n_threads`` as their last argument.
"""

import numpy as np
cimport numpy as cnp
from cython.parallel cimport prange, threadid
from libc.math cimport exp, sqrt, log, log1p, sin, cos, pow, expm1, fabs, M_PI, INFINITY
from scipy.linalg.cython_lapack cimport dpotrf, dpotri, dpotrs
from scipy.special.cython_special cimport erfcx as _erfcx_f, ndtr as _ndtr_f

cnp.import_array()


cdef extern from *:
    """
    #include <math.h>
    #include <stdint.h>
    #include <string.h>
    #if defined(__GNUC__) && !defined(__clang__)
    #pragma GCC push_options
    #pragma GCC optimize ("no-math-errno", "no-trapping-math")
    #endif
    #if defined(_OPENMP)
    #define PYJL_SIMD _Pragma("omp simd")
    #define PYJL_SIMD_SUM_KV _Pragma("omp simd reduction(+:kv)")
    #define PYJL_SIMD_SUM_S _Pragma("omp simd reduction(+:s)")
    #else
    #define PYJL_SIMD
    #define PYJL_SIMD_SUM_KV
    #define PYJL_SIMD_SUM_S
    #endif
    /* The row loops are compiled for the baseline ISA plus AVX2 and AVX-512 and the
       best one the CPU has is picked at load time (GCC function multiversioning).
       The arithmetic is the same IEEE operations in every clone (no FMA contraction:
       -ffp-contract=off), so results do not depend on the clone. */
    #if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) \
        && defined(__GLIBC__) && __GNUC__ >= 8
    #define PYJL_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
    #else
    #define PYJL_CLONES
    #endif

    /* exp(x) for x <= 0, branch-free so loops over it vectorise; 0 below -708.
       Cody-Waite reduction x = k ln2 + r, |r| <= ln2/2, then a degree-13 Taylor
       polynomial (truncation < 2e-16) scaled by 2^k built from its bits. */
    static inline double pyjl_expn(double x) {
        const double shift = 6755399441055744.0;  /* 1.5 * 2^52: rounds to an integer */
        double xc = x < -708.0 ? -708.0 : x;
        double t = xc * 1.4426950408889634 + shift;
        double kf = t - shift;
        double r = (xc - kf * 6.93147180369123816490e-01) - kf * 1.90821492927058770002e-10;
        double p = 1.0 / 6227020800.0;
        p = p * r + 1.0 / 479001600.0;
        p = p * r + 1.0 / 39916800.0;
        p = p * r + 1.0 / 3628800.0;
        p = p * r + 1.0 / 362880.0;
        p = p * r + 1.0 / 40320.0;
        p = p * r + 1.0 / 5040.0;
        p = p * r + 1.0 / 720.0;
        p = p * r + 1.0 / 120.0;
        p = p * r + 1.0 / 24.0;
        p = p * r + 1.0 / 6.0;
        p = p * r + 0.5;
        p = p * r + 1.0;
        p = p * r + 1.0;
        int64_t tb, sb;
        double scale;
        memcpy(&tb, &t, 8);
        int64_t ks = tb - (int64_t)0x4338000000000000LL;  /* k, from the shifted bits */
        sb = (ks + 1023) << 52;
        memcpy(&scale, &sb, 8);
        return x < -708.0 ? 0.0 : p * scale;
    }

    /* r2[j - j0] = sum_k (a[k] - BT[k, j])^2 for j in [j0, n); BT is (d, ld) row-major. */
    PYJL_CLONES
    static void pyjl_r2_row(const double *a, const double *BT, Py_ssize_t ld, Py_ssize_t d,
                            Py_ssize_t j0, Py_ssize_t n, double *restrict r2) {
        Py_ssize_t m = n - j0, j, k;
        for (j = 0; j < m; j++) r2[j] = 0.0;
        for (k = 0; k < d; k++) {
            const double *restrict b = BT + k * ld + j0;
            double ak = a[k];
            PYJL_SIMD
            for (j = 0; j < m; j++) { double t = ak - b[j]; r2[j] += t * t; }
        }
    }

    /* out[j] = var * kappa(r2[j]) for the kinds 0-4. */
    PYJL_CLONES
    static void pyjl_kappa_row(int kind, const double *restrict r2, Py_ssize_t m, double var,
                               double alpha, double *restrict out) {
        const double s3 = 1.7320508075688772, s5 = 2.23606797749979;
        Py_ssize_t j;
        if (kind == 0) {
            PYJL_SIMD
            for (j = 0; j < m; j++) out[j] = var * pyjl_expn(-0.5 * r2[j]);
        } else if (kind == 1) {
            PYJL_SIMD
            for (j = 0; j < m; j++) out[j] = var * pyjl_expn(-sqrt(fabs(r2[j])));
        } else if (kind == 2) {
            PYJL_SIMD
            for (j = 0; j < m; j++) {
                double r = sqrt(fabs(r2[j]));
                out[j] = var * (1.0 + s3 * r) * pyjl_expn(-s3 * r);
            }
        } else if (kind == 3) {
            PYJL_SIMD
            for (j = 0; j < m; j++) {
                double r = sqrt(fabs(r2[j]));
                out[j] = var * (1.0 + s5 * r + (5.0 / 3.0) * r2[j]) * pyjl_expn(-s5 * r);
            }
        } else {
            for (j = 0; j < m; j++) out[j] = var * pow(1.0 + r2[j] / (2.0 * alpha), -alpha);
        }
    }

    /* acc[q] += sum_{j in [j0, n)} wscale * w[j] * dk(a, x_j)/dtheta_q (kinds 0-4). */
    PYJL_CLONES
    static void pyjl_contract_row(int kind, const double *a, const double *BT, Py_ssize_t ld,
                                  Py_ssize_t d, Py_ssize_t j0, Py_ssize_t n, Py_ssize_t nls,
                                  double var, double alpha, const double *restrict w,
                                  double wscale, double *restrict r2, double *restrict g,
                                  double *acc) {
        const double s3 = 1.7320508075688772, s5 = 2.23606797749979;
        Py_ssize_t m = n - j0, j, k;
        double kv = 0.0, av = 0.0, s;
        pyjl_r2_row(a, BT, ld, d, j0, n, r2);
        if (kind == 0) {
            PYJL_SIMD_SUM_KV
            for (j = 0; j < m; j++) { double e = w[j] * pyjl_expn(-0.5 * r2[j]); g[j] = e; kv += e; }
        } else if (kind == 1) {
            PYJL_SIMD_SUM_KV
            for (j = 0; j < m; j++) {
                double r = sqrt(fabs(r2[j])), e = w[j] * pyjl_expn(-r);
                g[j] = r > 0.0 ? e / (r > 0.0 ? r : 1.0) : 0.0;
                kv += e;
            }
        } else if (kind == 2) {
            PYJL_SIMD_SUM_KV
            for (j = 0; j < m; j++) {
                double r = sqrt(fabs(r2[j])), e = w[j] * pyjl_expn(-s3 * r);
                g[j] = 3.0 * e;
                kv += (1.0 + s3 * r) * e;
            }
        } else if (kind == 3) {
            PYJL_SIMD_SUM_KV
            for (j = 0; j < m; j++) {
                double r = sqrt(fabs(r2[j])), e = w[j] * pyjl_expn(-s5 * r), q = (1.0 + s5 * r) * e;
                g[j] = (5.0 / 3.0) * q;
                kv += q + (5.0 / 3.0) * r2[j] * e;
            }
        } else {
            for (j = 0; j < m; j++) {
                double u = r2[j] / (2.0 * alpha), base = pow(1.0 + u, -alpha);
                g[j] = w[j] * base / (1.0 + u);
                kv += w[j] * base;
                av += w[j] * base * alpha * (u / (1.0 + u) - log1p(u));
            }
        }
        acc[nls] += wscale * var * kv;
        if (kind == 4) acc[nls + 1] += wscale * var * av;
        if (nls == 1) {
            s = 0.0;
            PYJL_SIMD_SUM_S
            for (j = 0; j < m; j++) s += g[j] * r2[j];
            acc[0] += wscale * var * s;
        } else {
            for (k = 0; k < d; k++) {
                const double *restrict b = BT + k * ld + j0;
                double ak = a[k];
                s = 0.0;
                PYJL_SIMD_SUM_S
                for (j = 0; j < m; j++) { double t = ak - b[j]; s += g[j] * t * t; }
                acc[k] += wscale * var * s;
            }
        }
    }
    #if defined(__GNUC__) && !defined(__clang__)
    #pragma GCC pop_options
    #endif
    """
    double pyjl_expn(double x) noexcept nogil
    void pyjl_r2_row(const double* a, const double* BT, Py_ssize_t ld, Py_ssize_t d,
                     Py_ssize_t j0, Py_ssize_t n, double* r2) noexcept nogil
    void pyjl_kappa_row(int kind, const double* r2, Py_ssize_t m, double var, double alpha,
                        double* out) noexcept nogil
    void pyjl_contract_row(int kind, const double* a, const double* BT, Py_ssize_t ld,
                           Py_ssize_t d, Py_ssize_t j0, Py_ssize_t n, Py_ssize_t nls,
                           double var, double alpha, const double* w, double wscale,
                           double* r2, double* g, double* acc) noexcept nogil


def _expn(double x):
    """The vectorisable ``exp`` of the row kernels (``x <= 0``), exposed for testing."""
    return pyjl_expn(x)


cdef double SQRT3 = sqrt(3.0)
cdef double SQRT5 = sqrt(5.0)

_KINDS = {"rbf": 0, "matern12": 1, "matern32": 2, "matern52": 3, "rq": 4, "periodic": 5}


cdef int _kind(str kind) except -1:
    try:
        return _KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown kernel kind {kind!r}; one of {sorted(_KINDS)}")


cdef inline double _kappa(int kind, double r2, double a) noexcept nogil:
    """k / sigma2 as a function of the squared scaled distance (kinds 0-4)."""
    cdef double r
    if kind == 0:
        return exp(-0.5 * r2)
    r = sqrt(r2)
    if kind == 1:
        return exp(-r)
    if kind == 2:
        return (1.0 + SQRT3 * r) * exp(-SQRT3 * r)
    if kind == 3:
        return (1.0 + SQRT5 * r + (5.0 / 3.0) * r2) * exp(-SQRT5 * r)
    return pow(1.0 + r2 / (2.0 * a), -a)


cdef inline double _gscale(int kind, double r2, double a) noexcept nogil:
    """-2 dkappa/d(r2): d k / d log l_k = sigma2 * gscale * D_k (kinds 0-4)."""
    cdef double r
    if kind == 0:
        return exp(-0.5 * r2)
    if kind == 4:
        return pow(1.0 + r2 / (2.0 * a), -a - 1.0)
    r = sqrt(r2)
    if kind == 1:
        return exp(-r) / r if r > 0.0 else 0.0
    if kind == 2:
        return 3.0 * exp(-SQRT3 * r)
    return (5.0 / 3.0) * (1.0 + SQRT5 * r) * exp(-SQRT5 * r)


cdef inline double _dlog_alpha(double r2, double a) noexcept nogil:
    """d kappa / d log alpha for the rational quadratic."""
    cdef double u = r2 / (2.0 * a)
    return pow(1.0 + u, -a) * a * (u / (1.0 + u) - log1p(u))


def _scaled(X, double[::1] ls, int kind):
    """X / lengthscale (non-periodic kinds); the periodic kinds keep X unscaled."""
    arr = np.asarray(X)
    if kind == 5:  # a typed memoryview needs writable memory: copy a read-only input
        return np.require(arr, np.float64, ["C", "W"])
    return np.ascontiguousarray(arr / np.asarray(ls)[None, :] if ls.shape[0] > 1
                                else arr / ls[0])


cdef inline double _periodic(double* a, double* b, Py_ssize_t d, double* ls, Py_ssize_t nls,
                             double p) noexcept nogil:
    """exp(-2 S), S = sum_k sin^2(pi (a_k - b_k) / p) / l_k^2: the periodic kernel over sigma2."""
    cdef double s, l, S = 0.0
    cdef Py_ssize_t k
    for k in range(d):
        s = sin(M_PI * (a[k] - b[k]) / p)
        l = ls[k] if nls > 1 else ls[0]
        S = S + s * s / (l * l)
    return exp(-2.0 * S)


cdef inline void _pair_grad(int kind, double* a, double* b, Py_ssize_t d, double* ls,
                            Py_ssize_t nls, double var, double ex, double w,
                            double* out) noexcept nogil:
    """out[q] += w * dk(a, b)/dtheta_q for every log-parameter q."""
    cdef Py_ssize_t k
    cdef double r2 = 0.0, diff, kap, gs, s, c, r, S, arg
    if kind == 5:
        kap = var * _periodic(a, b, d, ls, nls, ex)
        r = 0.0
        for k in range(d):
            arg = M_PI * (a[k] - b[k]) / ex
            s = sin(arg)
            c = cos(arg)
            S = ls[k] if nls > 1 else ls[0]
            out[k if nls > 1 else 0] += w * kap * 4.0 * s * s / (S * S)
            r = r + arg * s * c / (S * S)
        out[nls] += w * kap
        out[nls + 1] += w * kap * 4.0 * r
        return
    for k in range(d):
        diff = a[k] - b[k]
        r2 = r2 + diff * diff
    gs = w * var * _gscale(kind, r2, ex)
    if nls == 1:
        out[0] += gs * r2
    else:
        for k in range(d):
            diff = a[k] - b[k]
            out[k] += gs * diff * diff
    out[nls] += w * var * _kappa(kind, r2, ex)
    if kind == 4:
        out[nls + 1] += w * var * _dlog_alpha(r2, ex)


cdef inline double _pair(int kind, double* a, double* b, Py_ssize_t d, double* ls,
                         Py_ssize_t nls, double var, double ex) noexcept nogil:
    cdef Py_ssize_t k
    cdef double r2 = 0.0, diff
    if kind == 5:
        return var * _periodic(a, b, d, ls, nls, ex)
    for k in range(d):
        diff = a[k] - b[k]
        r2 = r2 + diff * diff
    return var * _kappa(kind, r2, ex)


cdef void _mirror(double[:, ::1] A, bint lower_to_upper, int nt) noexcept nogil:
    """Copy one triangle of a square matrix onto the other, in 32 x 32 tiles (cache friendly)."""
    cdef Py_ssize_t n = A.shape[0], bi, bj, i, j, iend, jend
    cdef Py_ssize_t nb = (n + 31) // 32, t
    for t in prange(nb, num_threads=nt, schedule="dynamic"):
        bi = t * 32
        iend = bi + 32 if bi + 32 < n else n
        for bj in range(bi, n, 32):
            jend = bj + 32 if bj + 32 < n else n
            for i in range(bi, iend):
                for j in range(bj if bj > i + 1 else i + 1, jend):
                    if lower_to_upper:
                        A[i, j] = A[j, i]
                    else:
                        A[j, i] = A[i, j]


cdef inline int _threads(double work, int n_threads) noexcept:
    """Threads only for big loops: measured on 2 cores, OpenMP workers that spin after a
    region slow the LAPACK calls in between (a likelihood evaluation at n = 1000 ran 30%
    faster with these loops serial), while at n >= 2000 or in prediction threads win."""
    return n_threads if work >= 1.5e7 else 1


cdef inline int _cross_threads(double work, int n_threads) noexcept:
    """Threads for a cross-covariance ``k(X*, X)`` (prediction, acquisition): no LAPACK
    call is interleaved, so threads pay off from a few hundred microseconds of work."""
    return n_threads if work >= 1e6 else 1


def n_params(str kind, Py_ssize_t nls):
    """Number of log-parameters of a kind with ``nls`` lengthscales."""
    cdef int kd = _kind(kind)
    return nls + 1 + (1 if kd >= 4 else 0)


def kernel_matrix(str kind, X1, X2, double[::1] lengthscale,
                  double variance, double[::1] extra, int n_threads):
    """``K[i, j] = k(X1[i], X2[j])``, ``(n1, n2)``; one fused distance+kernel pass per row.

    When ``X1 is X2`` only the upper triangle is computed and then mirrored."""
    cdef int kd = _kind(kind)
    cdef bint sym = X1 is X2 or X2 is None
    cdef double ex = extra[0] if extra.shape[0] > 0 else 0.0
    cdef double[:, ::1] A = _scaled(X1, lengthscale, kd)
    cdef double[:, ::1] B = A if sym else _scaled(X2, lengthscale, kd)
    cdef Py_ssize_t n1 = A.shape[0], n2 = B.shape[0], d = A.shape[1]
    cdef Py_ssize_t nls = lengthscale.shape[0], i, j, tid
    out = np.empty((n1, n2))
    cdef double[:, ::1] K = out
    cdef int nt = (_threads(<double>n1 * n2 * (d + 4) / 2.0, n_threads) if sym
                   else _cross_threads(<double>n1 * n2 * (d + 4), n_threads))
    if n1 == 0 or n2 == 0:
        return out
    if kd == 5:
        if sym:
            for i in prange(n1, nogil=True, num_threads=nt, schedule="dynamic", chunksize=8):
                K[i, i] = variance
                for j in range(i + 1, n2):
                    K[i, j] = _pair(kd, &A[i, 0], &B[j, 0], d, &lengthscale[0], nls, variance, ex)
            _mirror(K, False, nt)
        else:
            for i in prange(n1, nogil=True, num_threads=nt, schedule="static"):
                for j in range(n2):
                    K[i, j] = _pair(kd, &A[i, 0], &B[j, 0], d, &lengthscale[0], nls, variance, ex)
        return out
    cdef double[:, ::1] BT = np.ascontiguousarray(np.asarray(B).T)
    cdef double[:, ::1] buf = np.empty((nt, n2))
    for i in prange(n1, nogil=True, num_threads=nt, schedule="dynamic", chunksize=16):
        tid = threadid()
        if sym:
            K[i, i] = variance
            if i + 1 < n2:
                pyjl_r2_row(&A[i, 0], &BT[0, 0], n2, d, i + 1, n2, &buf[tid, 0])
                pyjl_kappa_row(kd, &buf[tid, 0], n2 - i - 1, variance, ex, &K[i, i + 1])
        else:
            pyjl_r2_row(&A[i, 0], &BT[0, 0], n2, d, 0, n2, &buf[tid, 0])
            pyjl_kappa_row(kd, &buf[tid, 0], n2, variance, ex, &K[i, 0])
    if sym:
        _mirror(K, False, nt)
    return out


def kernel_matrix_grad(str kind, X, double[::1] lengthscale, double variance,
                       double[::1] extra, int n_threads):
    """``(K (n, n), dK (p, n, n))``: derivatives with respect to the log-parameters."""
    cdef int kd = _kind(kind)
    cdef double ex = extra[0] if extra.shape[0] > 0 else 0.0
    cdef double[:, ::1] A = _scaled(X, lengthscale, kd)
    cdef Py_ssize_t n = A.shape[0], d = A.shape[1], nls = lengthscale.shape[0]
    cdef Py_ssize_t p = nls + 1 + (1 if kd >= 4 else 0), i, j, q
    out = np.empty((n, n))
    gout = np.zeros((p, n, n))
    buf_arr = np.zeros((max(n, 1), p))
    cdef double[:, ::1] K = out
    cdef double[:, :, ::1] G = gout
    cdef double[:, ::1] buf = buf_arr
    cdef int nt = _threads(<double>n * n * (d + 4) * 2, n_threads)
    for i in prange(n, nogil=True, num_threads=nt, schedule="dynamic", chunksize=8):
        K[i, i] = variance
        G[nls, i, i] = variance
        for j in range(i + 1, n):
            K[i, j] = _pair(kd, &A[i, 0], &A[j, 0], d, &lengthscale[0], nls, variance, ex)
            for q in range(p):
                buf[i, q] = 0.0
            _pair_grad(kd, &A[i, 0], &A[j, 0], d, &lengthscale[0], nls, variance, ex, 1.0,
                       &buf[i, 0])
            for q in range(p):
                G[q, i, j] = buf[i, q]
    _mirror(K, False, nt)
    for q in range(p):
        _mirror(G[q], False, nt)
    return out, gout


def kernel_grad_contract(str kind, X, double[::1] lengthscale, double variance,
                         double[::1] extra, double[:, ::1] W, int n_threads):
    """``g[q] = sum_ij W[i, j] dK[i, j]/dtheta_q`` for symmetric ``W``, ``(p,)``.

    One fused pass over the upper triangle; no ``(p, n, n)`` tensor is formed."""
    cdef int kd = _kind(kind)
    cdef double ex = extra[0] if extra.shape[0] > 0 else 0.0
    cdef double[:, ::1] A = _scaled(X, lengthscale, kd)
    cdef Py_ssize_t n = A.shape[0], d = A.shape[1], nls = lengthscale.shape[0]
    cdef Py_ssize_t p = nls + 1 + (1 if kd >= 4 else 0), i, j, tid
    acc_arr = np.zeros((max(n, 1), p))
    cdef double[:, ::1] acc = acc_arr
    cdef double trace = 0.0
    cdef int nt = _threads(<double>n * n * (d + 4), n_threads)
    cdef double[:, ::1] BT
    cdef double[:, ::1] r2buf
    cdef double[:, ::1] gbuf
    if kd == 5:
        for i in prange(n, nogil=True, num_threads=nt, schedule="dynamic", chunksize=8):
            for j in range(i + 1, n):
                _pair_grad(kd, &A[i, 0], &A[j, 0], d, &lengthscale[0], nls, variance, ex,
                           2.0 * W[i, j], &acc[i, 0])
    elif n > 1:
        BT = np.ascontiguousarray(np.asarray(A).T)
        r2buf = np.empty((nt, n))
        gbuf = np.empty((nt, n))
        for i in prange(n - 1, nogil=True, num_threads=nt, schedule="dynamic", chunksize=16):
            tid = threadid()
            pyjl_contract_row(kd, &A[i, 0], &BT[0, 0], n, d, i + 1, n, nls, variance, ex,
                              &W[i, i + 1], 2.0, &r2buf[tid, 0], &gbuf[tid, 0], &acc[i, 0])
    for i in range(n):
        trace += W[i, i]
    g = acc_arr.sum(axis=0)
    g[nls] += variance * trace
    return g


def cholesky(K, double jitter):
    """Lower Cholesky factor of ``K + jitter I`` (C-contiguous ``(n, n)``, upper zeroed).

    Raises ``numpy.linalg.LinAlgError`` when the matrix is not positive definite."""
    L_arr = np.array(K, dtype=np.float64, order="C", copy=True)
    cdef double[:, ::1] L = L_arr
    cdef int n = L.shape[0], info = 0, i, j
    cdef char uplo = b"U"  # C-order lower == Fortran-order upper
    if jitter != 0.0:
        for i in range(n):
            L[i, i] += jitter
    if n == 0:
        return L_arr
    with nogil:
        dpotrf(&uplo, &n, &L[0, 0], &n, &info)
    if info != 0:
        raise np.linalg.LinAlgError(
            f"matrix is not positive definite (leading minor {info} of {n})")
    for i in range(n):
        for j in range(i + 1, n):
            L[i, j] = 0.0
    return L_arr


def cho_solve(double[:, ::1] L, B):
    """``(L L^T)^{-1} B`` for ``B`` of shape ``(n,)`` or ``(n, k)``."""
    Barr = np.asarray(B, dtype=np.float64)
    vec = Barr.ndim == 1
    X_arr = np.array(Barr.reshape(Barr.shape[0], -1).T, order="C", copy=True)  # (k, n) = F (n, k)
    cdef double[:, ::1] Xv = X_arr
    cdef int n = L.shape[0], nrhs = X_arr.shape[0], info = 0
    cdef char uplo = b"U"
    if n > 0 and nrhs > 0:
        with nogil:
            dpotrs(&uplo, &n, &nrhs, &L[0, 0], &n, &Xv[0, 0], &n, &info)
    res = X_arr.T
    return np.ascontiguousarray(res[:, 0]) if vec else np.ascontiguousarray(res)


def cho_inverse(double[:, ::1] L, int n_threads=1):
    """``K^{-1}`` (full symmetric, ``(n, n)``) from the lower Cholesky factor of ``K``.

    ``n_threads`` is accepted for the engine's calling convention; the mirror of the
    triangle is memory bound and stays serial (LAPACK ``dpotri`` uses BLAS's threads)."""
    inv_arr = np.array(L, copy=True)
    cdef double[:, ::1] V = inv_arr
    cdef int n = V.shape[0], info = 0
    cdef char uplo = b"U"
    if n == 0:
        return inv_arr
    with nogil:
        dpotri(&uplo, &n, &V[0, 0], &n, &info)
        _mirror(V, True, 1)  # memory bound: threads would only fight BLAS's
    if info != 0:
        raise np.linalg.LinAlgError("singular Cholesky factor")
    return inv_arr


cdef double _C1 = 0.5 * log(2.0 * M_PI)
cdef double _C2 = 0.5 * log(0.5 * M_PI)
cdef double _INV_SQRT2 = 1.0 / sqrt(2.0)
cdef double _INV_SQRT2PI = 1.0 / sqrt(2.0 * M_PI)


cdef inline double _h(double z) noexcept nogil:
    """phi(z) + z Phi(z): EI of a unit normal at standardised improvement z."""
    return exp(-0.5 * z * z) * _INV_SQRT2PI + z * _ndtr_f(z)


cdef inline double _log1mexp(double x) noexcept nogil:
    """log(1 - exp(x)) for x < 0."""
    if x > -0.6931471805599453:
        return log(-expm1(x))
    return log1p(-exp(x))


cdef inline double _log_h(double z) noexcept nogil:
    """log(phi(z) + z Phi(z)) without underflow (Ament et al., 2023, eq. 9)."""
    if z > -1.0:
        return log(_h(z))
    if z > -1e8:
        return -0.5 * z * z - _C1 + _log1mexp(log(_erfcx_f(-z * _INV_SQRT2) * fabs(z)) + _C2)
    return -0.5 * z * z - _C1 - 2.0 * log(fabs(z))


def expected_improvement(double[::1] mu, double[::1] sigma, double best, double xi):
    """EI for minimisation, ``E[max(best - xi - f, 0)]``, ``f ~ N(mu, sigma^2)``; ``(n,)``."""
    cdef Py_ssize_t n = mu.shape[0], i
    out = np.empty(n)
    cdef double[::1] o = out
    cdef double imp, z
    with nogil:
        for i in range(n):
            imp = best - xi - mu[i]
            if sigma[i] > 0.0:
                z = imp / sigma[i]
                # the direct form cancels for z << 0; the log form keeps every digit there
                o[i] = sigma[i] * (_h(z) if z > -1.0 else exp(_log_h(z)))
            else:
                o[i] = imp if imp > 0.0 else 0.0
    return out


def log_expected_improvement(double[::1] mu, double[::1] sigma, double best, double xi):
    """``log EI`` for minimisation, accurate far in the tail; ``(n,)`` (``-inf`` only when
    ``sigma == 0`` and there is no improvement)."""
    cdef Py_ssize_t n = mu.shape[0], i
    out = np.empty(n)
    cdef double[::1] o = out
    cdef double imp
    with nogil:
        for i in range(n):
            imp = best - xi - mu[i]
            if sigma[i] > 0.0:
                o[i] = log(sigma[i]) + _log_h(imp / sigma[i])
            else:
                o[i] = log(imp) if imp > 0.0 else -INFINITY
    return out
