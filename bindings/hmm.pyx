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
underflows however long the sequence.  The emission factors are computed inside
the forward recursion (one pass over ``log_B``; a branch-free exponential that
the compiler vectorises, within an ulp of libm's) and kept in the ``gamma``
output until the backward pass overwrites them with the posteriors; the
forward variables live in a per-thread scratch of one sequence, so the working
memory is ``gamma`` plus ``threads x (longest sequence) x (K + 1)`` numbers.
The log-likelihood multiplies the scales together and keeps the binary exponent
apart (no logarithm per step).  Transition posteriors are summed in a local
``K x K`` block (registers for small ``K``), multiplied by ``A`` at the end.

Viterbi runs in log space on a per-thread ``(length, K)`` lattice and backtracks
by recomputing each predecessor (no back-pointer array); among equally likely
paths it picks hmmlearn's: the lowest final state, and the highest-numbered
predecessor at each earlier step.

Eight or more sequences run in SIMD lanes (``pyjl_hmm_lanes.h``): sorted by length, in
blocks of eight, one sequence per lane of a vector of eight doubles, the recursions in
lanes up to the shortest length of the block and each lane's remaining steps one sequence
at a time; the sequences left over (fewer than eight) run one at a time.  Every lane does
the scalar kernel's operations in its order, so log-likelihoods, posteriors and Viterbi
paths are bit-identical to the one-at-a-time path (``_set_lanes(False)``, the tests'
reference); transition and moment sums are added in another order (1e-12 relative).
The fused E-step in lanes keeps only a forward checkpoint per block of 64 steps and
recomputes that block's forward variables for the backward pass, and its emission
factors too beyond the first steps whose factors fit in 2^14 numbers (128 kB) shared by
all threads (kept from the forward pass): its memory is about ``8 (K^2 + 150 K)`` numbers per thread
plus those factors, not eight ``(length, K)`` arrays.  ``gaussian_forward`` and
``gaussian_viterbi`` compute diagonal-Gaussian log-densities inside the recursion (in
lanes, from the observations; one sequence at a time into a scratch of its length), so
no ``(T, K)`` array is held; their results are those of ``forward`` and ``viterbi`` on
``gaussian_loglik``, bit for bit.

Sequences (or blocks of eight) are independent: they are split into contiguous groups
processed by ``prange`` (``nogil``) with ``n_threads`` threads; each group sums its own
transition posteriors (rows padded to a cache line), added together at the end
in a fixed order, so a result does not depend on the thread schedule.  Common
state counts (2-6, 8, 16) get compile-time specialised copies of every loop; the lanes,
the exponential, the emission loops and the wider Viterbi loops are also compiled for
AVX2/AVX-512 and picked
at load time (GCC on x86-64 Linux; identical results, contraction is off).  Output
arrays are carved from per-thread buffers reused once the caller has dropped the
previous result (:func:`_recycled`), so an EM loop does not page-fault fresh
``(T, K)`` arrays at every iteration.
"""

import numpy as np
cimport numpy as cnp
from cython.parallel cimport prange, threadid
from cpython.ref cimport Py_REFCNT

cnp.import_array()

import threading

_scratch_local = threading.local()
_SCRATCH_KEEP = 1 << 23          # keep at most 64 MB of scratch per thread between calls


def _scratch(name, n):
    """A float64 work vector of ``n`` numbers reused across calls (per Python thread):
    the kernels' internal buffers then do not page-fault afresh at every EM iteration.
    Never returned to the caller."""
    buf = getattr(_scratch_local, name, None)
    if buf is None or buf.size < n:
        buf = np.empty(max(n, 1), dtype=np.float64)
        if n <= _SCRATCH_KEEP:
            setattr(_scratch_local, name, buf)
    return buf

def _recycled(name, shape, dtype=np.float64):
    """A fresh-looking output array of ``shape``, carved from a per-thread buffer that is
    reused when nothing outside this module still refers to it (the caller dropped the
    previous result): an EM loop then writes its ``(T, K)`` arrays into the same pages
    at every iteration instead of page-faulting new ones.  A result the caller keeps
    (or any view of it) is never overwritten: its buffer is then left alone and a new
    one is allocated."""
    n = 1
    for m in shape:
        n *= m
    cdef object buf = getattr(_scratch_local, name, None)
    # free when its only references are the thread-local attribute and `buf` here
    if buf is None or buf.size < n or buf.dtype != dtype or Py_REFCNT(buf) > 2:
        buf = np.empty(max(n, 1), dtype=dtype)
        if n <= _SCRATCH_KEEP:
            setattr(_scratch_local, name, buf)
    return buf[:n].reshape(shape)


cdef extern from "pyjl_hmm.h":
    double pyjl_fb_seq(const double* logB, double* gam, double* alpha, double* sc,
                       const double* pi, const double* A, const double* AT, double* xacc,
                       double* work, Py_ssize_t T, Py_ssize_t K) noexcept nogil
    double pyjl_fwd_seq(const double* logB, const double* pi, const double* A, double* work,
                        Py_ssize_t T, Py_ssize_t K) noexcept nogil
    double pyjl_vit_seq(const double* logB, const double* lpi, const double* lA, double* lat,
                        cnp.int64_t* path, Py_ssize_t T, Py_ssize_t K) noexcept nogil
    void pyjl_gauss(const double* X, const double* M, const double* IV, const double* cst,
                    double* out, Py_ssize_t n, Py_ssize_t d, Py_ssize_t K) noexcept nogil
    enum: PYJL_BLOCK
    enum: PYJL_NB
    void pyjl_moments(const double* X, const double* W, const double* shift, double* acc,
                      Py_ssize_t n, Py_ssize_t d, Py_ssize_t K) noexcept nogil

cdef extern from "pyjl_hmm.h":   # the lanes, pyjl_hmm_lanes.h
    enum: PYJL_LANES
    enum: PYJL_KEEP
    Py_ssize_t pyjl_lanes_work(Py_ssize_t m, Py_ssize_t tail, Py_ssize_t K, Py_ssize_t d,
                               int kind, Py_ssize_t keep) noexcept nogil
    void pyjl_fb_lanes(const double* logB, double* gam, const cnp.int64_t* off,
                       const cnp.int64_t* idx, double* loglik, const double* pi,
                       const double* A, double* xacc, double* work, Py_ssize_t K) noexcept nogil
    ctypedef struct pyjl_gauss_par:
        const double* M
        const double* IV
        const double* cst
        const double* shift
        Py_ssize_t d
    void pyjl_fwd_lanes(const double* rows, const pyjl_gauss_par* gp, const cnp.int64_t* off,
                        const cnp.int64_t* idx, double* loglik, const double* pi,
                        const double* A, double* work, Py_ssize_t K) noexcept nogil

cdef extern from "pyjl_hmm.h":   # the lanes, pyjl_hmm_vit_lanes.h
    void pyjl_vit_lanes(const double* rows, const pyjl_gauss_par* gp, const cnp.int64_t* off,
                        const cnp.int64_t* idx, double* logprob, cnp.int64_t* path,
                        const double* lpi, const double* lA, double* work,
                        Py_ssize_t K) noexcept nogil

cdef extern from "pyjl_hmm.h":   # the lanes, pyjl_hmm_estep_lanes.h
    void pyjl_estep_lanes(const double* X, Py_ssize_t d, const cnp.int64_t* off,
                          const cnp.int64_t* idx, double* loglik, const double* M,
                          const double* IV, const double* cst, const double* pi,
                          const double* A, const double* shift, double* acc, double* work,
                          Py_ssize_t keep, Py_ssize_t K) noexcept nogil


DEF PAD = 8          # doubles per cache line: per-group accumulators start on their own line
DEF LANE_ROWS = 1 << 19  # most (length x (K + 1)) for lanes: their scratch is 8x a sequence's

cdef bint _lanes_on = True


def _set_lanes(bint on):
    """Run blocks of eight sequences in SIMD lanes (``True``, the default) or one
    sequence at a time (``False``: the tests' reference)."""
    global _lanes_on
    _lanes_on = on


def _lane_plan(lengths, Py_ssize_t longest, Py_ssize_t K, int kind=0, Py_ssize_t d=0,
               Py_ssize_t keep=0):
    """``(order, n_blocks, lane_work)``: the sequences sorted by length, the first ``8
    n_blocks`` of them in blocks for the lanes, the rest one at a time (all of them when
    lanes are off, there are fewer than eight sequences, or they are too long for the
    lanes' scratch); ``lane_work`` doubles of scratch per thread for the blocks of the
    kernel ``kind`` (0 forward-backward, 1 forward, 2 Viterbi, 3 E-step; ``d`` features of
    diagonal-Gaussian emissions computed in the kernel, 0 when ``log_B`` is given; ``keep``
    numbers of emission factors an E-step block may keep)."""
    cdef const cnp.int64_t[::1] L = lengths
    cdef Py_ssize_t n_seq = L.shape[0], n_blocks = n_seq // PYJL_LANES, s, b, m = 0, tail = 0
    if not _lanes_on or n_blocks == 0 or longest * (K + 1) > LANE_ROWS:
        return np.arange(n_seq, dtype=np.int64), 0, 0
    for s in range(1, n_seq):   # already sorted (equal lengths): the stable order is 0, 1, ...
        if L[s] < L[s - 1]:
            order_arr = np.argsort(np.asarray(L), kind="stable").astype(np.int64)
            break
    else:
        order_arr = np.arange(n_seq, dtype=np.int64)
    cdef const cnp.int64_t[::1] order = order_arr
    for b in range(n_blocks):
        s = b * PYJL_LANES
        m = max(m, L[order[s]])
        tail = max(tail, L[order[s + PYJL_LANES - 1]] - L[order[s]])
    return order_arr, n_blocks, pyjl_lanes_work(m, tail, K, d, kind, keep)


cdef void _groups(Py_ssize_t n_items, int n_threads, Py_ssize_t* n_groups, int* nt) noexcept nogil:
    """Contiguous groups of work items (a few per thread, for balance) and threads."""
    n_groups[0] = min(n_items, max(1, n_threads) * 4) if n_threads > 1 else 1
    nt[0] = <int> min(max(1, n_threads), n_groups[0])


cdef Py_ssize_t _plan(const cnp.int64_t[::1] lengths, cnp.int64_t[::1] off,
                      int n_threads, Py_ssize_t* n_groups, int* nt) noexcept nogil:
    """Offsets of the sequences, the number of contiguous groups (a few per thread, for
    balance) and of threads; returns the longest length."""
    cdef Py_ssize_t s, n_seq = lengths.shape[0], longest = 0
    off[0] = 0
    for s in range(n_seq):
        off[s + 1] = off[s] + lengths[s]
        if lengths[s] > longest:
            longest = lengths[s]
    n_groups[0] = min(n_seq, max(1, n_threads) * 4) if n_threads > 1 else 1
    nt[0] = <int> min(max(1, n_threads), n_groups[0])
    return longest


cdef inline Py_ssize_t _bound(Py_ssize_t g, Py_ssize_t n_groups, Py_ssize_t n_seq) noexcept nogil:
    """First sequence of group ``g`` (contiguous, near-equal counts)."""
    return (g * n_seq) // n_groups


def forward_backward(const double[::1] log_pi, const double[:, ::1] log_A,
                     const double[:, ::1] log_B, const cnp.int64_t[::1] lengths,
                     int n_threads=1):
    """``(loglik (n_seq,), gamma (T, K), xi_sum (K, K))`` -- see the module doc."""
    cdef Py_ssize_t T = log_B.shape[0], K = log_B.shape[1]
    cdef Py_ssize_t n_seq = lengths.shape[0]
    cdef Py_ssize_t s, g, it, n_groups, start, length, longest, stride, n_blocks, n_items
    cdef int nt, tid
    A_arr = np.exp(log_A)
    pi_arr = np.exp(log_pi)
    AT_arr = np.ascontiguousarray(A_arr.T)
    cdef const double[::1] pi = pi_arr
    cdef const double[:, ::1] A = A_arr
    cdef const double[:, ::1] AT = AT_arr
    offsets_arr = np.empty(n_seq + 1, dtype=np.int64)
    cdef cnp.int64_t[::1] off = offsets_arr
    longest = _plan(lengths, off, n_threads, &n_groups, &nt)
    order_arr, n_blocks, lane_work = _lane_plan(lengths, longest, K, 0)
    cdef const cnp.int64_t[::1] order = order_arr
    n_items = n_seq - n_blocks * (PYJL_LANES - 1)
    _groups(n_items, n_threads, &n_groups, &nt)
    gamma_arr = _recycled("gamma", (T, K))
    loglik_arr = np.empty(n_seq, dtype=np.float64)
    stride = longest * (K + 1) + (PYJL_NB + 1) * K + PAD     # alpha, scales, w block, beta
    if n_blocks:
        stride = max(stride, lane_work)
    work_arr = _scratch("fb", nt * stride)
    xacc_arr = np.zeros(n_groups * (K * K + PAD), dtype=np.float64)
    cdef double[:, ::1] gam = gamma_arr
    cdef double[::1] loglik = loglik_arr
    cdef double[::1] work = work_arr
    cdef double[::1] xacc = xacc_arr
    cdef double* wk
    for g in prange(n_groups, nogil=True, num_threads=nt, schedule="dynamic"):
        tid = threadid()
        wk = &work[tid * stride]
        for it in range(_bound(g, n_groups, n_items), _bound(g + 1, n_groups, n_items)):
            if it < n_blocks:
                pyjl_fb_lanes(&log_B[0, 0], &gam[0, 0], &off[0], &order[it * PYJL_LANES],
                              &loglik[0], &pi[0], &A[0, 0], &xacc[g * (K * K + PAD)], wk, K)
                continue
            s = order[it + n_blocks * (PYJL_LANES - 1)]
            start = off[s]
            length = off[s + 1] - start
            loglik[s] = pyjl_fb_seq(&log_B[start, 0], &gam[start, 0], wk + longest,
                                    wk, &pi[0], &A[0, 0], &AT[0, 0],
                                    &xacc[g * (K * K + PAD)], wk + longest * (K + 1),
                                    length, K)
    xi = xacc_arr.reshape(n_groups, K * K + PAD)[:, :K * K].sum(axis=0).reshape(K, K)
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
    alive = _gauss_struct(mean, var, X.shape[1], &gp)  # gp points into these
    return _forward(log_pi, log_A, X, mean.shape[0], &gp, lengths, n_threads)


cdef _forward(const double[::1] log_pi, const double[:, ::1] log_A, const double[:, ::1] rows,
              Py_ssize_t K, const pyjl_gauss_par* gp, const cnp.int64_t[::1] lengths,
              int n_threads):
    """The forward pass on ``rows``: log_B ``(T, K)`` (``gp`` NULL) or the observations
    ``(T, d)`` of diagonal-Gaussian emissions of parameters ``gp``."""
    cdef Py_ssize_t n_seq = lengths.shape[0], d = gp.d if gp != NULL else 0
    cdef Py_ssize_t s, g, it, n_groups, start, length, longest, stride, n_blocks, n_items
    cdef int nt, tid
    pi_arr = np.exp(log_pi)
    A_arr = np.exp(log_A)
    cdef const double[::1] pi = pi_arr
    cdef const double[:, ::1] A = A_arr
    offsets_arr = np.empty(n_seq + 1, dtype=np.int64)
    cdef cnp.int64_t[::1] off = offsets_arr
    longest = _plan(lengths, off, n_threads, &n_groups, &nt)
    order_arr, n_blocks, lane_work = _lane_plan(lengths, longest, K, 1, d)
    cdef const cnp.int64_t[::1] order = order_arr
    n_items = n_seq - n_blocks * (PYJL_LANES - 1)
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
                               &pi[0], &A[0, 0], wk, K)
                continue
            s = order[it + n_blocks * (PYJL_LANES - 1)]
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
    alive = _gauss_struct(mean, var, X.shape[1], &gp)  # gp points into these
    return _viterbi(log_pi, log_A, X, mean.shape[0], &gp, lengths, n_threads)


cdef _viterbi(const double[::1] log_pi, const double[:, ::1] log_A, const double[:, ::1] rows,
              Py_ssize_t K, const pyjl_gauss_par* gp, const cnp.int64_t[::1] lengths,
              int n_threads):
    """Viterbi on ``rows``: log_B ``(T, K)`` (``gp`` NULL) or the observations ``(T, d)``
    of diagonal-Gaussian emissions of parameters ``gp``."""
    cdef Py_ssize_t T = rows.shape[0], d = gp.d if gp != NULL else 0
    cdef Py_ssize_t n_seq = lengths.shape[0]
    cdef Py_ssize_t s, g, it, n_groups, start, length, longest, stride, n_blocks, n_items
    cdef int nt, tid
    offsets_arr = np.empty(n_seq + 1, dtype=np.int64)
    cdef cnp.int64_t[::1] off = offsets_arr
    longest = _plan(lengths, off, n_threads, &n_groups, &nt)
    order_arr, n_blocks, lane_work = _lane_plan(lengths, longest, K, 2, d)
    cdef const cnp.int64_t[::1] order = order_arr
    n_items = n_seq - n_blocks * (PYJL_LANES - 1)
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
                               &path[0], &log_pi[0], &log_A[0, 0], &lat[tid * stride], K)
                continue
            s = order[it + n_blocks * (PYJL_LANES - 1)]
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


