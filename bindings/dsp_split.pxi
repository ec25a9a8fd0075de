# One long channel of a recursive filter split in time, in lanes (pyjl_dsp_split.h): the
# sosfilt and lfilter entry points' shared half -- included by bindings/dsp.pyx

cdef extern from "pyjl_dsp.h":   # pyjl_dsp_split.h
    ctypedef struct pyjl_recursion:
        const double *sos
        const double *b
        const double *a
        Py_ssize_t n_sec, k
    Py_ssize_t pyjl_rec_states(const pyjl_recursion *f) noexcept nogil
    Py_ssize_t pyjl_zir_basis(const pyjl_recursion *f, double *H, Py_ssize_t hs) noexcept nogil
    ctypedef struct pyjl_split_job:
        pyjl_recursion f
        const double *zss
        const double *x
        const double *H
        double *states
        double *y
        double *owed
        Py_ssize_t L, nseg, cap
        int block
        int stream
        int *decayed
    void pyjl_split_task(void *ctx, Py_ssize_t q) noexcept nogil
    ctypedef void (*pyjl_task_fn)(void *ctx, Py_ssize_t task) noexcept nogil
    void pyjl_team_run(pyjl_task_fn fn, void *ctx, Py_ssize_t n_tasks, int nt) noexcept nogil
    int PYJL_TEAM
    void pyjl_iir_row(const double *b, const double *a, Py_ssize_t k, double *z,
                      const double *x, double *y, Py_ssize_t n) noexcept nogil


DEF _IIR_SPLIT_HMAX = 64.0  # largest unit-state response of a direct form split in time
# a new filter's first call splits from this many times its set-up's lane steps on
cdef Py_ssize_t _setup_factor = 4

# per filter (keyed by _filter_key), the last _ZIR_BASES of each: the set-up for a split
# (_zir_basis), the filters seen once (_split_pays), a direct form's decay (_rec_decay)
cdef dict _zir_bases = {}
cdef dict _seen = {}
cdef dict _iir_decays = {}


cdef object _keep(dict cache, object key, object value):
    """``value``, kept in ``cache`` under ``key`` (the oldest entry makes room)."""
    if len(cache) >= _ZIR_BASES:
        del cache[next(iter(cache))]
    cache[key] = value
    return value


def _set_split_setup(Py_ssize_t factor):
    """Split a new filter's channel at once from ``factor`` times its set-up's lane steps
    on (default 4; see ``_split_pays``); returns the previous value (the tests pass 0:
    every call splits)."""
    global _setup_factor
    old, _setup_factor = _setup_factor, factor
    return old


cdef bytes _filter_key(const pyjl_recursion *f):
    """The filter's coefficients as bytes: its key in the caches of this module."""
    if f.sos != NULL:
        return (<const char *> f.sos)[: f.n_sec * 6 * sizeof(double)]
    return (b"ba" + (<const char *> f.b)[: f.k * sizeof(double)]
            + (<const char *> f.a)[: f.k * sizeof(double)])


