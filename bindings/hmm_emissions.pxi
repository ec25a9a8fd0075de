# emission kernels -- included by bindings/hmm.pyx
#
# Diagonal-Gaussian log-densities and weighted moments: the per-observation loops of the
# Normal / MvNormal("diag", "spherical") emissions, without BLAS calls on tall, skinny
# matrices (whose threading is slow for d, K this small).

DEF MIN_ROWS = 4096      # rows per thread below which a team of threads costs more than it saves


cdef inline int _row_threads(Py_ssize_t T, Py_ssize_t work_per_row, int n_threads) noexcept nogil:
    """Threads worth starting for ``T`` rows (one thread for small inputs)."""
    cdef Py_ssize_t n = (T * work_per_row) // (MIN_ROWS * 16)
    if n < 1:
        return 1
    return <int> min(max(1, n_threads), n)


def _gauss_params(mean, var):
    """``(M (d, K), IV (d, K), cst (K,))`` of the Gaussian kernels: the means and inverse
    standard deviations transposed, and each state's log-normaliser."""
    var_np = np.asarray(var)
    return (np.ascontiguousarray(np.asarray(mean).T),
            np.ascontiguousarray((1.0 / np.sqrt(var_np)).T),
            -0.5 * (var_np.shape[1] * np.log(2.0 * np.pi) + np.log(var_np).sum(1)))


cdef tuple _gauss_struct(mean, var, Py_ssize_t d, pyjl_gauss_par* gp):
    """:func:`_gauss_params` of ``mean``, ``var`` into ``gp`` (no shift); returns the
    arrays ``gp`` points into, which the caller keeps alive while ``gp`` is used."""
    arrays = _gauss_params(mean, var)
    cdef const double[:, ::1] M = arrays[0]
    cdef const double[:, ::1] IV = arrays[1]
    cdef const double[::1] cst = arrays[2]
    gp.M, gp.IV, gp.cst, gp.shift, gp.d = &M[0, 0], &IV[0, 0], &cst[0], NULL, d
    return arrays


def gaussian_loglik(const double[:, ::1] X, const double[:, ::1] mean,
                    const double[:, ::1] var, int n_threads=1):
    """``out[t, k] = -0.5 * (d log 2 pi + sum_j log var[k, j]
    + sum_j (X[t, j] - mean[k, j])^2 / var[k, j])``; ``X (T, d)``, ``mean``/``var``
    ``(K, d)``; returns ``(T, K)``."""
    cdef Py_ssize_t T = X.shape[0], d = X.shape[1], K = mean.shape[0]
    cdef Py_ssize_t c, lo, hi
    _check_gauss(X, mean, var)
    M_arr, IV_arr, cst_arr = _gauss_params(mean, var)
    cdef const double[:, ::1] M = M_arr
    cdef const double[:, ::1] IV = IV_arr
    cdef const double[::1] cst = cst_arr
    out_arr = _recycled("loglik", (T, K))
    cdef double[:, ::1] out = out_arr
    cdef int nt = _row_threads(T, K * d, n_threads)
    if T == 0:
        return out_arr
    if nt == 1:
        with nogil:
            pyjl_gauss(&X[0, 0], &M[0, 0], &IV[0, 0], &cst[0], &out[0, 0], T, d, K)
        return out_arr
    for c in prange(nt, nogil=True, num_threads=nt, schedule="static"):
        lo = c * T // nt
        hi = (c + 1) * T // nt
        if hi > lo:
            pyjl_gauss(&X[lo, 0], &M[0, 0], &IV[0, 0], &cst[0], &out[lo, 0], hi - lo, d, K)
    return out_arr


def weighted_moments(const double[:, ::1] X, const double[:, ::1] W,
                     const double[::1] shift, int n_threads=1):
    """``(N (K,), S1 (K, d), S2 (K, d))`` with ``N = sum_t W[t]``,
    ``S1[k] = sum_t W[t, k] (X[t] - shift)`` and ``S2[k] = sum_t W[t, k] (X[t] - shift)^2``."""
    cdef Py_ssize_t T = X.shape[0], d = X.shape[1], K = W.shape[1]
    cdef Py_ssize_t c, lo, hi
    if W.shape[0] != T:
        raise ValueError(f"W must have the {T} rows of X; got {W.shape[0]}")
    _check_shift(shift, d)
    cdef int nt = _row_threads(T, K * d, n_threads)
    cdef Py_ssize_t width = (2 * d + 1) * K + PAD
    part_arr = np.zeros((nt, width), dtype=np.float64)
    cdef double[:, ::1] part = part_arr
    if T > 0:
        if nt == 1:
            with nogil:
                pyjl_moments(&X[0, 0], &W[0, 0], &shift[0], &part[0, 0], T, d, K)
        else:
            for c in prange(nt, nogil=True, num_threads=nt, schedule="static"):
                lo = c * T // nt
                hi = (c + 1) * T // nt
                if hi > lo:
                    pyjl_moments(&X[lo, 0], &W[lo, 0], &shift[0], &part[c, 0], hi - lo, d, K)
    tot = part_arr[:, :(2 * d + 1) * K].sum(axis=0) if nt > 1 else part_arr[0, :(2 * d + 1) * K]
    return tot[:K].copy(), tot[K:(d + 1) * K].reshape(d, K).T.copy(), \
        tot[(d + 1) * K:].reshape(d, K).T.copy()