# --- emission kernels -----------------------------------------------------------------
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


# --- fused E-step ----------------------------------------------------------------------
# One parallel pass per EM iteration for diagonal-Gaussian emissions: each thread takes
# whole sequences and, per sequence, computes its log-densities, runs forward-backward and
# adds the posterior-weighted moments into its group's accumulators.  Nothing of size
# (T, K) is ever allocated: the working memory is threads x (longest sequence) x (3K + 1).

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
    cdef Py_ssize_t n_blocks, n_items
    cdef int nt, tid
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
    cdef Py_ssize_t keep = PYJL_KEEP // max(1, n_threads)   # kept factors, all threads
    order_arr, n_blocks, lane_work = _lane_plan(lengths, longest, K, 3, d, keep)
    cdef const cnp.int64_t[::1] order = order_arr
    n_items = n_seq - n_blocks * (PYJL_LANES - 1)
    _groups(n_items, n_threads, &n_groups, &nt)
    loglik_arr = np.empty(n_seq, dtype=np.float64)
    fb_stride = longest * (K + 1) + (PYJL_NB + 1) * K + PAD  # scales, alpha, w block, beta
    stride = fb_stride + 2 * longest * K + PAD                # + log_B and gamma rows
    if n_blocks:
        stride = max(stride, lane_work)
    work_arr = _scratch("estep", nt * stride)
    # per group: xi sums (K * K), start posteriors (K), N, S1, S2 ((2d + 1) K)
    width = K * K + K + (2 * d + 1) * K + PAD
    acc_arr = np.zeros((n_groups, width), dtype=np.float64)
    cdef double[::1] loglik = loglik_arr
    cdef double[::1] work = work_arr
    cdef double[:, ::1] acc = acc_arr
    cdef double* wk
    cdef double* lb
    cdef double* gm
    for g in prange(n_groups, nogil=True, num_threads=nt, schedule="dynamic"):
        tid = threadid()
        wk = &work[tid * stride]
        lb = wk + fb_stride
        gm = lb + longest * K
        for it in range(_bound(g, n_groups, n_items), _bound(g + 1, n_groups, n_items)):
            if it < n_blocks:
                pyjl_estep_lanes(&X[0, 0], d, &off[0], &order[it * PYJL_LANES], &loglik[0],
                                 &M[0, 0], &IV[0, 0], &cst[0], &pi[0], &A[0, 0], &shift[0],
                                 &acc[g, 0], wk, keep, K)
                continue
            s = order[it + n_blocks * (PYJL_LANES - 1)]
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
