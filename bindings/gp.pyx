# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# distutils: extra_compile_args = -fno-math-errno
"""Gaussian-process kernels: covariance matrices, their gradients, Cholesky algebra, EI.

Layout contract (the caller validated everything): ``X``, ``X1``, ``X2`` are
float64 C-contiguous ``(n, d)``; ``lengthscale`` is float64 ``(d,)`` (ARD) or
``(1,)`` (isotropic); ``extra`` is ``(m,)``, the kind's own parameters (``rq``:
``[alpha]``, ``periodic``: ``[period]``, empty otherwise); ``W`` is a symmetric
float64 C-contiguous ``(n, n)`` matrix; ``V`` and ``U`` of the matrix-free products are
``(n, k)`` (their C is ``pyjl_gp_free.h``, included by ``pyjl_gp.h``).  Parameters of a kernel are ordered
``log lengthscale[...]``, ``log variance``, ``log extra[...]``.  ``kind`` is the
integer code of a kind (its position in ``pyjl.engines.contract.GP_KINDS``, the
``enum pyjl_gp_kind`` of ``pyjl_gp.h``); the formulas live in that header.
Threaded loops take ``n_threads`` as their last argument.  The matrix-free products are in
``gp_free.pxi`` and expected improvement in ``gp_acquisition.pxi`` next to this file,
included below (one extension module).
"""

import numpy as np
cimport numpy as cnp
from cython.parallel cimport prange, threadid
from libc.math cimport exp, sqrt, log, log1p, expm1, fabs, M_PI, M_LN2, INFINITY
from scipy.linalg.cython_blas cimport dgemm, dsyrk, dtrsm
from scipy.linalg.cython_lapack cimport dpotrf, dpotri, dpotrs
from scipy.special.cython_special cimport erfcx as _erfcx_f, ndtr as _ndtr_f

cnp.import_array()


cdef extern from "pyjl_gp.h":
    enum: PYJL_PERIODIC
    enum: PYJL_N_KINDS
    double pyjl_expn(double x) noexcept nogil
    double pyjl_periodic(const double* x, const double* y, Py_ssize_t d, const double* ls,
                         Py_ssize_t nls, double p) noexcept nogil
    void pyjl_periodic_grad(const double* x, const double* y, Py_ssize_t d, const double* ls,
                            Py_ssize_t nls, double var, double p, double w,
                            double* out) noexcept nogil
    void pyjl_r2_row(const double* x, const double* BT, Py_ssize_t ld, Py_ssize_t d,
                     Py_ssize_t j0, Py_ssize_t n, double* r2) noexcept nogil
    void pyjl_kappa_row(int kind, const double* r2, Py_ssize_t m, double var, double a,
                        double* out) noexcept nogil
    void pyjl_grad_row(int kind, const double* x, const double* BT, Py_ssize_t ld,
                       Py_ssize_t d, Py_ssize_t j0, Py_ssize_t n, Py_ssize_t nls, double var,
                       double a, double* r2, double* K, double* G,
                       Py_ssize_t ldq) noexcept nogil
    void pyjl_contract_row(int kind, const double* x, const double* BT, Py_ssize_t ld,
                           Py_ssize_t d, Py_ssize_t j0, Py_ssize_t n, Py_ssize_t nls,
                           Py_ssize_t n_extra, double var, double a, const double* w,
                           double wscale, double* r2, double* g, double* acc) noexcept nogil
    enum: PYJL_TILE
    void pyjl_matvec_rows(int kind, const double* A, const double* BT, Py_ssize_t n2,
                          Py_ssize_t d, const double* ls, Py_ssize_t nls, double var, double a,
                          const double* VT, Py_ssize_t k, Py_ssize_t i0, Py_ssize_t i1,
                          double* buf, double* R) noexcept nogil
    void pyjl_matvec_sym_rows(int kind, const double* A, const double* BT, Py_ssize_t n,
                              Py_ssize_t d, const double* ls, Py_ssize_t nls, double var,
                              double a, const double* V, const double* VT, Py_ssize_t k,
                              Py_ssize_t i0, Py_ssize_t i1, double* buf, double* R,
                              double* RT) noexcept nogil
    void pyjl_quad_rows(int kind, const double* A, const double* BT, Py_ssize_t n, Py_ssize_t d,
                        const double* ls, Py_ssize_t nls, Py_ssize_t n_extra, double var,
                        double a, const double* U, const double* V, const double* UT,
                        const double* VT, Py_ssize_t k, Py_ssize_t i0, Py_ssize_t i1,
                        double* buf, double* acc) noexcept nogil


