# sosfilt in SIMD lanes (pyjl_dsp_lanes.h) and the sosfilt entry point -- included by bindings/dsp.pyx

cdef extern from "pyjl_dsp.h":   # the lane kernels, pyjl_dsp_lanes.h
    int PYJL_LANES
    int PYJL_LANE_MAX_SEC
    void pyjl_sos_lanes(const double *sos, Py_ssize_t n_sec, double *z0, Py_ssize_t zstride,
                        const double *x0, double *y0, Py_ssize_t stride, int nl,
                        Py_ssize_t n, int stream) noexcept nogil
    int pyjl_sos_lane_block(const double *sos, Py_ssize_t n_sec, double *z0,
                            const double *x0, double *y0, Py_ssize_t L, int nl, double *owed,
                            Py_ssize_t cap, int last_block, int stream) noexcept nogil
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


cdef bint _sos_lane_segments(const double *sos, Py_ssize_t n_sec, double *z,
                             const double *x, double *y, Py_ssize_t n, Py_ssize_t nseg,
                             Py_ssize_t cap, int nt) noexcept nogil:
    """One channel as ``nseg`` time segments of ``L = n // nseg`` samples, filtered in
    lanes, a block of eight segments per thread: each from a zero state (segment 0
    from ``z``); then each segment's final state's zero-input response (in lanes
    too, until it is below rounding, at most ``cap`` samples) is added to the next
    segment, by the same thread straight away (one parallel region, no thread waits
    for another; a block's last response is added afterwards).  The ``n - nseg * L``
    last samples follow serially.  Returns False (nothing written to ``z``) if a
    response has not decayed within ``cap`` samples or a state is not finite; ``y``
    must then be recomputed."""
    cdef Py_ssize_t L = n // nseg, ns = 2 * n_sec, t
    cdef Py_ssize_t nb = (nseg + PYJL_LANES - 1) // PYJL_LANES, q, c
    cdef int nl, ok = 1
    if cap > L:
        cap = L
    cdef double *states = <double *> calloc(nseg * ns, sizeof(double))
    cdef double *owed = <double *> calloc(nb * cap, sizeof(double))
    cdef int *decayed = <int *> malloc(nb * sizeof(int))
    if states == NULL or owed == NULL or decayed == NULL:
        free(states); free(owed); free(decayed)
        return False
    memcpy(states, z, ns * sizeof(double))
    for q in prange(nb, nogil=True, num_threads=nt, schedule="static", chunksize=1):
        c = q * PYJL_LANES
        nl = <int>min(PYJL_LANES, nseg - c)
        decayed[q] = pyjl_sos_lane_block(sos, n_sec, states + c * ns, x + c * L, y + c * L,
                                         L, nl, owed + q * cap, cap, q == nb - 1,
                                         _stream(n))
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
    cdef Py_ssize_t n_ch = x.shape[0], n = x.shape[1], n_sec = sos.shape[0], i, c, nb
    cdef int nl
    y_arr = _empty_out(n_ch, n)
    if zi is None:
        zf_arr = np.zeros((n_ch, n_sec, 2), dtype=np.float64)
    else:
        zf_arr = _state_copy(zi)
    cdef double[:, ::1] y = y_arr
    cdef double[:, :, ::1] zf = zf_arr
    cdef int nt = n_threads if n_threads < n_ch else <int>n_ch
    cdef bint lanes = _lanes_on and 0 < n_sec <= PYJL_LANE_MAX_SEC
    if n == 0 or n_ch == 0:
        return y_arr, zf_arr
    if nt < 1:
        nt = 1
    cdef int split = n_threads
    cdef Py_ssize_t decay = 0, seg_min, nseg
    if n_ch == 1 and split >= 2 and n >= 2 * _SPLIT_MIN:
        # split in time only where each segment is much longer than the decay
        decay = _decay_len(sos)
        seg_min = max(_SPLIT_MIN, 4 * decay)
        if lanes and decay > 0 and n // seg_min >= 2:
            # lanes make a segment cheap: as many as fill the lanes of every thread,
            # each at least twice the decay (its correction then costs at most a
            # quarter of its own filtering)
            nseg = min(PYJL_LANES * split, n // max(_LANE_SEG_MIN, 2 * decay))
            if nseg >= 2:
                with nogil:
                    if not _sos_lane_segments(&sos[0, 0], n_sec, &zf[0, 0, 0], &x[0, 0],
                                              &y[0, 0], n, nseg, decay + 2 * _BLOCK, split):
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
        for i in prange(nb, nogil=True, num_threads=nt, schedule="static", chunksize=1):
            c = i * n_ch // nb
            nl = <int>((i + 1) * n_ch // nb - c)
            pyjl_sos_lanes(&sos[0, 0], n_sec, &zf[c, 0, 0], 2 * n_sec, &x[c, 0], &y[c, 0],
                           n, nl, n, _stream(n_ch * n))
        return y_arr, zf_arr
    for i in prange(n_ch, nogil=True, num_threads=nt, schedule="dynamic"):
        _sos_channel(&sos[0, 0], n_sec, &zf[i, 0, 0], &x[i, 0], &y[i, 0], n)
    return y_arr, zf_arr
