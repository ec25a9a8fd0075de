# sosfilt in SIMD lanes (pyjl_dsp_lanes.h) and the sosfilt entry point -- included by bindings/dsp.pyx

cdef extern from "pyjl_dsp.h":   # the lane kernels, pyjl_dsp_lanes.h
    int PYJL_LANES
    int PYJL_LANE_MAX_SEC
    void pyjl_sos_lanes(const double *sos, Py_ssize_t n_sec, double *z0, Py_ssize_t zstride,
                        const double *x0, double *y0, Py_ssize_t stride, int nl,
                        Py_ssize_t n, int stream) noexcept nogil
    Py_ssize_t pyjl_sos_zir_basis(const double *sos, Py_ssize_t n_sec, double *H,
                                  Py_ssize_t hs) noexcept nogil
    ctypedef struct pyjl_split_job:
        const double *sos
        const double *x
        const double *H
        double *states
        double *y
        double *owed
        Py_ssize_t n_sec, L, nseg, cap
        int stream
        int *decayed
    void pyjl_split_task(void *ctx, Py_ssize_t q) noexcept nogil
    ctypedef void (*pyjl_task_fn)(void *ctx, Py_ssize_t task) noexcept nogil
    void pyjl_team_run(pyjl_task_fn fn, void *ctx, Py_ssize_t n_tasks, int nt) noexcept nogil
    int PYJL_TEAM
    void pyjl_iir_lanes(const double *b, const double *a, Py_ssize_t k, double *z0,
                        Py_ssize_t zstride, const double *x0, double *y0, Py_ssize_t stride,
                        int nl, Py_ssize_t n, int stream) noexcept nogil



cdef inline Py_ssize_t _lane_blocks(Py_ssize_t n_ch, int nt) noexcept nogil:
    """Blocks of at most eight channels, at least one per thread, as even as can be
    (block ``i`` holds channels ``i * n_ch // nb`` to ``(i + 1) * n_ch // nb``)."""
    cdef Py_ssize_t nb = (n_ch + PYJL_LANES - 1) // PYJL_LANES
    if nb < nt:
        nb = nt if nt < n_ch else n_ch
    return nb


cdef dict _zir_bases = {}


cdef tuple _zir_basis(const double[:, ::1] sos, Py_ssize_t cap):
    """``(T, H)``: the zero-input responses of the cascade from its unit states,
    ``H (2 n_sections, T)``, for corrections by ``pyjl_sos_zir_add``
    (``pyjl_dsp_split.h``); ``(0, None)`` where they take more than ``cap``
    samples to decay or more than ``_ZIR_BASIS_MAX`` bytes.  Kept per filter (a
    stream asks on every chunk), the last ``_ZIR_BASES`` filters."""
    cdef Py_ssize_t n_sec = sos.shape[0], T = 0
    cdef double[:, ::1] work
    key = (<const char *> &sos[0, 0])[: n_sec * 6 * sizeof(double)]
    got = _zir_bases.get(key)
    if got is not None:
        return got
    if 2 * n_sec * cap * sizeof(double) <= _ZIR_BASIS_MAX:
        work = np.zeros((2 * n_sec, cap))
        with nogil:
            T = pyjl_sos_zir_basis(&sos[0, 0], n_sec, &work[0, 0], cap)
    got = (T, np.array(work[:, :T]) if T else None)
    if len(_zir_bases) >= _ZIR_BASES:
        del _zir_bases[next(iter(_zir_bases))]
    _zir_bases[key] = got
    return got


