# forward-backward, the forward pass and Viterbi (log_B given or diagonal-Gaussian
# log-densities computed inside) -- included by bindings/hmm.pyx

def forward_backward(const double[::1] log_pi, const double[:, ::1] log_A,
                     const double[:, ::1] log_B, const cnp.int64_t[::1] lengths,
                     int n_threads=1):
    """``(loglik (n_seq,), gamma (T, K), xi_sum (K, K))`` -- see the module doc."""
    cdef Py_ssize_t T = log_B.shape[0], K = log_B.shape[1]
    cdef Py_ssize_t n_seq = lengths.shape[0]
    cdef Py_ssize_t s, g, it, n_groups, start, length, longest, stride
    cdef Py_ssize_t n_blocks, n_items, in_blocks
    cdef int nt, tid
    _check_chain(log_pi, log_A, K)
    A_arr = np.exp(log_A)
    pi_arr = np.exp(log_pi)
    AT_arr = np.ascontiguousarray(A_arr.T)
    cdef const double[::1] pi = pi_arr
    cdef const double[:, ::1] A = A_arr
    cdef const double[:, ::1] AT = AT_arr
    offsets_arr = np.empty(n_seq + 1, dtype=np.int64)
    cdef cnp.int64_t[::1] off = offsets_arr
    longest = _plan(lengths, off, n_threads, &n_groups, &nt)
    _check_rows(longest, off, T)
    split_arr, order_arr, n_blocks, lane_work, in_blocks, longest, n_rest = _split_plan(
        lengths, longest, n_threads, K, 0)
    cdef const cnp.int64_t[::1] split = split_arr
    cdef const cnp.int64_t[::1] order = order_arr
    n_items = n_rest - in_blocks + n_blocks
    _groups(n_items, n_threads, &n_groups, &nt)
    nt = max(nt, 1)
    gamma_arr = _recycled("gamma", (T, K))
    loglik_arr = np.empty(n_seq, dtype=np.float64)
    stride = longest * (K + 1) + (PYJL_NB + 1) * K + PAD     # alpha, scales, w block, beta
    if n_blocks:
        stride = max(stride, lane_work)
    work_arr = _scratch("fb", nt * stride)
    xacc_arr = np.zeros((n_groups + 1) * (K * K + PAD), dtype=np.float64)  # + the split's
    cdef double[:, ::1] gam = gamma_arr
    cdef double[::1] loglik = loglik_arr
    cdef double[::1] work = work_arr
    cdef double[::1] xacc = xacc_arr
    cdef double* wk
    cdef double[::1] swork
    if split.shape[0]:
        swork = _scratch("split", PYJL_HSPLIT_WORK(lengths[split[0]], K, 0))
    for it in range(split.shape[0]):
        s = split[it]
        start = off[s]
        with nogil:
            loglik[s] = _split_sequence(&log_B[start, 0], NULL, NULL, NULL, 0, NULL, NULL,
                                        &pi[0], &A[0, 0], off[s + 1] - start, K,
                                        &gam[start, 0], &xacc[n_groups * (K * K + PAD)],
                                        NULL, &swork[0])
    for g in prange(n_groups, nogil=True, num_threads=nt, schedule="dynamic"):
        tid = threadid()
        wk = &work[tid * stride]
        for it in range(_bound(g, n_groups, n_items), _bound(g + 1, n_groups, n_items)):
            if it < n_blocks:
                pyjl_fb_lanes(&log_B[0, 0], &gam[0, 0], &off[0], &order[it * PYJL_LANES],
                              &loglik[0], &pi[0], &A[0, 0], &xacc[g * (K * K + PAD)], wk, K,
                              _block_rows(it, in_blocks))
                continue
            s = order[in_blocks + it - n_blocks]
            start = off[s]
            length = off[s + 1] - start
            loglik[s] = pyjl_fb_seq(&log_B[start, 0], &gam[start, 0], wk + longest,
                                    wk, &pi[0], &A[0, 0], &AT[0, 0],
                                    &xacc[g * (K * K + PAD)], wk + longest * (K + 1),
                                    length, K)
    xi = xacc_arr.reshape(n_groups + 1, K * K + PAD)[:, :K * K].sum(axis=0).reshape(K, K)
    xi *= A_arr
    return loglik_arr, gamma_arr, xi


