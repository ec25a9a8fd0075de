# one long sequence on two threads (pyjl_hmm_split.h) -- included by bindings/hmm.pyx
#
# Forward-backward and the fused E-step split a sequence that is longer than its share of
# the work (its length times the threads above the steps not yet placed) and at least
# ``2^17 / K`` steps: the forward pass on one thread while the self-normalised backward
# pass runs on the other (each computing the emission factors as it reaches them), then
# the posteriors, transition sums and moments by chunks -- two jobs on the thread team of
# pyjl_team.h, whose caller takes the tasks a late worker has not.  The other
# sequences then run as before.

cdef extern from "pyjl_hmm.h":
    ctypedef struct pyjl_hsplit_job:
        const double* rows
        const double* M
        const double* IV
        const double* cst
        const double* X
        const double* shift
        const double* pi
        const double* A
        Py_ssize_t d, T, K
        double* gam
    Py_ssize_t PYJL_HSPLIT_WORK(Py_ssize_t T, Py_ssize_t K, Py_ssize_t d) noexcept nogil
    double pyjl_hsplit_run(pyjl_hsplit_job* j, double* work, double* xacc, double* macc,
                           int nt) noexcept nogil

DEF SPLIT_WORK = 1 << 17   # length x states below which a split costs more than it saves

cdef Py_ssize_t _split_min = 0   # a length threshold set by _set_split; 0: SPLIT_WORK / K


def _set_split(min_length=None):
    """Split sequences of at least ``min_length`` steps over two threads (where they are
    longer than their share of the work); ``None``: the default, ``length x K`` at least
    ``2^17``."""
    global _split_min
    _split_min = 0 if min_length is None else max(1, int(min_length))


def _split_pick(lengths, int n_threads, Py_ssize_t K):
    """``(split, rest)``: the sequences to split (longest first) and the others (int64
    indices).  A sequence is split, longest first, while it is long enough (see
    :func:`_set_split`) and longer than the steps not yet placed divided among the
    threads."""
    L = np.asarray(lengths)
    cdef Py_ssize_t shortest = _split_min if _split_min else -(-SPLIT_WORK // max(K, 1))
    if n_threads < 2 or L.shape[0] == 0 or L.max() < shortest:
        return np.empty(0, dtype=np.int64), np.arange(L.shape[0], dtype=np.int64)
    left = int(L.sum())
    split = []
    for s in np.argsort(-L, kind="stable"):
        if L[s] < shortest or L[s] * n_threads <= left:
            break
        split.append(s)
        left -= int(L[s])
    split_arr = np.asarray(split, dtype=np.int64)
    keep = np.ones(L.shape[0], dtype=bool)
    keep[split_arr] = False
    return split_arr, np.flatnonzero(keep).astype(np.int64)


def _split_plan(lengths, Py_ssize_t longest, int n_threads, Py_ssize_t K, int kind,
                Py_ssize_t d=0, Py_ssize_t keep=0):
    """``(split, order, n_blocks, lane_work, in_blocks, longest, n_rest)``: the sequences
    split over two threads (:func:`_split_pick`) and :func:`_lane_plan` of the ``n_rest``
    others, its order their indices and ``longest`` theirs (all of them, as given, where
    none is split)."""
    split, rest = _split_pick(lengths, n_threads, K)
    if not split.shape[0]:
        return (split,) + _lane_plan(lengths, longest, K, kind, d, keep) + (longest, rest.shape[0])
    sub_lengths = np.ascontiguousarray(np.asarray(lengths)[rest])
    longest = int(sub_lengths.max()) if sub_lengths.shape[0] else 0
    order, n_blocks, lane_work, in_blocks = _lane_plan(sub_lengths, longest, K, kind, d, keep)
    return (split, np.ascontiguousarray(rest[order]), n_blocks, lane_work, in_blocks, longest,
            rest.shape[0])


cdef double _split_sequence(const double* rows, const double* M, const double* IV,
                            const double* cst, Py_ssize_t d, const double* X,
                            const double* shift, const double* pi, const double* A,
                            Py_ssize_t T, Py_ssize_t K, double* gam, double* xacc,
                            double* macc, double* work) noexcept nogil:
    """Forward-backward of one sequence of ``T`` steps on two threads: log_B rows (``M``
    NULL) or diagonal-Gaussian emissions of the observations ``rows`` (``T, d``).
    Posteriors into ``gam`` (NULL: kept in the scratch ``work``, ``PYJL_HSPLIT_WORK(T, K,
    d)`` numbers), transition sums (before the product with ``A``) added to ``xacc``; with
    ``X``, the start posteriors and the weighted moments of ``X`` about ``shift`` added to
    ``macc = [start (K), N (K), S1 (d, K), S2 (d, K)]``.  Returns the log-likelihood."""
    cdef pyjl_hsplit_job job
    job.rows, job.M, job.IV, job.cst, job.X, job.shift = rows, M, IV, cst, X, shift
    job.pi, job.A, job.d, job.T, job.K, job.gam = pi, A, d, T, K, gam
    return pyjl_hsplit_run(&job, work, xacc, macc, 2)
