# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Hidden-Markov-model kernels: scaled forward-backward and log-space Viterbi.

Layout contract (validated by ``pyjl.hmm``): ``log_pi`` float64
``(K,)``, ``log_A`` float64 C-contiguous ``(K, K)`` (row = from-state),
``log_B`` float64 C-contiguous ``(T, K)``, ``lengths`` int64 ``(n_seq,)``
with positive entries summing to ``T``.  The values are trusted; the shapes are checked
at every entry point (O(1), a ``ValueError``), so that no array is read out of bounds.

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

``forward_log`` and ``forward_backward_log`` (``pyjl_hmm_log.h``) keep the forward and
backward variables as logarithms, for models with zero transition probabilities, whose
scaled recursions can lose a state the chain has left behind: each step factors out the
largest variable and sums again in log space only the states whose mass that shift
rounded away; one sequence at a time, sequences in parallel.

Viterbi runs in log space on a per-thread ``(length, K)`` lattice and backtracks
by recomputing each predecessor (no back-pointer array); among equally likely
paths it picks hmmlearn's: the lowest final state, and the highest-numbered
predecessor at each earlier step.  In lanes (up to 256 states) it keeps two lattice
rows and a one-byte back-pointer per step, state and lane instead: the same
predecessors, ``length x K`` bytes per sequence instead of ``8 length x K``.