cdef bint _split_pays(const pyjl_recursion *f, Py_ssize_t n, Py_ssize_t cap):
    """Whether a call of ``n`` samples should split now: the filter's set-up for the split
    is kept already, or the call is long enough to pay for it at once.  The set-up is
    dominated by the unit-state responses (``_zir_basis``): ``ceil(ns / 8)`` runs of the
    recursion in lanes over at most ``cap`` samples, a lane step costing about as much as
    2.5 samples of the serial pass, which the split then makes 3 to 10 times faster; so
    from ``_setup_factor`` (4) times those lane steps on, the first call gains more than
    the set-up costs: every call long enough to split does so up to 4 sections (or a
    direct form of order 8), and up to 8 sections while the decay is below 3,072 samples
    (``butter(8, 0.1)``: 1,833; its set-up takes about 20 us).  A shorter call of a
    filter not seen before runs serially, as SciPy would, and marks the filter: its next
    call splits (a stream from its second chunk)."""
    cdef Py_ssize_t ns = pyjl_rec_states(f)
    if n >= _setup_factor * ((ns + PYJL_LANES - 1) // PYJL_LANES) * cap:
        return True
    key = _filter_key(f)
    if key in _zir_bases or key in _seen:
        return True
    _keep(_seen, key, True)
    return False


cdef Py_ssize_t _rec_decay(const pyjl_recursion *f):
    """``_decay_len`` of the filter: of its sections, or of a direct form's poles (up to
    order 2 as one section's, above the roots of ``a``, kept per denominator)."""
    cdef double sec[6]
    cdef Py_ssize_t j
    if f.sos != NULL:
        return _decay_len(f.sos, f.n_sec)
    if f.k <= 3:
        for j in range(3):
            sec[j] = f.b[j] if j < f.k else 0.0
            sec[3 + j] = f.a[j] if j < f.k else 0.0
        return _decay_len(sec, 1)
    key = (<const char *> f.a)[: f.k * sizeof(double)]
    got = _iir_decays.get(key)
    if got is None:
        r = float(np.max(np.abs(np.roots(np.frombuffer(key, dtype=np.float64)))))
        got = _keep(_iir_decays, key, _decay_of_radius(r) if np.isfinite(r) else -1)
    return got


cdef inline void _rec_serial(const pyjl_recursion *f, double *z, const double *x, double *y,
                             Py_ssize_t n) noexcept nogil:
    """The filter's serial pass over ``n`` samples (SciPy's arithmetic), ``z`` updated."""
    if f.sos != NULL:
        _sos_channel(f.sos, f.n_sec, z, x, y, n)
    else:
        pyjl_iir_row(f.b, f.a, f.k, z, x, y, n)


cdef class _Setup:
    """A filter's set-up for the split (``_zir_basis``): ``T``, ``H``, ``hmax``, ``zss``,
    with their data's addresses for the kernels (``h``, ``z``: NULL where ``None``)."""
    cdef readonly bytes key
    cdef readonly Py_ssize_t T
    cdef readonly object H, zss
    cdef readonly double hmax
    cdef const double *h
    cdef const double *z


# the filter of the last split (a stream's, chunk after chunk): its set-up and decay are
# taken without the caches' keys, lookups and memoryviews, a few us of every chunk
cdef _Setup _last_setup = None
cdef Py_ssize_t _last_decay = 0


cdef bint _is_key(const pyjl_recursion *f, bytes key):
    """Whether ``key`` is ``_filter_key(f)`` (compared in place, nothing allocated)."""
    cdef const char *k = key
    cdef Py_ssize_t nb, m = len(key)
    if f.sos != NULL:
        nb = f.n_sec * 6 * sizeof(double)
        return m == nb and memcmp(k, f.sos, nb) == 0
    nb = f.k * sizeof(double)
    return (m == 2 + 2 * nb and k[0] == b'b' and k[1] == b'a'
            and memcmp(k + 2, f.b, nb) == 0 and memcmp(k + 2 + nb, f.a, nb) == 0)


cdef inline bint _may_split(Py_ssize_t n) noexcept nogil:
    """Whether one channel of ``n`` samples can be split at all: eight lane segments of
    ``_LANE_SEG_MIN`` (the shortest decay's); shorter calls keep the serial pass."""
    return n >= PYJL_LANES * _LANE_SEG_MIN


cdef inline bint _long_enough(Py_ssize_t n, Py_ssize_t decay) noexcept:
    """Whether one channel of ``n`` samples is long enough to split, for a decay of
    ``decay`` samples: into two segments of ``max(_SPLIT_MIN, 4 * decay)``, or into a
    block of eight lanes of ``max(_LANE_SEG_MIN, 2 * decay)``: on one thread eight
    segments of 2,048 samples filter 2.4-2.8x faster than the serial pass (``butter(2..4,
    0.1)``, decays 346-931, 16,384-32,767 samples; a stream's 16k-32k chunks)."""
    return (n // max(_SPLIT_MIN, 4 * decay) >= 2
            or n >= PYJL_LANES * max(_LANE_SEG_MIN, 2 * decay))


cdef bint _split_channel(const pyjl_recursion *f, double *z, const double *x, double *y,
                         Py_ssize_t n, int nt):
    """One long channel split in time (``_lane_segments``) where that applies and pays:
    every segment much longer than the decay, the filter's set-up kept or worth making
    (``_split_pays``), and for a direct form its unit-state responses kept and none above
    ``_IIR_SPLIT_HMAX``.  A direct form's state can be far larger than its output, and a
    correction's rounding grows with those responses: beyond the bound the split would
    differ from SciPy's serial pass by more than about 1e-11 of the output
    (``butter(8, 0.1)``: responses up to 2.4e3, the split 7e-11 off), so such a filter
    keeps the serial pass.  Returns whether ``y`` and ``z`` were written (by the split,
    or serially after one that met a state that is not finite); False: the caller's
    serial pass."""
    global _last_setup, _last_decay
    cdef Py_ssize_t decay, nseg, cap
    cdef _Setup setup = None
    if not _may_split(n):
        return False
    if _last_setup is not None and _is_key(f, _last_setup.key):
        setup, decay = _last_setup, _last_decay   # kept: the split pays
        if not _long_enough(n, decay):
            return False
    else:
        decay = _rec_decay(f)
        cap = decay + 2 * _BLOCK   # the responses' longest, and what the basis is made over
        if decay <= 0 or not _long_enough(n, decay) or not _split_pays(f, n, cap):
            return False
    # as many segments as fill one vector of lanes on every thread (one thread too), each
    # at least twice the decay (its correction then costs at most a quarter of its own
    # filtering); more would only add corrections
    nseg = min(pyjl_lane_width() * nt, n // max(_LANE_SEG_MIN, 2 * decay))
    if nseg < 2:
        return False
    if setup is None:
        setup = _zir_basis(f, decay + 2 * _BLOCK)
        _last_setup, _last_decay = setup, decay
    if f.sos == NULL and not (setup.T and setup.hmax <= _IIR_SPLIT_HMAX):
        return False
    cap = setup.T if setup.T else decay + 2 * _BLOCK
    with nogil:   # setup, a local, keeps H and zss alive
        if not _lane_segments(f, setup.z, z, x, y, n, nseg, setup.h, cap, nt):
            _rec_serial(f, z, x, y, n)
    return True


cdef _Setup _zir_basis(const pyjl_recursion *f, Py_ssize_t cap):
    """The filter's ``_Setup``: the zero-input responses from its unit states, ``H (ns,
    T)``, for corrections by ``pyjl_zir_add``, their largest magnitude ``hmax``, and the
    steady state of a unit constant input ``zss (ns,)`` (``_steady_state``: as SciPy's
    ``sosfilt_zi`` or ``lfilter_zi``, or ``None``); ``T = 0``, ``H = None`` and ``hmax =
    inf`` where the responses take more than ``cap`` samples to decay or more than
    ``_ZIR_BASIS_MAX`` bytes.  Kept per filter (a stream asks on every chunk), the last
    ``_ZIR_BASES``."""
    cdef Py_ssize_t ns = pyjl_rec_states(f), T = 0
    cdef double[:, ::1] work
    cdef _Setup got
    key = _filter_key(f)
    got = _zir_bases.get(key)
    if got is not None:
        return got
    got = _Setup.__new__(_Setup)
    got.key, got.H, got.h, got.hmax = key, None, NULL, np.inf
    if ns * cap * sizeof(double) <= _ZIR_BASIS_MAX:
        w = np.zeros((ns, cap))
        work = w
        with nogil:
            T = pyjl_zir_basis(f, &work[0, 0], cap)
        if T:
            got.H = np.ascontiguousarray(w[:, :T])
            got.h = <const double *> cnp.PyArray_DATA(<cnp.ndarray> got.H)
            got.hmax = float(np.max(np.abs(got.H)))
    got.T = T
    got.zss = _steady_state(f)
    got.z = NULL if got.zss is None else <const double *> cnp.PyArray_DATA(<cnp.ndarray> got.zss)
    _keep(_zir_bases, key, got)
    return got


cdef inline void _sum2(double *s, double *c, double v) noexcept nogil:
    """Add ``v`` to the compensated sum ``s + c`` (Neumaier)."""
    cdef double t = s[0] + v
    if fabs(s[0]) >= fabs(v):
        c[0] += (s[0] - t) + v
    else:
        c[0] += (v - t) + s[0]
    s[0] = t


cdef bint _dc_state(const double *b, const double *a, Py_ssize_t k, double level,
                    double *z, double *out) noexcept nogil:
    """The state ``z (k - 1)`` of the direct form II transposed ``b/a`` (``a[0] == 1``)
    after a constant input ``level`` forever, and its output ``out``: ``out = level *
    sum(b) / sum(a)``, ``z[i] = sum_{j > i} (b[j] level - a[j] out)`` (the recursion's
    fixed point, SciPy's ``lfilter_zi`` times ``level``), the sums compensated (a
    low-pass denominator's sum cancels to a small number).  False where ``sum(a)`` is
    0 (a pole at 1) or a value is not finite."""
    cdef double sb = 0.0, cb = 0.0, sa = 0.0, ca = 0.0, y, s = 0.0, c = 0.0
    cdef Py_ssize_t j
    for j in range(k):
        _sum2(&sb, &cb, b[j])
        _sum2(&sa, &ca, a[j])
    if sa + ca == 0.0:
        return False
    y = level * ((sb + cb) / (sa + ca))
    for j in range(k - 1, 0, -1):
        _sum2(&s, &c, b[j] * level)
        _sum2(&s, &c, -(a[j] * y))
        z[j - 1] = s + c
    out[0] = y
    return isfinite(y)


cdef object _steady_state(const pyjl_recursion *f):
    """``zss``: the filter's state after a unit constant input, in its state order (float64
    ``(ns,)``; ``_dc_state`` per section, each fed the one before's output level, as
    SciPy's ``sosfilt_zi``), or ``None`` where it has none (a pole at 1) or it is not
    finite."""
    cdef Py_ssize_t ns = pyjl_rec_states(f), s
    cdef double level = 1.0
    zss = np.empty(ns)
    cdef double[::1] z = zss
    cdef bint ok = True
    if f.sos != NULL:
        for s in range(f.n_sec):
            ok = ok and _dc_state(f.sos + 6 * s, f.sos + 6 * s + 3, 3, level, &z[2 * s],
                                  &level)
    else:
        ok = _dc_state(f.b, f.a, f.k, 1.0, &z[0], &level)
    for s in range(ns):
        ok = ok and isfinite(z[s])
    return zss if ok else None


def _steady_state_of(coef, a=None):
    """Python view of ``_steady_state``: of sections ``coef (n_sections, 6)``, or of the
    direct form ``coef``, ``a`` (``a[0] == 1``, as long as ``coef``); float64."""
    cdef const double[::1] c = np.ascontiguousarray(coef, dtype=np.float64).ravel()
    cdef const double[::1] av
    cdef pyjl_recursion f
    f.sos, f.b, f.a, f.n_sec, f.k = &c[0], NULL, NULL, c.shape[0] // 6, 0
    if a is not None:
        av = np.ascontiguousarray(a, dtype=np.float64)
        f.sos, f.b, f.a, f.k = NULL, &c[0], &av[0], c.shape[0]
    return _steady_state(&f)


cdef bint _lane_segments(const pyjl_recursion *f, const double *zss, double *z,
                         const double *x, double *y, Py_ssize_t n, Py_ssize_t nseg,
                         const double *H, Py_ssize_t cap, int nt) noexcept nogil:
    """One channel as ``nseg`` time segments of ``L ~ n // nseg`` samples, filtered in
    lanes, as many segments per task as a vector has lanes (``pyjl_lane_width()``):
    segment 0 from ``z``, each other from the steady state of the mean of the 64
    samples before it (``zss`` times that level; zero where ``zss`` is NULL); then the
    zero-input response of what each segment's final state differs by from the next
    one's start is added to the next segment by the same task (a block's last response
    is added afterwards): from the basis ``H (ns, cap)`` where given, else (sections
    only) in lanes by the recursion until it is below rounding, at most ``cap``
    samples.  The tasks run on the team of ``pyjl_team.h`` (the caller takes the tasks
    a late worker has not: a stream's chunk never waits for a thread to wake), OpenMP
    threads where it has none.  The ``n - nseg * L`` last samples follow serially.
    Returns False (nothing written to ``z``) if a response has not decayed within
    ``cap`` samples or a state is not finite; ``y`` must then be recomputed."""
    cdef pyjl_split_job job
    cdef Py_ssize_t L = n // nseg, ns = pyjl_rec_states(f), t
    cdef int block = pyjl_lane_width(), ok = 1
    cdef Py_ssize_t nb = (nseg + block - 1) // block, q, c
    if L % 512 == 0 and L > 512:
        L -= 8   # rows a multiple of 4 kB apart would share the cache's sets
    if cap > L:
        if f.sos == NULL:
            return False
        cap = L
        H = NULL
    cdef double *states = <double *> calloc(nseg * ns, sizeof(double))
    cdef double *owed = <double *> calloc(nb * cap, sizeof(double))
    cdef int *decayed = <int *> malloc(nb * sizeof(int))
    if states == NULL or owed == NULL or decayed == NULL:
        free(states); free(owed); free(decayed)
        return False
    memcpy(states, z, ns * sizeof(double))   # the tasks set the other segments' starts
    job.f = f[0]
    job.zss = zss
    job.x, job.H, job.states, job.y, job.owed = x, H, states, y, owed
    job.L, job.nseg, job.cap, job.block = L, nseg, cap, block
    job.stream, job.decayed = _stream(n), decayed
    if PYJL_TEAM:
        pyjl_team_run(pyjl_split_task, &job, nb, nt)
    else:
        for q in prange(nb, nogil=True, num_threads=nt, schedule="static", chunksize=1):
            pyjl_split_task(&job, q)
    for q in range(nb):
        if not decayed[q]:
            ok = 0
    if ok:
        for q in range(nb - 1):
            c = (q + 1) * block * L
            for t in range(cap):
                y[c + t] = y[c + t] + owed[q * cap + t]
        # the last segment's raw final state is the true one: the response it owed
        # to nothing and the one it received has decayed
        memcpy(z, states + (nseg - 1) * ns, ns * sizeof(double))
        _rec_serial(f, z, x + nseg * L, y + nseg * L, n - nseg * L)
    free(states); free(owed); free(decayed)
    return ok