def _expn(double x):
    """The vectorisable ``exp`` of the row kernels (``x <= 0``), exposed for testing."""
    return pyjl_expn(x)


cdef int _check_kind(int kind) except -1:
    if not 0 <= kind < PYJL_N_KINDS:
        raise ValueError(f"unknown kernel kind code {kind}; one of 0..{PYJL_N_KINDS - 1}")
    return kind


def _scaled(X, const double[::1] ls, int kind):
    """X / lengthscale (stationary kinds); the periodic kind keeps X unscaled."""
    arr = np.asarray(X)
    if kind == PYJL_PERIODIC:  # a typed memoryview needs writable memory: copy a read-only input
        return np.require(arr, np.float64, ["C", "W"])
    return np.ascontiguousarray(arr / np.asarray(ls)[None, :] if ls.shape[0] > 1
                                else arr / ls[0])


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
    """Threads only for big loops: OpenMP workers that spin after a region slow the
    LAPACK calls in between, so the loops of a likelihood evaluation (interleaved with
    Cholesky factorisations) stay serial below this much work, and use threads above."""
    return n_threads if work >= 1.5e7 else 1


cdef inline int _cross_threads(double work, int n_threads) noexcept:
    """Threads for a cross-covariance ``k(X*, X)`` (prediction, acquisition): no LAPACK
    call is interleaved, so threads pay off from a few hundred microseconds of work."""
    return n_threads if work >= 1e6 else 1


def kernel_matrix(int kind, X1, X2, const double[::1] lengthscale,
                  double variance, const double[::1] extra, int n_threads):
    """``K[i, j] = k(X1[i], X2[j])``, ``(n1, n2)``; one fused distance+kernel pass per row.

    When ``X1 is X2`` only the upper triangle is computed and then mirrored."""
    cdef int kd = _check_kind(kind)
    cdef bint sym = X1 is X2 or X2 is None
    cdef double ex = extra[0] if extra.shape[0] > 0 else 0.0
    cdef double[:, ::1] A = _scaled(X1, lengthscale, kd)
    cdef double[:, ::1] B = A if sym else _scaled(X2, lengthscale, kd)
    cdef Py_ssize_t n1 = A.shape[0], n2 = B.shape[0], d = A.shape[1]
    cdef Py_ssize_t nls = lengthscale.shape[0], i, j, tid
    cdef const double* ls = &lengthscale[0]
    out = np.empty((n1, n2))
    cdef double[:, ::1] K = out
    cdef int nt = (_threads(<double>n1 * n2 * (d + 4) / 2.0, n_threads) if sym
                   else _cross_threads(<double>n1 * n2 * (d + 4), n_threads))
    if n1 == 0 or n2 == 0:
        return out
    if kd == PYJL_PERIODIC:
        if sym:
            for i in prange(n1, nogil=True, num_threads=nt, schedule="dynamic", chunksize=8):
                K[i, i] = variance
                for j in range(i + 1, n2):
                    K[i, j] = variance * pyjl_periodic(&A[i, 0], &B[j, 0], d, ls, nls, ex)
            _mirror(K, False, nt)
        else:
            for i in prange(n1, nogil=True, num_threads=nt, schedule="static"):
                for j in range(n2):
                    K[i, j] = variance * pyjl_periodic(&A[i, 0], &B[j, 0], d, ls, nls, ex)
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


