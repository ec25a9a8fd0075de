# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Hidden-Markov-model kernels: scaled forward-backward and log-space Viterbi.

Layout contract (trusted, validated by ``pyjl.hmm``): ``log_pi`` float64
``(K,)``, ``log_A`` float64 C-contiguous ``(K, K)`` (row = from-state),
``log_B`` float64 C-contiguous ``(T, K)``, ``lengths`` int64 ``(n_seq,)``
with positive entries summing to ``T``.

Forward-backward works in probability space with per-step scaling
(Rabiner 1989, section V.A): ``b_t = exp(log_B[t] - max_k log_B[t, k])``, the
forward vector is renormalised at every step and the log of each scale (plus
the subtracted maximum) is summed into the log-likelihood, so nothing
underflows however long the sequence.  The emission factors ``b_t`` live in
the ``gamma`` output buffer until the backward pass overwrites them with the
posteriors, so the kernel needs only one extra ``(T, K)`` array (the forward
variables).  Viterbi runs in log space on a ``(T, K)`` lattice and backtracks by
recomputing each predecessor (no back-pointer array); among equally likely paths
it picks hmmlearn's: the lowest final state, and the highest-numbered
predecessor at each earlier step.

Sequences are independent: they are split into contiguous groups processed by
``prange`` (``nogil``) with ``n_threads`` threads; each group sums its own
transition posteriors, added together at the end.
"""

import numpy as np
cimport numpy as cnp
from cython.parallel cimport prange
from libc.math cimport exp, log, INFINITY
from libc.stdlib cimport malloc, free

cnp.import_array()

import threading

_scratch_local = threading.local()
_SCRATCH_KEEP = 1 << 23          # keep at most 64 MB of scratch per thread between calls


def _scratch(name, shape):
    """A float64 work array of ``shape`` reused across calls (per Python thread): the
    kernels' internal buffers (forward variables, scales, lattices) then do not page-fault
    afresh at every EM iteration.  Never returned to the caller."""
    n = 1
    for m in shape:
        n *= m
    buf = getattr(_scratch_local, name, None)
    if buf is None or buf.size < n:
        buf = np.empty(max(n, 1), dtype=np.float64)
        if n <= _SCRATCH_KEEP:
            setattr(_scratch_local, name, buf)
    return buf[:n].reshape(shape)

cdef extern from *:
    # restrict-qualified pointers: the buffers never alias, which lets the C
    # compiler keep the K-vectors in registers and vectorise the K x K loops
    ctypedef double* dptr "double * __restrict__"
    ctypedef const double* cdptr "const double * __restrict__"

cdef extern from *:
    """
    /* xacc[i, j] += sum_s arows[s, i] * wrows[s, j] over nb steps (a small block of
       outer products, so xacc is loaded and stored once per block). */
    static inline void pyjl_xi_block(double *__restrict__ xacc, const double *__restrict__ arows,
                                     const double *__restrict__ wrows, Py_ssize_t nb,
                                     Py_ssize_t K) {
        for (Py_ssize_t i = 0; i < K; i++) {
            double *__restrict__ row = xacc + i * K;
            for (Py_ssize_t s = 0; s < nb; s++) {
                double ai = arows[s * K + i];
                const double *__restrict__ w = wrows + s * K;
                for (Py_ssize_t j = 0; j < K; j++) row[j] += ai * w[j];
            }
        }
    }
    """
    void pyjl_xi_block(double* xacc, const double* arows, const double* wrows, Py_ssize_t nb,
                       Py_ssize_t K) noexcept nogil

DEF NB = 8          # steps per block of transition-posterior outer products


cdef inline double _shift_rows(cdptr logB, dptr out, Py_ssize_t T,
                               Py_ssize_t K) noexcept nogil:
    """``out[t] = logB[t] - max_k logB[t, k]`` (a row of -inf stays -inf); returns the
    sum of the row maxima (the part of the log-likelihood taken out)."""
    cdef Py_ssize_t t, j
    cdef double m, msum = 0.0
    cdef cdptr lb
    cdef dptr o
    for t in range(T):
        lb = logB + t * K
        o = out + t * K
        m = lb[0]
        for j in range(1, K):
            m = lb[j] if lb[j] > m else m
        if m == -INFINITY:          # impossible under every state: zeros, not NaN
            m = 0.0
        for j in range(K):
            o[j] = lb[j] - m
        msum += m
    return msum


cdef inline double _fwd_only(cdptr gam, dptr a, dptr ap, cdptr pi, cdptr A,
                             Py_ssize_t T, Py_ssize_t K) noexcept nogil:
    """Scaled forward pass over one sequence whose emission factors ``b_t`` are the rows
    of ``gam``; O(K) memory; returns ``sum_t log c_t`` (``-inf`` if impossible)."""
    cdef Py_ssize_t t, i, j
    cdef double c, ll = 0.0, ai, v
    cdef cdptr b
    cdef dptr sw
    for t in range(T):
        b = gam + t * K
        if t == 0:
            for j in range(K):
                a[j] = pi[j] * b[j]
        else:
            for j in range(K):
                a[j] = 0.0
            for i in range(K):
                ai = ap[i]
                for j in range(K):
                    a[j] += ai * A[i * K + j]
            for j in range(K):
                a[j] *= b[j]
        c = 0.0
        for j in range(K):
            c += a[j]
        if not (c > 0.0):
            return -INFINITY
        v = 1.0 / c
        for j in range(K):
            a[j] *= v
        ll += log(c)
        sw = ap
        ap = a
        a = sw
    return ll


cdef inline double _fb_one(cdptr logB, dptr gam, dptr alpha,
                           cdptr pi, cdptr A, cdptr AT,
                           dptr xacc, dptr scale, dptr wbuf,
                           dptr beta, dptr bnext, dptr bcur,
                           Py_ssize_t T, Py_ssize_t K) noexcept nogil:
    """Forward-backward over one sequence whose emission factors ``b_t`` are already
    the rows of ``gam``; returns ``sum_t log c_t`` and adds
    ``sum_t alpha_t[i] * (b_{t+1} beta_{t+1})[j] / c_{t+1}`` into ``xacc``
    (the caller multiplies by ``A[i, j]``)."""
    cdef Py_ssize_t t, i, j
    cdef double m, c, ll = 0.0, ai, v
    cdef cdptr lb
    cdef dptr b
    cdef dptr a
    cdef dptr ap
    cdef dptr g
    cdef double* tmp
    cdef bint dead = False
    cdef Py_ssize_t nin
    # forward
    for t in range(T):
        b = gam + t * K
        a = alpha + t * K
        if t == 0:
            for j in range(K):
                a[j] = pi[j] * b[j]
        else:
            ap = alpha + (t - 1) * K
            for j in range(K):
                a[j] = 0.0
            for i in range(K):
                ai = ap[i]
                for j in range(K):
                    a[j] += ai * A[i * K + j]
            for j in range(K):
                a[j] *= b[j]
        c = 0.0
        for j in range(K):
            c += a[j]
        if not (c > 0.0):          # impossible observation under the model
            dead = True
            c = 1.0
        scale[t] = c
        v = 1.0 / c
        for j in range(K):
            a[j] *= v
        ll += log(c)
    # backward.  tmp_t = b_{t+1} * beta_{t+1} / c_{t+1} is formed while b_{t+1} is still
    # in row t+1 of `gam` (before gamma_{t+1} overwrites it) and kept in the block buffer
    # `wbuf`; beta_t = A tmp_t, xi_t = alpha_t (x) tmp_t (times A), gamma_t = alpha_t * beta_t.
    g = gam + (T - 1) * K
    a = alpha + (T - 1) * K
    nin = 0
    if T > 1:
        tmp = wbuf + (NB - 1) * K
        v = 1.0 / scale[T - 1]
        for j in range(K):
            tmp[j] = g[j] * v                      # beta_{T-1} = 1
    for j in range(K):
        g[j] = a[j]
    for t in range(T - 2, -1, -1):
        g = gam + t * K
        a = alpha + t * K
        tmp = wbuf + (NB - 1 - nin) * K
        # beta_t[i] = sum_j A[i, j] tmp[j]  (via A^T so the inner loop is contiguous)
        for i in range(K):
            beta[i] = 0.0
        for j in range(K):
            v = tmp[j]
            for i in range(K):
                beta[i] += AT[j * K + i] * v
        # transition posteriors (times A, applied by the caller), NB steps at a time
        nin = nin + 1
        if nin == NB or t == 0:
            pyjl_xi_block(xacc, a, wbuf + (NB - nin) * K, nin, K)
            nin = 0
        if t > 0:                                  # tmp_{t-1}, from b_t still in row t
            tmp = wbuf + (NB - 1 - nin) * K
            v = 1.0 / scale[t]
            for j in range(K):
                tmp[j] = g[j] * beta[j] * v
        c = 0.0
        for i in range(K):
            g[i] = a[i] * beta[i]
            c += g[i]
        if c > 0.0:
            v = 1.0 / c
            for i in range(K):
                g[i] *= v
    if dead:
        return -INFINITY
    return ll


cdef double _fb_dispatch(const double* logB, double* gam, double* alpha,
                         const double* pi, const double* A, const double* AT,
                         double* xacc, double* scale, double* tmp,
                         double* beta, double* bnext, double* bcur,
                         Py_ssize_t T, Py_ssize_t K) noexcept nogil:
    """Call :func:`_fb_one` with a compile-time ``K`` for common small sizes
    (the C compiler then unrolls and vectorises the K x K loops)."""
    if K == 2:
        return _fb_one(logB, gam, alpha, pi, A, AT, xacc, scale, tmp, beta, bnext, bcur, T, 2)
    if K == 3:
        return _fb_one(logB, gam, alpha, pi, A, AT, xacc, scale, tmp, beta, bnext, bcur, T, 3)
    if K == 4:
        return _fb_one(logB, gam, alpha, pi, A, AT, xacc, scale, tmp, beta, bnext, bcur, T, 4)
    if K == 5:
        return _fb_one(logB, gam, alpha, pi, A, AT, xacc, scale, tmp, beta, bnext, bcur, T, 5)
    if K == 6:
        return _fb_one(logB, gam, alpha, pi, A, AT, xacc, scale, tmp, beta, bnext, bcur, T, 6)
    if K == 8:
        return _fb_one(logB, gam, alpha, pi, A, AT, xacc, scale, tmp, beta, bnext, bcur, T, 8)
    if K == 16:
        return _fb_one(logB, gam, alpha, pi, A, AT, xacc, scale, tmp, beta, bnext, bcur, T, 16)
    return _fb_one(logB, gam, alpha, pi, A, AT, xacc, scale, tmp, beta, bnext, bcur, T, K)


def forward_backward(const double[::1] log_pi, const double[:, ::1] log_A,
                     const double[:, ::1] log_B, const cnp.int64_t[::1] lengths,
                     int n_threads=1):
    """``(loglik (n_seq,), gamma (T, K), xi_sum (K, K))`` -- see the module doc."""
    cdef Py_ssize_t T = log_B.shape[0], K = log_B.shape[1]
    cdef Py_ssize_t n_seq = lengths.shape[0]
    cdef Py_ssize_t s, g, i, j, n_groups
    cdef cnp.ndarray[cnp.float64_t, ndim=1] pi_arr = np.exp(np.asarray(log_pi))
    cdef cnp.ndarray[cnp.float64_t, ndim=2] A_arr = np.ascontiguousarray(np.exp(np.asarray(log_A)))
    cdef cnp.ndarray[cnp.float64_t, ndim=2] AT_arr = np.ascontiguousarray(A_arr.T)
    cdef const double[::1] pi = pi_arr
    cdef const double[:, ::1] A = A_arr
    cdef const double[:, ::1] AT = AT_arr
    gamma_arr = np.empty((T, K), dtype=np.float64)
    alpha_arr = _scratch("alpha", (T, K))
    scale_arr = _scratch("scale", (T,))
    loglik_arr = np.empty(n_seq, dtype=np.float64)
    cdef double[:, ::1] gam = gamma_arr
    cdef double[:, ::1] alpha = alpha_arr
    cdef double[::1] scale = scale_arr
    cdef double[::1] loglik = loglik_arr
    offsets_arr = np.zeros(n_seq + 1, dtype=np.int64)
    np.cumsum(np.asarray(lengths), out=offsets_arr[1:])
    cdef cnp.int64_t[::1] off = offsets_arr
    # contiguous groups of sequences, a few per thread for balance
    n_groups = min(n_seq, max(1, n_threads) * 4) if n_threads > 1 else 1
    cdef int nt = <int> min(max(1, n_threads), n_groups)
    bounds_arr = np.linspace(0, n_seq, n_groups + 1).round().astype(np.int64)
    cdef cnp.int64_t[::1] bounds = bounds_arr
    xacc_arr = np.zeros((n_groups, K, K), dtype=np.float64)
    cdef double[:, :, ::1] xacc = xacc_arr
    cdef double* work
    cdef Py_ssize_t start, length
    _emission_factors(log_B, gam, off, bounds, loglik, nt)
    for g in prange(n_groups, nogil=True, num_threads=nt, schedule="dynamic"):
        work = <double*> malloc((NB + 3) * K * sizeof(double))
        for s in range(bounds[g], bounds[g + 1]):
            start = off[s]
            length = off[s + 1] - start
            loglik[s] += _fb_dispatch(&log_B[start, 0], &gam[start, 0], &alpha[start, 0],
                                      &pi[0], &A[0, 0], &AT[0, 0], &xacc[g, 0, 0],
                                      &scale[start], work, work + NB * K, work + (NB + 1) * K,
                                      work + (NB + 2) * K, length, K)
        free(work)
    xi_sum = xacc_arr.sum(axis=0) * A_arr
    return loglik_arr, gamma_arr, xi_sum


cdef _emission_factors(const double[:, ::1] log_B, double[:, ::1] out,
                       const cnp.int64_t[::1] off, const cnp.int64_t[::1] bounds,
                       double[::1] msum, int nt):
    """``out = exp(log_B - rowmax)`` and ``msum[s]`` = the sequence's sum of row maxima.
    The shift runs threaded per sequence; the exponential is NumPy's (SIMD) ufunc."""
    cdef Py_ssize_t g, s, start, length, K = log_B.shape[1]
    cdef Py_ssize_t n_groups = bounds.shape[0] - 1
    for g in prange(n_groups, nogil=True, num_threads=nt, schedule="dynamic"):
        for s in range(bounds[g], bounds[g + 1]):
            start = off[s]
            length = off[s + 1] - start
            msum[s] = _shift_rows(&log_B[start, 0], &out[start, 0], length, K)
    arr = np.asarray(out)
    np.exp(arr, out=arr)