cdef bint _sos_lane_segments(const double *sos, Py_ssize_t n_sec, double *z,
                             const double *x, double *y, Py_ssize_t n, Py_ssize_t nseg,
                             const double *H, Py_ssize_t cap, int nt) noexcept nogil:
    """One channel as ``nseg`` time segments of ``L ~ n // nseg`` samples, filtered in
    lanes, a block of eight segments per task: each from a zero state (segment 0
    from ``z``); then each segment's final state's zero-input response is added to
    the next segment by the same task (a block's last response is added afterwards):
    from the basis ``H (2 n_sec, cap)`` where given, else in lanes by the recursion
    until it is below rounding, at most ``cap`` samples.  The tasks run on the team
    of ``pyjl_team.h`` (the caller takes the tasks a late worker has not: a
    stream's chunk never waits for a thread to wake), OpenMP threads where it has
    none.  The ``n - nseg * L`` last samples follow serially.  Returns False
    (nothing written to ``z``) if a response has not decayed within ``cap`` samples
    or a state is not finite; ``y`` must then be recomputed."""
    cdef pyjl_split_job job
    cdef Py_ssize_t L = n // nseg, ns = 2 * n_sec, t
    cdef Py_ssize_t nb = (nseg + PYJL_LANES - 1) // PYJL_LANES, q, c
    cdef int ok = 1
    if L % 512 == 0 and L > 512:
        L -= 8   # rows a multiple of 4 kB apart would share the cache's sets
    if cap > L:
        cap = L
        H = NULL
    cdef double *states = <double *> calloc(nseg * ns, sizeof(double))
    cdef double *owed = <double *> calloc(nb * cap, sizeof(double))
    cdef int *decayed = <int *> malloc(nb * sizeof(int))
    if states == NULL or owed == NULL or decayed == NULL:
        free(states); free(owed); free(decayed)
        return False
    memcpy(states, z, ns * sizeof(double))
    job.sos, job.x, job.H, job.states, job.y, job.owed = sos, x, H, states, y, owed
    job.n_sec, job.L, job.nseg, job.cap = n_sec, L, nseg, cap
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
            c = (q + 1) * PYJL_LANES * L
            for t in range(cap):
                y[c + t] = y[c + t] + owed[q * cap + t]
        # the last segment's raw final state is the true one: the response it owed
        # to nothing and the one it received has decayed
        memcpy(z, states + (nseg - 1) * ns, ns * sizeof(double))
        _sos_channel(sos, n_sec, z, x + nseg * L, y + nseg * L, n - nseg * L)
    free(states); free(owed); free(decayed)
    return ok