def kernel_matrix_grad(int kind, X, const double[::1] lengthscale, double variance,
                       const double[::1] extra, int n_threads):
    """``(K (n, n), dK (p, n, n))``: derivatives with respect to the log-parameters."""
    cdef int kd = _check_kind(kind)
    cdef double ex = extra[0] if extra.shape[0] > 0 else 0.0
    cdef double[:, ::1] A = _scaled(X, lengthscale, kd)
    cdef Py_ssize_t n = A.shape[0], d = A.shape[1], nls = lengthscale.shape[0]
    cdef Py_ssize_t n_extra = extra.shape[0], p = nls + 1 + n_extra, i, j, q, tid
    cdef const double* ls = &lengthscale[0]
    out = np.empty((n, n))
    gout = np.zeros((p, n, n))
    cdef double[:, ::1] K = out
    cdef double[:, :, ::1] G = gout
    cdef double[:, ::1] buf
    cdef double[:, ::1] BT
    cdef int nt = _threads(<double>n * n * (d + 4) * 2, n_threads)
    if n == 0:
        return out, gout
    if kd == PYJL_PERIODIC:
        buf = np.zeros((n, p))
        for i in prange(n, nogil=True, num_threads=nt, schedule="dynamic", chunksize=8):
            K[i, i] = variance
            G[nls, i, i] = variance
            for j in range(i + 1, n):
                K[i, j] = variance * pyjl_periodic(&A[i, 0], &A[j, 0], d, ls, nls, ex)
                for q in range(p):
                    buf[i, q] = 0.0
                pyjl_periodic_grad(&A[i, 0], &A[j, 0], d, ls, nls, variance, ex, 1.0,
                                   &buf[i, 0])
                for q in range(p):
                    G[q, i, j] = buf[i, q]
    else:
        BT = np.ascontiguousarray(np.asarray(A).T)
        buf = np.empty((nt, n))
        for i in prange(n, nogil=True, num_threads=nt, schedule="dynamic", chunksize=8):
            tid = threadid()
            K[i, i] = variance
            G[nls, i, i] = variance
            if i + 1 < n:
                pyjl_grad_row(kd, &A[i, 0], &BT[0, 0], n, d, i + 1, n, nls, variance, ex,
                              &buf[tid, 0], &K[i, 0], &G[0, i, 0], n * n)
    _mirror(K, False, nt)
    for q in range(p):
        _mirror(G[q], False, nt)
    return out, gout


def kernel_grad_contract(int kind, X, const double[::1] lengthscale, double variance,
                         const double[::1] extra, const double[:, ::1] W, int n_threads):
    """``g[q] = sum_ij W[i, j] dK[i, j]/dtheta_q`` for symmetric ``W``, ``(p,)``.

    One fused pass over the upper triangle; no ``(p, n, n)`` tensor is formed."""
    cdef int kd = _check_kind(kind)
    cdef double ex = extra[0] if extra.shape[0] > 0 else 0.0
    cdef double[:, ::1] A = _scaled(X, lengthscale, kd)
    cdef Py_ssize_t n = A.shape[0], d = A.shape[1], nls = lengthscale.shape[0]
    cdef Py_ssize_t n_extra = extra.shape[0], p = nls + 1 + n_extra, i, j, tid
    cdef const double* ls = &lengthscale[0]
    acc_arr = np.zeros((max(n, 1), p))
    cdef double[:, ::1] acc = acc_arr
    cdef double trace = 0.0
    cdef int nt = _threads(<double>n * n * (d + 4), n_threads)
    cdef double[:, ::1] BT
    cdef double[:, ::1] r2buf
    cdef double[:, ::1] gbuf
    if kd == PYJL_PERIODIC:
        for i in prange(n, nogil=True, num_threads=nt, schedule="dynamic", chunksize=8):
            for j in range(i + 1, n):
                pyjl_periodic_grad(&A[i, 0], &A[j, 0], d, ls, nls, variance, ex,
                                   2.0 * W[i, j], &acc[i, 0])
    elif n > 1:
        BT = np.ascontiguousarray(np.asarray(A).T)
        r2buf = np.empty((nt, n))
        gbuf = np.empty((nt, n))
        for i in prange(n - 1, nogil=True, num_threads=nt, schedule="dynamic", chunksize=16):
            tid = threadid()
            pyjl_contract_row(kd, &A[i, 0], &BT[0, 0], n, d, i + 1, n, nls, n_extra,
                              variance, ex, &W[i, i + 1], 2.0, &r2buf[tid, 0], &gbuf[tid, 0],
                              &acc[i, 0])
    for i in range(n):
        trace += W[i, i]
    g = acc_arr.sum(axis=0)
    g[nls] += variance * trace
    return g


include "gp_free.pxi"


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
        info = _potrf_blocked(&L[0, 0], n)
    if info != 0:
        raise np.linalg.LinAlgError(
            f"matrix is not positive definite (leading minor {info} of {n})")
    for i in range(n):
        for j in range(i + 1, n):
            L[i, j] = 0.0
    return L_arr


