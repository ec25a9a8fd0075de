# the fused diagonal-Gaussian E-step -- included by bindings/hmm.pyx
#
# One parallel pass per EM iteration for diagonal-Gaussian emissions: each thread takes
# whole sequences and, per sequence, computes its log-densities, runs forward-backward and
# adds the posterior-weighted moments into its group's accumulators.  Nothing of size
# (T, K) is ever allocated: the working memory is threads x (longest sequence) x (3K + 1)
# one sequence at a time, less in lanes (see the module docstring); a sequence split over
# two threads (hmm_split.pxi) takes (3K + 1) x its length once.

# emission factors the E-step keeps from the forward pass, all threads together (-1: the
# default, max(PYJL_KEEP, PYJL_KEEP_STATE * K))
cdef Py_ssize_t _estep_keep = -1


def _set_estep_keep(numbers):
    """Let the E-step keep ``numbers`` emission factors from the forward pass, shared by
    its threads (``None``: the default budget; 0: none, every factor computed again);
    returns the previous setting (the tests cover all, some and none of a block's
    factors kept)."""
    global _estep_keep
    old = None if _estep_keep < 0 else _estep_keep
    if numbers is not None and numbers < 0:
        raise ValueError(f"numbers must be None or >= 0, got {numbers}")
    _estep_keep = -1 if numbers is None else numbers
    return old


def gaussian_estep(const double[::1] log_pi, const double[:, ::1] log_A,
                   const double[:, ::1] X, const double[:, ::1] mean,
                   const double[:, ::1] var, const double[::1] shift,
                   const cnp.int64_t[::1] lengths, int n_threads=1):
    """``(loglik (n_seq,), start (K,), xi_sum (K, K), N (K,), S1 (K, d), S2 (K, d))``:
    ``forward_backward`` on ``gaussian_loglik(X, mean, var)`` and ``weighted_moments(X,
    gamma, shift)`` of its posteriors, plus ``start = sum over sequences of gamma[first
    row]`` -- without materialising ``log_B`` or ``gamma``."""
    cdef Py_ssize_t T = X.shape[0], d = X.shape[1], K = mean.shape[0]
    cdef Py_ssize_t n_seq = lengths.shape[0]
    cdef Py_ssize_t s, g, k, it, n_groups, start, length, longest, stride, fb_stride, width
    cdef Py_ssize_t n_blocks, n_items, in_blocks
    cdef int nt, tid
    _check_chain(log_pi, log_A, K)
    _check_gauss(X, mean, var)
    _check_shift(shift, d)
    A_arr = np.exp(log_A)
    pi_arr = np.exp(log_pi)
    AT_arr = np.ascontiguousarray(A_arr.T)
    M_arr, IV_arr, cst_arr = _gauss_params(mean, var)
    cdef const double[::1] pi = pi_arr
    cdef const double[:, ::1] A = A_arr
    cdef const double[:, ::1] AT = AT_arr
    cdef const double[:, ::1] M = M_arr
    cdef const double[:, ::1] IV = IV_arr
    cdef const double[::1] cst = cst_arr
    offsets_arr = np.empty(n_seq + 1, dtype=np.int64)
    cdef cnp.int64_t[::1] off = offsets_arr
    longest = _plan(lengths, off, n_threads, &n_groups, &nt)
    _check_rows(longest, off, T)
    cdef Py_ssize_t keep = (_estep_keep if _estep_keep >= 0
                            else max(PYJL_KEEP, PYJL_KEEP_STATE * K)) // max(1, n_threads)
    split_arr, order_arr, n_blocks, lane_work, in_blocks, longest, n_rest = _split_plan(
        lengths, longest, n_threads, K, 3, d, keep)
    cdef const cnp.int64_t[::1] split = split_arr
    cdef const cnp.int64_t[::1] order = order_arr
    n_items = n_rest - in_blocks + n_blocks
    _groups(n_items, n_threads, &n_groups, &nt)
    nt = max(nt, 1)
    loglik_arr = np.empty(n_seq, dtype=np.float64)
    fb_stride = longest * (K + 1) + (PYJL_NB + 1) * K + PAD  # scales, alpha, w block, beta
    stride = fb_stride + 2 * longest * K + PAD                # + log_B and gamma rows
    if n_blocks:
        stride = max(stride, lane_work)
    work_arr = _scratch("estep", nt * stride)
    # per group: xi sums (K * K), start posteriors (K), N, S1, S2 ((2d + 1) K)
    width = K * K + K + (2 * d + 1) * K + PAD
    acc_arr = np.zeros((n_groups + 1, width), dtype=np.float64)   # + the split's
    cdef double[::1] loglik = loglik_arr
    cdef double[::1] work = work_arr
    cdef double[:, ::1] acc = acc_arr
    cdef double* wk
    cdef double* lb
    cdef double* gm
    cdef double[::1] swork
    if split.shape[0]:
        swork = _scratch("split", PYJL_HSPLIT_WORK(lengths[split[0]], K, d))
    for it in range(split.shape[0]):
        s = split[it]
        start = off[s]
        with nogil:
            loglik[s] = _split_sequence(&X[start, 0], &M[0, 0], &IV[0, 0], &cst[0], d,
                                        &X[start, 0], &shift[0], &pi[0], &A[0, 0],
                                        off[s + 1] - start, K, NULL, &acc[n_groups, 0],
                                        &acc[n_groups, K * K], &swork[0])
    for g in prange(n_groups, nogil=True, num_threads=nt, schedule="dynamic"):
        tid = threadid()
        wk = &work[tid * stride]
        lb = wk + fb_stride
        gm = lb + longest * K
        for it in range(_bound(g, n_groups, n_items), _bound(g + 1, n_groups, n_items)):
            if it < n_blocks:
                pyjl_estep_lanes(&X[0, 0], d, &off[0], &order[it * PYJL_LANES], &loglik[0],
                                 &M[0, 0], &IV[0, 0], &cst[0], &pi[0], &A[0, 0], &shift[0],
                                 &acc[g, 0], wk, keep, K, _block_rows(it, in_blocks))
                continue
            s = order[in_blocks + it - n_blocks]
            start = off[s]
            length = off[s + 1] - start
            pyjl_gauss(&X[start, 0], &M[0, 0], &IV[0, 0], &cst[0], lb, length, d, K)
            loglik[s] = pyjl_fb_seq(lb, gm, wk + longest, wk, &pi[0], &A[0, 0], &AT[0, 0],
                                    &acc[g, 0], wk + longest * (K + 1), length, K)
            for k in range(K):
                acc[g, K * K + k] += gm[k]
            pyjl_moments(&X[start, 0], gm, &shift[0], &acc[g, K * K + K], length, d, K)
    tot = acc_arr[:, :width - PAD].sum(axis=0)
    xi = tot[:K * K].reshape(K, K) * A_arr
    m = tot[K * K + K:]
    return (loglik_arr, tot[K * K:K * K + K].copy(), xi, m[:K].copy(),
            m[K:(d + 1) * K].reshape(d, K).T.copy(), m[(d + 1) * K:].reshape(d, K).T.copy())
