# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""DSP kernels of the ``native`` engine: filters, resampling and framing.

Layout contract (validated by ``pyjl.dsp``, trusted here): every signal is a
float64, C-contiguous ``(n_channels, n)`` array filtered along its last axis;
coefficients are float64 and C-contiguous.  Work is split across OpenMP
threads (``n_threads``, the last argument of every kernel): channels, and for
FIR/upfirdn chunks of samples, and for one long IIR channel segments in time.  A call
with little work wakes fewer threads, down to the caller's alone (``_threads_for``):
waking a thread costs more than a small filter, and far more on a busy machine.

``sosfilt`` performs exactly ``scipy.signal.sosfilt``'s arithmetic, in the
same order (``-ffp-contract=off``: no fused multiply-adds), so one channel on
one thread gives bit-identical results.  It is faster because the state of a
group of four sections lives in registers (SciPy reloads it from memory every
sample) and the four sections run as a pipeline: at step ``t`` section ``s``
filters sample ``t - s``, so their recursions are independent within a step
and the CPU overlaps them.  Blocks of ``_BLOCK`` samples pass group by group
through an L1-resident buffer.

Several channels (``sosfilt``: at least ``_LANES_MIN_CH`` per thread; ``lfilter``
with a denominator: any) run in SIMD lanes (``pyjl_dsp_lanes.h``): blocks of up to
eight channels, one per lane of the vectors, each lane doing exactly the scalar
arithmetic, so the results stay bit-identical.  One long ``sosfilt`` channel is
split into time segments that fill the lanes of every thread (one thread too), each
corrected by the zero-input response of its predecessor's final state, from the
filter's responses to unit states (``pyjl_dsp_split.h``); those segments run on a small
team of worker threads (``pyjl_team.h``) whose caller takes the tasks a late worker has
not, so a stream's chunk never waits for a thread to wake.
``_set_lanes(False)`` switches the lanes off (the tests' reference); the lanes run at the
widest vector the CPU has (8 doubles with AVX-512, 4 with AVX2, 2 elsewhere) and
``_set_lane_width`` picks a narrower one (the tests run each).

Outputs come from a pool (``pyjl_dsp_pool.h``) that takes back the memory of freed
outputs of the same size, so a repeated call does not fault in fresh pages, and the
lane kernels write outputs larger than the caches by streaming stores (``_STREAM_MIN``;
``_set_stream(False)`` switches them off).

A call with one thread's work runs without an OpenMP parallel region (entering one
costs more than a small filter).  ``lfilter_small`` and ``upfirdn_small`` take a small
call on plain float64 arrays in one step, its checks included (shapes, finite data and
results), and answer None for anything else: ``pyjl.dsp`` then takes its full path.

The kernels are in ``dsp_*.pxi`` next to this file, included below (one extension
module: the pool and the switches are shared): the output pool, ``sosfilt``'s scalar
kernels, ``sosfilt`` in lanes, ``lfilter``, and upfirdn / STFT frames / ``fftfilt``.
"""

import numpy as np
cimport numpy as cnp
from cython.parallel cimport prange
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memcmp, memcpy, memset
from libc.float cimport DBL_MAX
from libc.math cimport fabs, fmax, isfinite, log, sqrt

cnp.import_array()

DEF _BLOCK = 512
DEF _SPLIT_MIN = 16384    # fewest samples per time segment of one channel
DEF _LANES_MIN_CH = 3     # fewer channels per thread: sosfilt's scalar kernel, as fast
DEF _LANE_SEG_MIN = 2048  # fewest samples per time segment of one channel in lanes
DEF _STREAM_MIN = 1 << 21  # outputs of this many samples (16 MB) bypass the caches
DEF _ZIR_BASIS_MAX = 1 << 20  # bytes of a filter's zero-input responses kept (in L2)
DEF _ZIR_BASES = 8          # filters whose responses are kept


cdef bint _lanes_on = True
cdef Py_ssize_t _par_min_work = 1 << 19  # fewest multiply-adds worth waking a thread for
cdef bint _stream_on = True


cdef inline int _threads_for(int n_threads, Py_ssize_t items, Py_ssize_t work) noexcept nogil:
    """Threads for ``items`` independent pieces of ``work`` multiply-adds in all: at most
    ``n_threads``, one per piece and one per ``_par_min_work`` (a small call runs on the
    caller's thread: waking another costs more than the work, on a busy machine far more)."""
    cdef Py_ssize_t nt = work // _par_min_work
    if nt > items:
        nt = items
    if nt > n_threads:
        nt = n_threads
    return <int>nt if nt > 1 else 1


def _set_par_min_work(Py_ssize_t work):
    """Wake one thread per ``work`` multiply-adds at most (default ``2**19``); returns the
    previous value (the tests pass 1 to run small inputs on every thread)."""
    global _par_min_work
    old = _par_min_work
    _par_min_work = work if work > 1 else 1
    return old


def _set_stream(bint on):
    """Write large lane outputs by streaming stores (``True``, the default) or by
    ordinary ones (``False``; the values are the same either way)."""
    global _stream_on
    _stream_on = on


cdef inline int _stream(Py_ssize_t samples) noexcept nogil:
    """Whether an output of ``samples`` values bypasses the caches (see pyjl_simd.h)."""
    return _stream_on and samples >= _STREAM_MIN


cdef extern from "pyjl_dsp.h":   # pyjl_simd.h
    int pyjl_lane_width_ok(int w) noexcept nogil
    int pyjl_lane_width() noexcept nogil
    int pyjl_set_lane_width(int w) noexcept nogil


def _lane_widths():
    """The lanes per vector the IIR lane kernels can run at on this CPU, widest first
    (8: AVX-512, 4: AVX2 with FMA, 2: any CPU; see pyjl_simd.h)."""
    return [w for w in (8, 4, 2) if pyjl_lane_width_ok(w)]


def _set_lane_width(int width):
    """Run the IIR lane kernels at ``width`` lanes per vector, one of ``_lane_widths()``
    (the tests run each), or at the widest the CPU has (0, the default)."""
    if not pyjl_set_lane_width(width):
        raise ValueError(f"this CPU cannot run lanes of width {width}: {_lane_widths()}")


def _set_lanes(bint on):
    """Run the IIR kernels in lanes (``True``, the default) or one channel per
    thread with the scalar loops (``False``: the reference the tests compare with)."""
    global _lanes_on
    _lanes_on = on


include "dsp_pool.pxi"
include "dsp_sos_scalar.pxi"
include "dsp_split.pxi"
include "dsp_sos_lanes.pxi"
include "dsp_lfilter.pxi"
include "dsp_frames.pxi"
