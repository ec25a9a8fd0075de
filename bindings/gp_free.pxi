# the matrix-free products K V and sum U^T dK V (pyjl_gp_free.h) -- included by
# bindings/gp.pyx

cdef Py_ssize_t _ROWS = 32  # rows per block of the matrix-free products (one task each)


def _columns(B, const double[::1] ls, int kind):
    """The (d, n) transpose of the scaled points (stationary kinds); periodic keeps (n, d)."""
    Bs = _scaled(B, ls, kind)
    return Bs if kind == PYJL_PERIODIC else np.ascontiguousarray(Bs.T)


cdef Py_ssize_t _SYM_BYTES = 1 << 28  # most memory the per-thread halves of K V may take


def kernel_matvec(int kind, X1, X2, const double[::1] lengthscale, double variance,
                  const double[::1] extra, V, int n_threads):
    """``R = K(X1, X2) @ V``, ``(n1, k)`` for ``V (n2, k)``, by tiles: memory
    ``O((n1 + n2) (d + k))``, never the ``(n1, n2)`` matrix.

    When ``X2 is X1`` each entry of the upper triangle is computed once and serves both
    halves (the lower one into a ``(k, n)`` array per thread, added in thread order; the
    blocks go to the threads in a fixed order, so a result is reproducible for a given
    number of threads)."""
    cdef int kd = _check_kind(kind)
    cdef double ex = extra[0] if extra.shape[0] > 0 else 0.0
    cdef double[:, ::1] A = _scaled(X1, lengthscale, kd)
    cdef double[:, ::1] BT = _columns(X2, lengthscale, kd)
    cdef const double[:, ::1] Vm = np.ascontiguousarray(V, dtype=np.float64)
    cdef const double[:, ::1] VT = np.ascontiguousarray(np.asarray(Vm).T)
    cdef Py_ssize_t n1 = A.shape[0], d = A.shape[1], n2 = VT.shape[1], k = VT.shape[0]
    cdef Py_ssize_t nls = lengthscale.shape[0], nb = (n1 + _ROWS - 1) // _ROWS, b, tid, i1
    cdef Py_ssize_t t, b2
    cdef const double* ls = &lengthscale[0]
    out = np.zeros((n1, k))
    if n1 == 0 or n2 == 0 or k == 0:
        return out
    cdef double[:, ::1] R = out
    cdef bint sym = X2 is X1 and n_threads * k * n1 * 8 <= _SYM_BYTES
    cdef int nt = _cross_threads(<double>n1 * n2 * (d + 4 + 2 * k) / (2.0 if sym else 1.0),
                                 n_threads)
    cdef double[:, ::1] buf = np.empty((nt, 5 * PYJL_TILE))
    cdef double[:, :, ::1] RT
    if sym:
        RT_arr = np.zeros((nt, k, n1))
        RT = RT_arr
        # task t takes the blocks t and nb - 1 - t: even work, in a fixed (static) order
        for t in prange((nb + 1) // 2, nogil=True, num_threads=nt, schedule="static",
                        chunksize=1):
            tid = threadid()
            b2 = nb - 1 - t
            i1 = (t + 1) * _ROWS if (t + 1) * _ROWS < n1 else n1
            pyjl_matvec_sym_rows(kd, &A[0, 0], &BT[0, 0], n1, d, ls, nls, variance, ex,
                                 &Vm[0, 0], &VT[0, 0], k, t * _ROWS, i1, &buf[tid, 0],
                                 &R[0, 0], &RT[tid, 0, 0])
            if b2 != t:
                i1 = (b2 + 1) * _ROWS if (b2 + 1) * _ROWS < n1 else n1
                pyjl_matvec_sym_rows(kd, &A[0, 0], &BT[0, 0], n1, d, ls, nls, variance, ex,
                                     &Vm[0, 0], &VT[0, 0], k, b2 * _ROWS, i1, &buf[tid, 0],
                                     &R[0, 0], &RT[tid, 0, 0])
        for t in range(nt):
            out += RT_arr[t].T
        return out
    for b in prange(nb, nogil=True, num_threads=nt, schedule="dynamic"):
        tid = threadid()
        i1 = (b + 1) * _ROWS if (b + 1) * _ROWS < n1 else n1
        pyjl_matvec_rows(kd, &A[0, 0], &BT[0, 0], n2, d, ls, nls, variance, ex, &VT[0, 0], k,
                         b * _ROWS, i1, &buf[tid, 0], &R[0, 0])
    return out


def kernel_grad_quad(int kind, X, const double[::1] lengthscale, double variance,
                     const double[::1] extra, U, V, int n_threads):
    """``g[q] = sum_i U[:, i]^T dK/dtheta_q V[:, i]``, ``(p,)``, for ``U``, ``V`` ``(n, k)``
    and ``K = K(X, X)``; by tiles of ``U V^T + V U^T`` over the upper triangle of ``K``.

    Each block of rows sums into its own row of partial sums, added in a fixed order
    at the end: the result does not depend on the number of threads."""
    cdef int kd = _check_kind(kind)
    cdef double ex = extra[0] if extra.shape[0] > 0 else 0.0
    cdef double[:, ::1] A = _scaled(X, lengthscale, kd)
    cdef const double[:, ::1] Um = np.ascontiguousarray(U, dtype=np.float64)
    cdef const double[:, ::1] Vm = np.ascontiguousarray(V, dtype=np.float64)
    cdef Py_ssize_t n = A.shape[0], d = A.shape[1], k = Um.shape[1]
    cdef Py_ssize_t nls = lengthscale.shape[0], n_extra = extra.shape[0]
    cdef Py_ssize_t p = nls + 1 + n_extra, nb = (n + _ROWS - 1) // _ROWS, b, tid, i1
    cdef const double* ls = &lengthscale[0]
    acc_arr = np.zeros((max(nb, 1), p))
    if n == 0 or k == 0:
        return acc_arr.sum(axis=0)
    cdef double[:, ::1] acc = acc_arr
    cdef double[:, ::1] BT = A if kd == PYJL_PERIODIC else np.ascontiguousarray(
        np.asarray(A).T)
    cdef const double[:, ::1] UT = np.ascontiguousarray(np.asarray(Um).T)
    cdef const double[:, ::1] VT = np.ascontiguousarray(np.asarray(Vm).T)
    cdef int nt = _cross_threads(<double>n * n * (d + 4 + 2 * k) / 2.0, n_threads)
    cdef double[:, ::1] buf = np.empty((nt, 6 * PYJL_TILE))
    for b in prange(nb, nogil=True, num_threads=nt, schedule="dynamic"):
        tid = threadid()
        i1 = (b + 1) * _ROWS if (b + 1) * _ROWS < n else n
        pyjl_quad_rows(kd, &A[0, 0], &BT[0, 0], n, d, ls, nls, n_extra, variance, ex,
                       &Um[0, 0], &Vm[0, 0], &UT[0, 0], &VT[0, 0], k, b * _ROWS, i1,
                       &buf[tid, 0], &acc[b, 0])
    return acc_arr.sum(axis=0)