Eight or more sequences run in SIMD lanes (``pyjl_hmm_lanes.h``) at the widest vector
the CPU has: 8 doubles with AVX-512, 4 with AVX2 (with FMA), 2 elsewhere
(``pyjl_lane_width``; ``_set_lane_width`` picks a narrower one, the tests run each).  A
vector wider than the CPU's registers would live in memory between operations (eight
lanes on AVX2 were slower than one sequence at a time in every kernel), so the kernels
are compiled once per width.  By default the lanes run where they were measured faster
than one sequence at a time: at widths 8 and 4, not at 2 (``pyjl_lanes_pay``;
``_set_lanes(True)`` forces them at any width).  The sequences are sorted by length, in
blocks of eight; a block runs as groups of one sequence per lane, the recursions in
lanes up to the shortest length of the group (at most 8 / width times the block's, so
that the scratch of a block suffices) and each lane's remaining steps one sequence at a
time; the sequences left over (fewer than eight) fill a last block of as many whole
groups as they make (4 of 4 to 7 at width 4), and the rest run one at a time.  Every
lane does the scalar kernel's operations in its order, so log-likelihoods, posteriors
and Viterbi paths are bit-identical to the one-at-a-time path (``_set_lanes(False)``,
the tests' reference) at every width; transition and moment sums are added in another
order (1e-12 relative).
The fused E-step in lanes keeps only a forward checkpoint per block of 64 steps and
recomputes that block's forward variables for the backward pass, and its emission
factors too beyond the first steps whose factors fit in ``max(2^14, 2^12 K)`` numbers
shared by all threads (kept from the forward pass; no more than hmmlearn's ``(T, K)``
arrays of one sequence of a thousand steps): its memory is about ``8 (K^2 + 150 K)``
numbers per thread plus those factors, not eight ``(length, K)`` arrays.  ``gaussian_forward`` and
``gaussian_viterbi`` compute diagonal-Gaussian log-densities inside the recursion (in
lanes, from the observations; one sequence at a time into a scratch of its length), so
no ``(T, K)`` array is held; their results are those of ``forward`` and ``viterbi`` on
``gaussian_loglik``, bit for bit.

One sequence longer than its share of the work (``length x threads`` above the steps
not yet placed, and ``length x K >= 2^17``) runs on two threads in forward-backward
and the fused E-step (``pyjl_hmm_split.h``, ``hmm_split.pxi``): the forward pass on one
while the backward pass, normalised by itself (powers of two, its scales kept), runs on
the other, then the posteriors, transition sums and moments in chunks, on the small
thread team (``pyjl_team.h``: the caller takes the tasks a late worker has
not).  Which sequences split depends on the lengths and ``n_threads`` alone, and each
chunk's sums are added in a fixed order, so results do not depend on the schedule; they
equal the one-thread path to 1e-12 relative, not bit for bit.

Sequences (or blocks of eight) are independent: they are split into contiguous groups
processed by ``prange`` (``nogil``) with ``n_threads`` threads; each group sums its own
transition posteriors (rows padded to a cache line), added together at the end
in a fixed order, so a result does not depend on the thread schedule.  Common
state counts (2-6, 8, 16) get compile-time specialised copies of every loop; the
exponential, the emission loops and the wider Viterbi loops are also compiled for
AVX2/AVX-512 and picked at load time, the lanes once per width (GCC on x86-64;
identical results, contraction is off).  Output arrays are carved from per-thread
buffers reused once the caller has dropped the previous result (:func:`_recycled`), so
an EM loop does not page-fault fresh ``(T, K)`` arrays at every iteration.
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

cdef extern from "pyjl_hmm.h":   # the lane widths, pyjl_simd.h
    int pyjl_lane_width_ok(int w) noexcept nogil
    int pyjl_lane_width() noexcept nogil
    int pyjl_set_lane_width(int w) noexcept nogil

cdef extern from "pyjl_hmm.h":   # the lanes, pyjl_hmm_lanes.h
    enum: PYJL_LANES
    int pyjl_lanes_pay() noexcept nogil
    enum: PYJL_KEEP
    enum: PYJL_KEEP_STATE
    Py_ssize_t pyjl_lanes_work(Py_ssize_t m, Py_ssize_t tail, Py_ssize_t K, Py_ssize_t d,
                               int kind, Py_ssize_t keep) noexcept nogil
    void pyjl_fb_lanes(const double* logB, double* gam, const cnp.int64_t* off,
                       const cnp.int64_t* idx, double* loglik, const double* pi,
                       const double* A, double* xacc, double* work, Py_ssize_t K,
                       int nl) noexcept nogil
    ctypedef struct pyjl_gauss_par:
        const double* M
        const double* IV
        const double* cst
        const double* shift
        Py_ssize_t d
    void pyjl_fwd_lanes(const double* rows, const pyjl_gauss_par* gp, const cnp.int64_t* off,
                        const cnp.int64_t* idx, double* loglik, const double* pi,
                        const double* A, double* work, Py_ssize_t K, int nl) noexcept nogil

cdef extern from "pyjl_hmm.h":   # the lanes, pyjl_hmm_vit_lanes.h
    enum: PYJL_VIT_LANES_MAXK
    void pyjl_vit_lanes(const double* rows, const pyjl_gauss_par* gp, const cnp.int64_t* off,
                        const cnp.int64_t* idx, double* logprob, cnp.int64_t* path,
                        const double* lpi, const double* lA, double* work,
                        Py_ssize_t K, int nl) noexcept nogil

cdef extern from "pyjl_hmm.h":   # the lanes, pyjl_hmm_estep_lanes.h
    void pyjl_estep_lanes(const double* X, Py_ssize_t d, const cnp.int64_t* off,
                          const cnp.int64_t* idx, double* loglik, const double* M,
                          const double* IV, const double* cst, const double* pi,
                          const double* A, const double* shift, double* acc, double* work,
                          Py_ssize_t keep, Py_ssize_t K, int nl) noexcept nogil


DEF PAD = 8          # doubles per cache line: per-group accumulators start on their own line
DEF LANE_ROWS = 1 << 19  # most (length x (K + 1)) for lanes: their scratch is 8x a sequence's

cdef int _lanes_on = 1      # 0: off; 1: where they pay (the default); 2: everywhere


def _set_lanes(on=None):
    """Run blocks of eight sequences in SIMD lanes (``True``: at any width), one sequence
    at a time (``False``: the tests' reference) or as by default (``None``: in lanes where
    they pay, at widths 8 and 4 (AVX-512, AVX2), see ``pyjl_lanes_pay``)."""
    global _lanes_on
    _lanes_on = 1 if on is None else (2 if on else 0)


def _lane_widths():
    """The lanes per vector the HMM lane kernels can run at on this CPU, widest first
    (8: AVX-512, 4: AVX2 with FMA, 2: any CPU; see pyjl_simd.h)."""
    return [w for w in (8, 4, 2) if pyjl_lane_width_ok(w)]


def _set_lane_width(int width):
    """Run the HMM lane kernels at ``width`` lanes per vector, one of ``_lane_widths()``
    (the tests run each), or at the widest the CPU has (0, the default)."""
    if not pyjl_set_lane_width(width):
        raise ValueError(f"this CPU cannot run lanes of width {width}: {_lane_widths()}")


def _lane_plan(lengths, Py_ssize_t longest, Py_ssize_t K, int kind=0, Py_ssize_t d=0,
               Py_ssize_t keep=0):
    """``(order, n_blocks, lane_work, in_blocks)``: the sequences sorted by length, the
    first ``in_blocks`` of them in ``n_blocks`` blocks for the lanes (eight each, the last
    one as many whole groups of the lane width as the sequences left over fill: 4 of 4 to
    7 at width 4), the rest one at a time (all of them when lanes are off, by default at a
    lane width where they do not pay, when there are too few sequences for a group, they
    are too long for the lanes' scratch, or Viterbi has more states than a byte can
    index); ``lane_work`` doubles of scratch per thread for the blocks of the kernel
    ``kind`` (0 forward-backward, 1 forward, 2 Viterbi, 3 E-step; ``d`` features of
    diagonal-Gaussian emissions computed in the kernel, 0 when ``log_B`` is given;
    ``keep`` numbers of emission factors an E-step block may keep), at every lane width.
    Block ``b`` holds ``order[8 b : 8 b + _block_rows(b, in_blocks)]``."""
    cdef const cnp.int64_t[::1] L = lengths
    cdef Py_ssize_t n_seq = L.shape[0], w = pyjl_lane_width()
    cdef Py_ssize_t in_blocks = n_seq // PYJL_LANES * PYJL_LANES
    in_blocks += (n_seq - in_blocks) // w * w
    cdef Py_ssize_t n_blocks = (in_blocks + PYJL_LANES - 1) // PYJL_LANES, s, b, m = 0, tail = 0
    if (not _lanes_on or (_lanes_on == 1 and not pyjl_lanes_pay()) or n_blocks == 0
            or longest * (K + 1) > LANE_ROWS or (kind == 2 and K > PYJL_VIT_LANES_MAXK)):
        return np.arange(n_seq, dtype=np.int64), 0, 0, 0
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
        tail = max(tail, L[order[s + _block_rows(b, in_blocks) - 1]] - L[order[s]])
    return order_arr, n_blocks, pyjl_lanes_work(m, tail, K, d, kind, keep), in_blocks


cdef inline int _block_rows(Py_ssize_t b, Py_ssize_t in_blocks) noexcept nogil:
    """Sequences in lane block ``b`` of a plan with ``in_blocks`` in blocks (``_lane_plan``):
    eight, or those of the last block."""
    return <int> min(PYJL_LANES, in_blocks - b * PYJL_LANES)


cdef void _groups(Py_ssize_t n_items, int n_threads, Py_ssize_t* n_groups, int* nt) noexcept nogil:
    """Contiguous groups of work items (a few per thread, for balance) and threads."""
    n_groups[0] = min(n_items, max(1, n_threads) * 4) if n_threads > 1 else 1
    nt[0] = <int> min(max(1, n_threads), n_groups[0])


cdef Py_ssize_t _plan(const cnp.int64_t[::1] lengths, cnp.int64_t[::1] off,
                      int n_threads, Py_ssize_t* n_groups, int* nt) noexcept nogil:
    """Offsets of the sequences, the number of contiguous groups (a few per thread, for
    balance) and of threads; returns the longest length (-1 if some length is negative,
    which :func:`_check_rows` refuses)."""
    cdef Py_ssize_t s, n_seq = lengths.shape[0], longest = 0
    cdef bint negative = False
    off[0] = 0
    for s in range(n_seq):
        off[s + 1] = off[s] + lengths[s]
        negative = negative | (lengths[s] < 0)
        if lengths[s] > longest:
            longest = lengths[s]
    n_groups[0] = min(n_seq, max(1, n_threads) * 4) if n_threads > 1 else 1
    nt[0] = <int> min(max(1, n_threads), n_groups[0])
    return -1 if negative else longest


# The shapes of the layout contract, checked at every entry point in O(1) (no pass over
# the data) so that no caller, validating or not, makes a kernel read out of bounds.

cdef int _check_chain(const double[::1] log_pi, const double[:, ::1] log_A,
                      Py_ssize_t K) except -1:
    """``log_pi`` has ``K`` entries and ``log_A`` is ``(K, K)``."""
    if log_pi.shape[0] != K or log_A.shape[0] != K or log_A.shape[1] != K:
        raise ValueError(
            f"log_pi must have K = {K} entries and log_A shape ({K}, {K}); got "
            f"{log_pi.shape[0]} entries and shape ({log_A.shape[0]}, {log_A.shape[1]})")
    return 0


cdef int _check_rows(Py_ssize_t longest, const cnp.int64_t[::1] off,
                     Py_ssize_t T) except -1:
    """The lengths (``off``: their offsets from :func:`_plan`) are >= 0 and sum to ``T``."""
    cdef Py_ssize_t total = off[off.shape[0] - 1]
    if longest < 0 or total != T:
        raise ValueError(
            f"lengths must be >= 0 and sum to the {T} rows; got a sum of {total}"
            + (" and a negative length" if longest < 0 else ""))
    return 0


cdef int _check_gauss(const double[:, ::1] X, const double[:, ::1] mean,
                      const double[:, ::1] var) except -1:
    """``mean`` and ``var`` are ``(K, d)`` with ``d`` the columns of ``X``."""
    if (var.shape[0] != mean.shape[0] or var.shape[1] != mean.shape[1]
            or X.shape[1] != mean.shape[1]):
        raise ValueError(
            f"mean and var must have the same shape (K, d) with d = {X.shape[1]} (the "
            f"columns of X); got ({mean.shape[0]}, {mean.shape[1]}) and "
            f"({var.shape[0]}, {var.shape[1]})")
    return 0


cdef int _check_shift(const double[::1] shift, Py_ssize_t d) except -1:
    """``shift`` has ``d`` entries."""
    if shift.shape[0] != d:
        raise ValueError(f"shift must have d = {d} entries; got {shift.shape[0]}")
    return 0


cdef inline Py_ssize_t _bound(Py_ssize_t g, Py_ssize_t n_groups, Py_ssize_t n_seq) noexcept nogil:
    """First sequence of group ``g`` (contiguous, near-equal counts)."""
    return (g * n_seq) // n_groups


include "hmm_split.pxi"
include "hmm_recursions.pxi"
include "hmm_log.pxi"
include "hmm_emissions.pxi"
include "hmm_estep.pxi"