def forward(const double[::1] log_pi, const double[:, ::1] log_A,
            const double[:, ::1] log_B, const cnp.int64_t[::1] lengths,
            int n_threads=1):
    """``loglik (n_seq,)``: the scaled forward pass only (what ``score`` needs)."""
    cdef Py_ssize_t T = log_B.shape[0], K = log_B.shape[1]
    cdef Py_ssize_t n_seq = lengths.shape[0]
    cdef Py_ssize_t s, g, n_groups, start, length
    pi_arr = np.exp(np.asarray(log_pi))
    A_arr = np.ascontiguousarray(np.exp(np.asarray(log_A)))
    cdef const double[::1] pi = pi_arr
    cdef const double[:, ::1] A = A_arr
    b_arr = _scratch("alpha", (T, K))
    loglik_arr = np.empty(n_seq, dtype=np.float64)
    cdef double[:, ::1] b = b_arr
    cdef double[::1] loglik = loglik_arr
    offsets_arr = np.zeros(n_seq + 1, dtype=np.int64)
    np.cumsum(np.asarray(lengths), out=offsets_arr[1:])
    cdef cnp.int64_t[::1] off = offsets_arr
    n_groups = min(n_seq, max(1, n_threads) * 4) if n_threads > 1 else 1
    cdef int nt = <int> min(max(1, n_threads), n_groups)
    bounds_arr = np.linspace(0, n_seq, n_groups + 1).round().astype(np.int64)
    cdef cnp.int64_t[::1] bounds = bounds_arr
    cdef double* work
    _emission_factors(log_B, b, off, bounds, loglik, nt)
    for g in prange(n_groups, nogil=True, num_threads=nt, schedule="dynamic"):
        work = <double*> malloc(2 * K * sizeof(double))
        for s in range(bounds[g], bounds[g + 1]):
            start = off[s]
            length = off[s + 1] - start
            loglik[s] += _fwd_only(&b[start, 0], work, work + K, &pi[0], &A[0, 0], length, K)
        free(work)
    return loglik_arr