def forward(const double[::1] log_pi, const double[:, ::1] log_A,
            const double[:, ::1] log_B, const cnp.int64_t[::1] lengths,
            int n_threads=1):
    """``loglik (n_seq,)``: the scaled forward pass only (what ``score`` needs)."""
    return _forward(log_pi, log_A, log_B, log_B.shape[1], NULL, lengths, n_threads)


def gaussian_forward(const double[::1] log_pi, const double[:, ::1] log_A,
                     const double[:, ::1] X, const double[:, ::1] mean,
                     const double[:, ::1] var, const cnp.int64_t[::1] lengths,
                     int n_threads=1):
    """``loglik (n_seq,)``: ``forward`` on ``gaussian_loglik(X, mean, var)``, the
    log-densities computed block by block inside the recursion (no ``(T, K)`` array)."""
    cdef pyjl_gauss_par gp
    _check_gauss(X, mean, var)
    alive = _gauss_struct(mean, var, X.shape[1], &gp)  # gp points into these
    return _forward(log_pi, log_A, X, mean.shape[0], &gp, lengths, n_threads)


cdef _forward(const double[::1] log_pi, const double[:, ::1] log_A, const double[:, ::1] rows,
              Py_ssize_t K, const pyjl_gauss_par* gp, const cnp.int64_t[::1] lengths,
              int n_threads):
    """The forward pass on ``rows``: log_B ``(T, K)`` (``gp`` NULL) or the observations
    ``(T, d)`` of diagonal-Gaussian emissions of parameters ``gp``."""
    cdef Py_ssize_t n_seq = lengths.shape[0], d = gp.d if gp != NULL else 0
    cdef Py_ssize_t s, g, it, n_groups, start, length, longest, stride
    cdef Py_ssize_t n_blocks, n_items, in_blocks
    cdef int nt, tid
    _check_chain(log_pi, log_A, K)
    pi_arr = np.exp(log_pi)
    A_arr = np.exp(log_A)
    cdef const double[::1] pi = pi_arr
    cdef const double[:, ::1] A = A_arr
    offsets_arr = np.empty(n_seq + 1, dtype=np.int64)
    cdef cnp.int64_t[::1] off = offsets_arr
    longest = _plan(lengths, off, n_threads, &n_groups, &nt)
    _check_rows(longest, off, rows.shape[0])
    order_arr, n_blocks, lane_work, in_blocks = _lane_plan(lengths, longest, K, 1, d)
    cdef const cnp.int64_t[::1] order = order_arr
    n_items = n_seq - in_blocks + n_blocks
    _groups(n_items, n_threads, &n_groups, &nt)
    loglik_arr = np.empty(n_seq, dtype=np.float64)
    stride = (2 + PYJL_BLOCK) * K + PAD
    if gp != NULL:
        stride += longest * K          # a sequence's log-densities, one at a time
    if n_blocks:
        stride = max(stride, lane_work)
    work_arr = _scratch("fb", nt * stride)
    cdef double[::1] loglik = loglik_arr
    cdef double[::1] work = work_arr
    cdef double* wk
    cdef const double* lb
    for g in prange(n_groups, nogil=True, num_threads=nt, schedule="dynamic"):
        tid = threadid()
        wk = &work[tid * stride]
        for it in range(_bound(g, n_groups, n_items), _bound(g + 1, n_groups, n_items)):
            if it < n_blocks:
                pyjl_fwd_lanes(&rows[0, 0], gp, &off[0], &order[it * PYJL_LANES], &loglik[0],
                               &pi[0], &A[0, 0], wk, K, _block_rows(it, in_blocks))
                continue
            s = order[in_blocks + it - n_blocks]
            start = off[s]
            length = off[s + 1] - start
            if gp != NULL:
                lb = wk + (2 + PYJL_BLOCK) * K + PAD
                pyjl_gauss(&rows[start, 0], gp.M, gp.IV, gp.cst, <double*> lb, length, d, K)
            else:
                lb = &rows[start, 0]
            loglik[s] = pyjl_fwd_seq(lb, &pi[0], &A[0, 0], wk, length, K)
    return loglik_arr