DEF _CHOL_BLOCK = 512  # columns per block of _potrf_blocked (LAPACK's dpotrf on each)


cdef int _potrf_blocked(double *M, int n) noexcept nogil:
    """LAPACK ``dpotrf("U")`` of the column-major ``(n, n)`` ``M`` (a C-order lower
    factor), blocked right-looking here: each diagonal block of ``_CHOL_BLOCK`` by
    ``dpotrf``, the panel right of it by ``dtrsm``, the trailing upper triangle a block
    column at a time (``dgemm`` above the diagonal block, ``dsyrk`` of that block).
    LAPACK's own blocking updates the whole trailing triangle by one ``dsyrk``, but
    OpenBLAS's threaded ``dsyrk`` crashes on large matrices in some builds (0.3.30 with
    SkylakeX kernels on two threads: ``dpotrf`` from n = 15,900, ``dsyrk`` from about
    19,000; ``dgemm_oncopy`` in its ``inner_thread``), where its threaded ``dgemm``,
    ``dtrsm`` and small ``dsyrk`` are sound.  Returns LAPACK's ``info`` (``k > 0``: the
    leading minor of order ``k`` is not positive definite)."""
    cdef int j, jb, rest, c, cb, rows, info = 0
    cdef char up = b"U", left = b"L", trans = b"T", notrans = b"N", nodiag = b"N"
    cdef double one = 1.0, minus = -1.0
    if n <= 2 * _CHOL_BLOCK:
        dpotrf(&up, &n, M, &n, &info)
        return info
    for j in range(0, n, _CHOL_BLOCK):
        jb = min(_CHOL_BLOCK, n - j)
        rest = n - j - jb
        dpotrf(&up, &jb, M + j + <Py_ssize_t>j * n, &n, &info)
        if info != 0:
            return info + j
        if rest == 0:
            break
        # U[j:j+jb, j+jb:] = U_jj^-T M[j:j+jb, j+jb:]
        dtrsm(&left, &up, &trans, &nodiag, &jb, &rest, &one,
              M + j + <Py_ssize_t>j * n, &n, M + j + <Py_ssize_t>(j + jb) * n, &n)
        # M[j+jb:c+cb, c:c+cb] -= U[j:j+jb, j+jb:c+cb]^T U[j:j+jb, c:c+cb]: the upper
        # triangle of the trailing matrix, a block column at a time (the rectangle above
        # its diagonal block by dgemm, that block's triangle by a small dsyrk)
        for c in range(j + jb, n, _CHOL_BLOCK):
            cb = min(_CHOL_BLOCK, n - c)
            rows = c - (j + jb)
            if rows > 0:
                dgemm(&trans, &notrans, &rows, &cb, &jb, &minus,
                      M + j + <Py_ssize_t>(j + jb) * n, &n, M + j + <Py_ssize_t>c * n, &n,
                      &one, M + (j + jb) + <Py_ssize_t>c * n, &n)
            dsyrk(&up, &trans, &cb, &jb, &minus, M + j + <Py_ssize_t>c * n, &n,
                  &one, M + c + <Py_ssize_t>c * n, &n)
    return 0


def cho_solve(const double[:, ::1] L, B):
    """``(L L^T)^{-1} B`` for ``B`` of shape ``(n,)`` or ``(n, k)``."""
    Barr = np.asarray(B, dtype=np.float64)
    vec = Barr.ndim == 1
    X_arr = np.array(Barr.reshape(Barr.shape[0], -1).T, order="C", copy=True)  # (k, n) = F (n, k)
    cdef double[:, ::1] Xv = X_arr
    cdef int n = L.shape[0], nrhs = X_arr.shape[0], info = 0
    cdef char uplo = b"U"
    if n > 0 and nrhs > 0:
        with nogil:
            dpotrs(&uplo, &n, &nrhs, <double*>&L[0, 0], &n, &Xv[0, 0], &n, &info)
    res = X_arr.T
    return np.ascontiguousarray(res[:, 0]) if vec else np.ascontiguousarray(res)


def cho_inverse(const double[:, ::1] L, int n_threads=1):
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


include "gp_acquisition.pxi"