def sosfilt(const double[:, ::1] sos, const double[:, ::1] x, zi, int n_threads):
    """Filter each row of ``x (n_channels, n)`` through ``sos (n_sections, 6)``.

    ``zi``: ``None`` or ``(n_channels, n_sections, 2)``.  Returns ``(y, zf)``.
    Channels run in lanes, blocks of up to eight (one per vector) on the threads,
    or one per thread where a thread would get fewer than ``_LANES_MIN_CH``; a
    single long channel is split in time (see ``_sos_lane_segments``)."""
    cdef Py_ssize_t n_ch = x.shape[0], n = x.shape[1], n_sec = sos.shape[0], i, nb
    y_arr = _empty_out(n_ch, n)
    if zi is None:
        zf_arr = np.zeros((n_ch, n_sec, 2), dtype=np.float64)
    else:
        zf_arr = _state_copy(zi)
    cdef double[:, ::1] y = y_arr
    cdef double[:, :, ::1] zf = zf_arr
    cdef int nt = _threads_for(n_threads, n_ch, n_ch * n * n_sec)
    cdef bint lanes = _lanes_on and 0 < n_sec <= PYJL_LANE_MAX_SEC
    if n == 0 or n_ch == 0:
        return y_arr, zf_arr
    cdef int split = n_threads
    cdef Py_ssize_t decay = 0, seg_min, nseg, T, cap
    cdef const double *H
    cdef double[:, ::1] hv
    if n_ch == 1 and (split >= 2 or lanes) and n >= 2 * _SPLIT_MIN:
        # split in time only where each segment is much longer than the decay
        decay = _decay_len(sos)
        seg_min = max(_SPLIT_MIN, 4 * decay)
        if lanes and decay > 0 and n // seg_min >= 2:
            # lanes make a segment cheap: as many as fill the lanes of every thread
            # (one thread too), each at least twice the decay (its correction then
            # costs at most a quarter of its own filtering)
            nseg = min(PYJL_LANES * split, n // max(_LANE_SEG_MIN, 2 * decay))
            if nseg >= 2:
                T, basis = _zir_basis(sos, decay + 2 * _BLOCK)
                H, cap = NULL, decay + 2 * _BLOCK
                if T:
                    hv = basis
                    H, cap = &hv[0, 0], T
                with nogil:
                    if not _sos_lane_segments(&sos[0, 0], n_sec, &zf[0, 0, 0], &x[0, 0],
                                              &y[0, 0], n, nseg, H, cap, split):
                        _sos_channel(&sos[0, 0], n_sec, &zf[0, 0, 0], &x[0, 0], &y[0, 0], n)
                return y_arr, zf_arr
        if decay > 0 and n // seg_min < split:
            split = <int>(n // seg_min)
    if n_ch == 1 and split >= 2 and n >= 2 * _SPLIT_MIN and decay > 0:
        with nogil:
            _sos_segments(&sos[0, 0], n_sec, &zf[0, 0, 0], &x[0, 0], &y[0, 0], n, split,
                          (3 * decay) // 4)   # about the correction's real length
        return y_arr, zf_arr
    if lanes and (n_ch + nt - 1) // nt >= _LANES_MIN_CH:
        nb = _lane_blocks(n_ch, nt)
        if nt == 1:  # the same blocks on this thread: no parallel region to enter
            with nogil:
                for i in range(nb):
                    _sos_lane_block(&sos[0, 0], n_sec, &zf[0, 0, 0], &x[0, 0], &y[0, 0],
                                    n, n_ch, nb, i)
            return y_arr, zf_arr
        for i in prange(nb, nogil=True, num_threads=nt, schedule="static", chunksize=1):
            _sos_lane_block(&sos[0, 0], n_sec, &zf[0, 0, 0], &x[0, 0], &y[0, 0], n, n_ch, nb, i)
        return y_arr, zf_arr
    if nt == 1:
        with nogil:
            for i in range(n_ch):
                _sos_channel(&sos[0, 0], n_sec, &zf[i, 0, 0], &x[i, 0], &y[i, 0], n)
        return y_arr, zf_arr
    for i in prange(n_ch, nogil=True, num_threads=nt, schedule="dynamic"):
        _sos_channel(&sos[0, 0], n_sec, &zf[i, 0, 0], &x[i, 0], &y[i, 0], n)
    return y_arr, zf_arr


cdef inline void _sos_lane_block(const double *sos, Py_ssize_t n_sec, double *zf,
                                 const double *x, double *y, Py_ssize_t n, Py_ssize_t n_ch,
                                 Py_ssize_t nb, Py_ssize_t i) noexcept nogil:
    """Block ``i`` of ``nb``: channels ``[i n_ch / nb, (i + 1) n_ch / nb)`` in lanes."""
    cdef Py_ssize_t c = i * n_ch // nb
    cdef int nl = <int>((i + 1) * n_ch // nb - c)
    pyjl_sos_lanes(sos, n_sec, zf + c * 2 * n_sec, 2 * n_sec, x + c * n, y + c * n,
                   n, nl, n, _stream(n_ch * n))


def _zir_responses(sos):
    """Python view of ``_zir_basis`` for the cap ``sosfilt`` uses: ``(T, H)``, ``H``
    of shape ``(2 n_sections, T)`` or ``None`` (float64 ``(n_sections, 6)``)."""
    s = np.ascontiguousarray(sos, dtype=np.float64)
    decay = _decay_len(s)
    if decay <= 0:
        return 0, None
    return _zir_basis(s, decay + 2 * _BLOCK)