cdef inline double _viterbi_one(cdptr logB, cdptr log_pi, cdptr log_A, dptr lat,
                                cnp.int64_t* path, Py_ssize_t T, Py_ssize_t K) noexcept nogil:
    """Max-product over one sequence into the ``(T, K)`` lattice ``lat``, then the
    backtrack recomputes each predecessor (hmmlearn's scheme: no back-pointer array,
    and its tie rule)."""
    cdef Py_ssize_t t, i, j, s
    cdef double v, best, pi_
    cdef cdptr lb
    cdef cdptr prev
    cdef dptr cur
    for j in range(K):
        lat[j] = log_pi[j] + logB[j]
    for t in range(1, T):
        lb = logB + t * K
        prev = lat + (t - 1) * K
        cur = lat + t * K
        for j in range(K):
            cur[j] = prev[0] + log_A[j]
        for i in range(1, K):
            pi_ = prev[i]
            for j in range(K):
                v = pi_ + log_A[i * K + j]
                cur[j] = v if v > cur[j] else cur[j]
        for j in range(K):
            cur[j] += lb[j]
    cur = lat + (T - 1) * K
    s = 0
    best = cur[0]
    for i in range(1, K):
        if cur[i] > best:                 # ties: the lowest final state
            best = cur[i]
            s = i
    path[T - 1] = s
    for t in range(T - 2, -1, -1):
        prev = lat + t * K
        s = path[t + 1]
        v = prev[0] + log_A[s]
        j = 0
        for i in range(1, K):
            if prev[i] + log_A[i * K + s] >= v:    # ties: the highest predecessor
                v = prev[i] + log_A[i * K + s]
                j = i
        path[t] = j
    return best


