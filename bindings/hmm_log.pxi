# the log-space forward pass and forward-backward (pyjl_hmm_log.h), for models with
# zero transition probabilities -- included by bindings/hmm.pyx

from libc.math cimport INFINITY

cdef extern from "pyjl_hmm.h":   # pyjl_hmm_log.h
    double pyjl_log_fwd_only(const double* logB, const double* lpi, const double* AT,
                             const double* lAT, double* work, Py_ssize_t T,
                             Py_ssize_t K) noexcept nogil
    double pyjl_log_fb(const double* logB, const double* lpi, const double* A,
                       const double* lA, const double* AT, const double* lAT, double* gam,
                       double* xacc, double* work, Py_ssize_t T, Py_ssize_t K) noexcept nogil


def forward_log(const double[::1] log_pi, const double[:, ::1] log_A,
                const double[:, ::1] log_B, const cnp.int64_t[::1] lengths,
                int n_threads=1):
    """``loglik (n_seq,)`` of the forward pass in log space: ``forward``'s result where the
    scaled pass loses nothing, exact where it loses a state the chain has left behind."""
    cdef Py_ssize_t K = log_B.shape[1], n_seq = lengths.shape[0]
    cdef Py_ssize_t s, g, n_groups, start, longest
    cdef int nt, tid
    _check_chain(log_pi, log_A, K)
    offsets_arr = np.empty(n_seq + 1, dtype=np.int64)
    cdef cnp.int64_t[::1] off = offsets_arr
    longest = _plan(lengths, off, n_threads, &n_groups, &nt)
    _check_rows(longest, off, log_B.shape[0])
    lAT_arr = np.ascontiguousarray(np.asarray(log_A).T)
    AT_arr = np.exp(lAT_arr)
    cdef const double[:, ::1] lAT = lAT_arr
    cdef const double[:, ::1] AT = AT_arr
    loglik_arr = np.empty(n_seq, dtype=np.float64)
    cdef double[::1] loglik = loglik_arr
    cdef Py_ssize_t stride = 3 * K + PAD
    work_arr = _scratch("log", nt * stride)
    cdef double[::1] work = work_arr
    cdef double* wk
    for g in prange(n_groups, nogil=True, num_threads=nt, schedule="dynamic"):
        tid = threadid()
        wk = &work[tid * stride]
        for s in range(_bound(g, n_groups, n_seq), _bound(g + 1, n_groups, n_seq)):
            start = off[s]
            loglik[s] = pyjl_log_fwd_only(&log_B[start, 0], &log_pi[0], &AT[0, 0],
                                          &lAT[0, 0], wk, off[s + 1] - start, K)
    return loglik_arr


def forward_backward_log(const double[::1] log_pi, const double[:, ::1] log_A,
                         const double[:, ::1] log_B, const cnp.int64_t[::1] lengths,
                         int n_threads=1):
    """``(loglik (n_seq,), gamma (T, K), xi_sum (K, K))`` in log space: those of
    ``forward_backward`` where the scaled recursion loses nothing, exact where it loses a
    state the chain has left behind.  A sequence of probability zero has zero posteriors
    and adds nothing to ``xi_sum``."""
    cdef Py_ssize_t T = log_B.shape[0], K = log_B.shape[1], n_seq = lengths.shape[0]
    cdef Py_ssize_t s, g, n_groups, start, longest, t, k
    cdef int nt, tid
    _check_chain(log_pi, log_A, K)
    offsets_arr = np.empty(n_seq + 1, dtype=np.int64)
    cdef cnp.int64_t[::1] off = offsets_arr
    longest = _plan(lengths, off, n_threads, &n_groups, &nt)
    _check_rows(longest, off, T)
    A_arr = np.exp(log_A)
    lAT_arr = np.ascontiguousarray(np.asarray(log_A).T)
    AT_arr = np.exp(lAT_arr)
    cdef const double[:, ::1] A = A_arr
    cdef const double[:, ::1] lAT = lAT_arr
    cdef const double[:, ::1] AT = AT_arr
    gamma_arr = _recycled("gamma", (T, K))
    loglik_arr = np.empty(n_seq, dtype=np.float64)
    xacc_arr = np.zeros(n_groups * (K * K + PAD), dtype=np.float64)
    cdef double[:, ::1] gam = gamma_arr
    cdef double[::1] loglik = loglik_arr
    cdef double[::1] xacc = xacc_arr
    cdef Py_ssize_t stride = 5 * K + PAD
    work_arr = _scratch("log", nt * stride)
    cdef double[::1] work = work_arr
    cdef double* wk
    for g in prange(n_groups, nogil=True, num_threads=nt, schedule="dynamic"):
        tid = threadid()
        wk = &work[tid * stride]
        for s in range(_bound(g, n_groups, n_seq), _bound(g + 1, n_groups, n_seq)):
            start = off[s]
            loglik[s] = pyjl_log_fb(&log_B[start, 0], &log_pi[0], &A[0, 0], &log_A[0, 0],
                                    &AT[0, 0], &lAT[0, 0], &gam[start, 0],
                                    &xacc[g * (K * K + PAD)], wk, off[s + 1] - start, K)
            if loglik[s] == -INFINITY:
                for t in range(start, off[s + 1]):
                    for k in range(K):
                        gam[t, k] = 0.0
    xi = xacc_arr.reshape(n_groups, K * K + PAD)[:, :K * K].sum(axis=0).reshape(K, K)
    return loglik_arr, gamma_arr, xi
