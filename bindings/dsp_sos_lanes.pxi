# sosfilt in SIMD lanes (pyjl_dsp_lanes.h) and its entry point -- included by bindings/dsp.pyx

cdef extern from "pyjl_dsp.h":   # the lane kernels, pyjl_dsp_lanes.h
    int PYJL_LANES
    int PYJL_LANE_MAX_SEC
    void pyjl_sos_lanes(const double *sos, Py_ssize_t n_sec, double *z0, Py_ssize_t zstride,
                        const double *x0, double *y0, Py_ssize_t stride, int nl,
                        Py_ssize_t n, int stream) noexcept nogil
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


def sosfilt(const double[:, ::1] sos, const double[:, ::1] x, zi, int n_threads):
    """Filter each row of ``x (n_channels, n)`` through ``sos (n_sections, 6)``.

    ``zi``: ``None`` or ``(n_channels, n_sections, 2)``.  Returns ``(y, zf)``.
    Channels run in lanes, blocks of up to eight (one per vector) on the threads,
    or one per thread where a thread would get fewer than ``_LANES_MIN_CH``; a
    single long channel is split in time (see ``_split_channel``, dsp_split.pxi)."""
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
    cdef Py_ssize_t decay = 0, seg_min
    cdef pyjl_recursion f
    if n_ch == 1 and lanes:   # split in time in lanes (_split_channel), else one pass
        f.sos, f.n_sec, f.b, f.a, f.k = &sos[0, 0], n_sec, NULL, NULL, 0
        if not _split_channel(&f, &zf[0, 0, 0], &x[0, 0], &y[0, 0], n, split):
            with nogil:
                _sos_channel(&sos[0, 0], n_sec, &zf[0, 0, 0], &x[0, 0], &y[0, 0], n)
        return y_arr, zf_arr
    if n_ch == 1 and split >= 2 and n >= 2 * _SPLIT_MIN:
        # without lanes, threads take a segment each where it is much longer than the decay
        decay = _decay_len(&sos[0, 0], n_sec)
        seg_min = max(_SPLIT_MIN, 4 * decay)
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
    cdef const double[:, ::1] s = np.ascontiguousarray(sos, dtype=np.float64)
    cdef pyjl_recursion f
    decay = _decay_len(&s[0, 0], s.shape[0])
    if decay <= 0:
        return 0, None
    f.sos, f.n_sec, f.b, f.a, f.k = &s[0, 0], s.shape[0], NULL, NULL, 0
    setup = _zir_basis(&f, decay + 2 * _BLOCK)
    return setup.T, setup.H