cdef double _viterbi_dispatch(cdptr logB, cdptr log_pi, cdptr log_A, dptr lat,
                              cnp.int64_t* path, Py_ssize_t T, Py_ssize_t K) noexcept nogil:
    if K == 2:
        return _viterbi_one(logB, log_pi, log_A, lat, path, T, 2)
    if K == 3:
        return _viterbi_one(logB, log_pi, log_A, lat, path, T, 3)
    if K == 4:
        return _viterbi_one(logB, log_pi, log_A, lat, path, T, 4)
    if K == 8:
        return _viterbi_one(logB, log_pi, log_A, lat, path, T, 8)
    if K == 16:
        return _viterbi_one(logB, log_pi, log_A, lat, path, T, 16)
    return _viterbi_one(logB, log_pi, log_A, lat, path, T, K)


def viterbi(const double[::1] log_pi, const double[:, ::1] log_A,
            const double[:, ::1] log_B, const cnp.int64_t[::1] lengths,
            int n_threads=1):
    """``(path (T,) int64, logprob (n_seq,))``: 0-based states of the most
    likely path of each sequence and its joint log-probability."""
    cdef Py_ssize_t T = log_B.shape[0], K = log_B.shape[1]
    cdef Py_ssize_t n_seq = lengths.shape[0]
    cdef Py_ssize_t s, g, n_groups, start, length
    path_arr = np.empty(T, dtype=np.int64)
    lat_arr = _scratch("alpha", (T, K))
    logprob_arr = np.empty(n_seq, dtype=np.float64)
    cdef cnp.int64_t[::1] path = path_arr
    cdef double[:, ::1] lat = lat_arr
    cdef double[::1] logprob = logprob_arr
    offsets_arr = np.zeros(n_seq + 1, dtype=np.int64)
    np.cumsum(np.asarray(lengths), out=offsets_arr[1:])
    cdef cnp.int64_t[::1] off = offsets_arr
    n_groups = min(n_seq, max(1, n_threads) * 4) if n_threads > 1 else 1
    cdef int nt = <int> min(max(1, n_threads), n_groups)
    bounds_arr = np.linspace(0, n_seq, n_groups + 1).round().astype(np.int64)
    cdef cnp.int64_t[::1] bounds = bounds_arr
    for g in prange(n_groups, nogil=True, num_threads=nt, schedule="dynamic"):
        for s in range(bounds[g], bounds[g + 1]):
            start = off[s]
            length = off[s + 1] - start
            logprob[s] = _viterbi_dispatch(&log_B[start, 0], &log_pi[0], &log_A[0, 0],
                                           &lat[start, 0], &path[start], length, K)
    return path_arr, logprob_arr