def viterbi(const double[::1] log_pi, const double[:, ::1] log_A,
            const double[:, ::1] log_B, const cnp.int64_t[::1] lengths,
            int n_threads=1):
    """``(path (T,) int64, logprob (n_seq,))``: 0-based states of the most
    likely path of each sequence and its joint log-probability."""
    return _viterbi(log_pi, log_A, log_B, log_B.shape[1], NULL, lengths, n_threads)


def gaussian_viterbi(const double[::1] log_pi, const double[:, ::1] log_A,
                     const double[:, ::1] X, const double[:, ::1] mean,
                     const double[:, ::1] var, const cnp.int64_t[::1] lengths,
                     int n_threads=1):
    """``(path (T,) int64, logprob (n_seq,))``: ``viterbi`` on ``gaussian_loglik(X, mean,
    var)``, the log-densities computed inside the recursion (no ``(T, K)`` array)."""
    cdef pyjl_gauss_par gp
    _check_gauss(X, mean, var)
    alive = _gauss_struct(mean, var, X.shape[1], &gp)  # gp points into these
    return _viterbi(log_pi, log_A, X, mean.shape[0], &gp, lengths, n_threads)


cdef _viterbi(const double[::1] log_pi, const double[:, ::1] log_A, const double[:, ::1] rows,
              Py_ssize_t K, const pyjl_gauss_par* gp, const cnp.int64_t[::1] lengths,
              int n_threads):
    """Viterbi on ``rows``: log_B ``(T, K)`` (``gp`` NULL) or the observations ``(T, d)``
    of diagonal-Gaussian emissions of parameters ``gp``."""
    cdef Py_ssize_t T = rows.shape[0], d = gp.d if gp != NULL else 0
    cdef Py_ssize_t n_seq = lengths.shape[0]
    cdef Py_ssize_t s, g, it, n_groups, start, length, longest, stride
    cdef Py_ssize_t n_blocks, n_items, in_blocks
    cdef int nt, tid
    _check_chain(log_pi, log_A, K)
    offsets_arr = np.empty(n_seq + 1, dtype=np.int64)
    cdef cnp.int64_t[::1] off = offsets_arr
    longest = _plan(lengths, off, n_threads, &n_groups, &nt)
    _check_rows(longest, off, T)
    order_arr, n_blocks, lane_work, in_blocks = _lane_plan(lengths, longest, K, 2, d)
    cdef const cnp.int64_t[::1] order = order_arr
    n_items = n_seq - in_blocks + n_blocks
    _groups(n_items, n_threads, &n_groups, &nt)
    path_arr = np.empty(T, dtype=np.int64)
    logprob_arr = np.empty(n_seq, dtype=np.float64)
    stride = longest * K + PAD
    if gp != NULL:
        stride += longest * K          # a sequence's log-densities, one at a time
    if n_blocks:
        stride = max(stride, lane_work)
    lat_arr = _scratch("fb", nt * stride)
    cdef cnp.int64_t[::1] path = path_arr
    cdef double[::1] lat = lat_arr
    cdef double[::1] logprob = logprob_arr
    cdef const double* lb
    for g in prange(n_groups, nogil=True, num_threads=nt, schedule="dynamic"):
        tid = threadid()
        for it in range(_bound(g, n_groups, n_items), _bound(g + 1, n_groups, n_items)):
            if it < n_blocks:
                pyjl_vit_lanes(&rows[0, 0], gp, &off[0], &order[it * PYJL_LANES], &logprob[0],
                               &path[0], &log_pi[0], &log_A[0, 0], &lat[tid * stride], K,
                               _block_rows(it, in_blocks))
                continue
            s = order[in_blocks + it - n_blocks]
            start = off[s]
            length = off[s + 1] - start
            if gp != NULL:
                lb = &lat[tid * stride + longest * K + PAD]
                pyjl_gauss(&rows[start, 0], gp.M, gp.IV, gp.cst, <double*> lb, length, d, K)
            else:
                lb = &rows[start, 0]
            logprob[s] = pyjl_vit_seq(lb, &log_pi[0], &log_A[0, 0], &lat[tid * stride],
                                      &path[start], length, K)
    return path_arr, logprob_arr