# --- emission kernels -----------------------------------------------------------------
# Diagonal-Gaussian log-densities and weighted moments: the per-observation loops of the
# Normal / MvNormal("diag", "spherical") emissions, without BLAS calls on tall, skinny
# matrices (whose threading is slow for d, K this small).

def gaussian_loglik(const double[:, ::1] X, const double[:, ::1] mean,
                    const double[:, ::1] var, int n_threads=1):
    """``out[t, k] = -0.5 * (d log 2 pi + sum_j log var[k, j]
    + sum_j (X[t, j] - mean[k, j])^2 / var[k, j])``; ``X (T, d)``, ``mean``/``var``
    ``(K, d)``; returns ``(T, K)``."""
    cdef Py_ssize_t T = X.shape[0], d = X.shape[1], K = mean.shape[0]
    cdef Py_ssize_t t, j, k
    iv_arr = np.ascontiguousarray(1.0 / np.asarray(var))
    const_arr = -0.5 * (d * log(2.0 * np.pi) + np.log(np.asarray(var)).sum(1))
    cdef const double[:, ::1] iv = iv_arr
    cdef const double[::1] cst = const_arr
    out_arr = np.empty((T, K), dtype=np.float64)
    cdef double[:, ::1] out = out_arr
    cdef double acc, diff
    cdef int nt = max(1, n_threads) if T * K * d >= (1 << 15) else 1   # small: no team
    for t in prange(T, nogil=True, num_threads=nt, schedule="static"):
        for k in range(K):
            acc = 0.0
            for j in range(d):
                diff = X[t, j] - mean[k, j]
                acc = acc + diff * diff * iv[k, j]
            out[t, k] = cst[k] - 0.5 * acc
    return out_arr


def weighted_moments(const double[:, ::1] X, const double[:, ::1] W,
                     const double[::1] shift, int n_threads=1):
    """``(N (K,), S1 (K, d), S2 (K, d))`` with ``N = sum_t W[t]``,
    ``S1[k] = sum_t W[t, k] (X[t] - shift)`` and ``S2[k] = sum_t W[t, k] (X[t] - shift)^2``."""
    cdef Py_ssize_t T = X.shape[0], d = X.shape[1], K = W.shape[1]
    cdef Py_ssize_t c, t, j, k, lo, hi
    cdef Py_ssize_t n_chunks = max(1, min(n_threads, (T * K * d) // (1 << 15) + 1))
    part_arr = np.zeros((n_chunks, 2 * d + 1, K), dtype=np.float64)
    cdef double[:, :, ::1] part = part_arr
    cdef double xc, xc2, w
    for c in prange(n_chunks, nogil=True, num_threads=<int> n_chunks, schedule="static"):
        lo = c * T // n_chunks
        hi = (c + 1) * T // n_chunks
        for t in range(lo, hi):
            for k in range(K):
                part[c, 2 * d, k] += W[t, k]
            for j in range(d):
                xc = X[t, j] - shift[j]
                xc2 = xc * xc
                for k in range(K):
                    w = W[t, k]
                    part[c, j, k] += w * xc
                    part[c, d + j, k] += w * xc2
    tot = part_arr.sum(axis=0)
    return tot[2 * d].copy(), np.ascontiguousarray(tot[:d].T), np.ascontiguousarray(tot[d:2 * d].T)
