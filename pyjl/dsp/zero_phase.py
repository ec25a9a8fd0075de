"""Zero-phase filtering: ``filtfilt`` and ``sosfiltfilt``, as :mod:`scipy.signal`.

The signal is filtered forward, then the result backward, so the phase shifts
cancel and the magnitude response is squared.  With ``method="pad"`` each end is
first extended by ``padlen`` samples (odd, even or constant extension) and each
pass starts from the filter's step steady state scaled by its first sample;
Gustafsson's method (``filtfilt(..., method="gust")``) picks the initial states
by least squares instead.  Both passes run on the one-pass kernels of
:mod:`pyjl.dsp._kernels`; a result that overflows is rerun scaled, as in
:mod:`pyjl.dsp.filtering`.

>>> import numpy as np
>>> from pyjl.dsp import butter, sosfiltfilt
>>> y = sosfiltfilt(butter(4, 0.2, output="sos"), np.ones(40))
>>> bool(np.allclose(y, 1.0))
True
"""

from __future__ import annotations

import numpy as np
from scipy import linalg

from .. import _validate
from ..data import all_finite, as_raw
from . import _inputs
from ._frames import filter_finite
from ._inputs import channels, from_channels, out_dtype, read_signal
from ._kernels import (
    lfilter_channels,
    rerun_scaled,
    reversed_rows,
    sosfilt_channels,
    work_array,
)
from ._memo import KEPT_VALUES, by_value
from .filtering import normalize_ba, sos_numerator

__all__ = ["filtfilt", "sosfiltfilt"]


def _pad_length(padtype, padlen, n, ntaps):
    """The number of samples each end is extended by (``edge`` in SciPy's code)."""
    if padtype not in ("even", "odd", "constant", None):
        raise _validate.error(
            "padtype",
            "must be 'even', 'odd', 'constant' or None",
            _validate.describe(padtype),
            "pick one of those",
        )
    if padtype is None:
        return 0
    edge = 3 * ntaps if padlen is None else _validate.integer(padlen, "padlen", low=0)
    if n <= edge:
        raise _validate.error(
            "x",
            f"must be longer than padlen = {edge} along the filtered axis",
            f"{n} samples",
            "pass a longer signal or a smaller `padlen`",
        )
    return edge


def _pads(x2, edge, padtype):
    """The ``edge`` samples (odd/even/constant) that extend the rows of ``x2`` on the
    left and on the right, each ``(n_channels, edge)``."""
    left, right = x2[:, edge:0:-1], x2[:, -2 : -(edge + 2) : -1]
    if padtype == "odd":
        left, right = 2 * x2[:, :1] - left, 2 * x2[:, -1:] - right
    elif padtype == "constant":
        left, right = (np.broadcast_to(v, (x2.shape[0], edge)) for v in (x2[:, :1], x2[:, -1:]))
    return left, right


def extend(x2, edge, padtype):
    """Extend the rows of ``x2`` by ``edge`` samples each side (odd/even/constant)."""
    if padtype is None or edge == 0:
        return x2
    n = x2.shape[1]
    out = work_array(x2.shape[0], n + 2 * edge, x2.dtype)
    out[:, edge : edge + n] = x2
    out[:, :edge], out[:, edge + n :] = _pads(x2, edge, padtype)
    return out


def _extended_dtype(dtype, padtype, padlen, method="pad"):
    """The dtype of the extended signal SciPy filters: its odd extension of boolean data
    computes ``2 * x[0] - x``, integers (the even and constant ones stay boolean)."""
    extends = method == "pad" and padtype == "odd" and padlen != 0
    return np.dtype(np.float64) if dtype == np.bool_ and extends else dtype


def _twice(run, x2, zi, edge, padtype, last=None):
    """Forward then backward pass of ``run(x, zi)`` (a causal filter: its output and
    state depend only on the samples so far) with steady-state initial conditions
    scaled by the first sample of each pass; the backward pass's final state replaces
    the contents of the list ``last`` (for :func:`filter_finite`).

    The forward pass filters the left extension, the signal and the right extension
    in turn, the state carried (the same operations, without a padded copy of the
    signal).  The backward pass filters the forward output reversed in one step
    (:func:`reversed_rows`), in rows rounded up to whole 64-byte lines with zeros after
    the signal (nothing kept changes, and the native kernels stream such rows,
    ``pyjl_simd.h``)."""
    w = x2.shape[1] + 2 * edge
    zi_shape = (1,) + zi.shape

    def start(v):  # the steady state scaled by the pass's first sample
        return zi.reshape(zi_shape) * v[:, :1].reshape((-1,) + (1,) * zi.ndim)

    left, right = _pads(x2, edge, padtype) if padtype is not None and edge > 0 else (x2, None)
    parts, z = [], start(left)
    for piece in (left, x2, right) if right is not None else (x2,):
        y, z = run(np.ascontiguousarray(piece), z)
        parts.append(y)
    rev = reversed_rows(parts, w + (-w) % 8)
    del parts, y  # the forward output's memory goes back before the backward pass
    y, zf = run(rev, start(rev))
    if last is not None:
        last[:] = [zf]
    y = y[:, w - 1 :: -1]  # a reversed view, as SciPy returns
    if edge > 0:
        y = y[:, edge:-edge]
    return y


def _solve_steady_state(which: str, *coef: np.ndarray) -> np.ndarray:
    """:func:`scipy.signal.lfilter_zi` (``which="ba"``) or ``sosfilt_zi`` (``"sos"``) of
    ``coef``."""
    from scipy.signal import lfilter_zi, sosfilt_zi

    return lfilter_zi(*coef) if which == "ba" else sosfilt_zi(*coef)


#: solved once per coefficient value, a fresh copy each call; the solve costs
#: ``len(coef) ** 3``, so long FIR filters are kept too
_steady_state = by_value(_solve_steady_state, longest=KEPT_VALUES)


def _as_work(x2):
    """``x2`` as the float64 (complex128 for complex data) array the passes run on."""
    return np.ascontiguousarray(x2, dtype=np.complex128 if np.iscomplexobj(x2) else np.float64)


def _gust(b, a, x2, irlen):
    """Gustafsson's forward-backward filter (IEEE Trans. Signal Process. 44(4),
    988-992, 1996): initial states of both passes chosen, by least squares, so
    that filtering forward-backward and backward-forward agree; only the first
    and last ``irlen`` samples are matched when the signal is longer than
    ``2 * irlen``.  The same arithmetic as :func:`scipy.signal.filtfilt`'s "gust"."""
    order = max(a.size, b.size) - 1
    if order == 0:
        return (b[0] / a[0]) ** 2 * x2
    if x2.shape[0] == 0:  # no channel: LAPACK refuses an empty right-hand side
        return np.empty(x2.shape, np.result_type(b, a, x2))
    n = x2.shape[1]
    m = n if irlen is None or n <= 2 * irlen else irlen
    ct = np.result_type(b, a)

    def run(v):  # rows of v, zero initial state
        return lfilter_channels(b, a, v, None)[0]

    zi = np.zeros((1, order), dtype=ct)
    zi[0, 0] = 1
    obs = np.zeros((m, order), dtype=ct)
    obs[:, 0] = lfilter_channels(b, a, np.zeros((1, m)), zi)[0][0]
    for k in range(1, order):
        obs[k:, k] = obs[:-k, 0]
    obs_r = obs[::-1]
    s_mat = run(np.ascontiguousarray(obs_r.T)).T
    s_r = s_mat[::-1]
    if m == n:
        M, W = np.hstack((s_r - obs, obs_r - s_mat)), np.hstack((s_r, obs_r))
    else:
        M = np.zeros((2 * m, 2 * order), dtype=ct)
        W = np.zeros((2 * m, 2 * order), dtype=ct)
        M[:m, :order], M[m:, order:] = s_r - obs, obs_r - s_mat
        W[:m, :order], W[m:, order:] = s_r, obs_r
    y_fb = run(np.ascontiguousarray(run(x2)[:, ::-1]))[:, ::-1]
    y_bf = run(np.ascontiguousarray(run(np.ascontiguousarray(x2[:, ::-1]))[:, ::-1]))
    delta = y_bf - y_fb
    if m < n:
        delta = np.concatenate((delta[:, :m], delta[:, -m:]), axis=1)
    # SciPy's lstsq (LAPACK gelsd, its default cutoff), as scipy.signal.filtfilt: NumPy's
    # rcond=None drops more small singular values of a near-singular M (a signal about as
    # short as the filter's response), which changes the answer, not only its rounding
    ic = linalg.lstsq(M, delta.T, check_finite=False)[0].T
    wic = ic @ W.T
    y = np.array(y_fb, dtype=np.result_type(y_fb, wic))
    if m == n:
        y += wic
    else:
        y[:, :m] += wic[:, :m]
        y[:, -m:] += wic[:, -m:]
    return y


def filtfilt(b, a, x, axis=None, padtype="odd", padlen=None, method="pad", irlen=None):
    """Zero-phase filtering: ``lfilter`` forward, then backward, as
    :func:`scipy.signal.filtfilt`.

    With ``method="pad"`` the signal is extended by ``padlen`` (default
    ``3 * max(len(a), len(b))``) samples each side (``padtype`` odd/even/constant,
    or None for no extension) and each pass starts from the steady state
    ``lfilter_zi(b, a)`` scaled by its first sample.  With ``method="gust"``
    Gustafsson's method picks the initial states instead (``padtype`` and
    ``padlen`` are ignored; ``irlen``, the length of the non-negligible impulse
    response, limits the fit to the ends of the signal).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(256)
    >>> b, a = signal.butter(3, 0.2)
    >>> bool(np.allclose(dsp.filtfilt(b, a, x), signal.filtfilt(b, a, x)))
    True
    >>> bool(np.allclose(dsp.filtfilt(b, a, x, method="gust"),
    ...                  signal.filtfilt(b, a, x, method="gust")))
    True
    """
    if not (type(method) is str and method == "pad"):
        method = _validate.choice(method, "method", ("pad", "gust"))
    b_raw, a_raw = as_raw(b, "b"), as_raw(a, "a")
    b, a = normalize_ba(b, a)
    # Gustafsson's method pads nothing: an empty signal gives an empty one, as SciPy's
    sig = read_signal(x, axis=axis, min_len=int(method == "pad"), finite=False)
    x2, outer = channels(sig.values, sig.axis)
    dt = out_dtype(b_raw, a_raw, _extended_dtype(sig.dtype, padtype, padlen, method))
    if sig.n == 0:
        return sig.restore(sig.values.astype(dt))
    last: list = []
    if method == "gust":
        irlen = None if irlen is None else _validate.integer(irlen, "irlen", low=1)

        def run(bb, v, _):
            return _gust(bb, a, v, irlen)
    else:
        k = max(a.size, b.size)
        edge = _pad_length(padtype, padlen, sig.n, k)

        def run(bb, v, _):
            zi = _steady_state("ba", bb, a) if k > 1 else np.zeros(0)
            return _twice(lambda e, z: lfilter_channels(bb, a, e, z), v, zi, edge, padtype, last)

    x2 = _as_work(x2)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow reruns scaled
        y2 = run(b, x2, None)
    if not filter_finite(y2, last[0] if last else np.zeros(0), recursive=a.size > 1):
        sig.require_finite()  # else an overflow, redone at a scale where it fits
        if not all_finite(y2):
            y2 = rerun_scaled(run, b, x2, None, "filtfilt's output", passes=2)
    return sig.restore(from_channels(y2, outer, sig.axis).astype(dt, copy=False))


def sosfiltfilt(sos, x, axis=None, padtype="odd", padlen=None):
    """Zero-phase second-order-section filtering, as :func:`scipy.signal.sosfiltfilt`:
    the default ``padlen`` is ``3 * (2 * n_sections + 1 - min(#(b2 == 0), #(a2 == 0)))``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> x = np.random.default_rng(0).standard_normal(256)
    >>> sos = signal.butter(4, 0.2, output="sos")
    >>> bool(np.allclose(dsp.sosfiltfilt(sos, x), signal.sosfiltfilt(sos, x)))
    True
    """
    sos_raw = as_raw(sos, "sos")
    sos = _inputs.validate_sos(sos)
    sig = read_signal(x, axis=axis, min_len=1, finite=False)
    n_sec = sos.shape[0]
    ntaps = 2 * n_sec + 1 - min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
    edge = _pad_length(padtype, padlen, sig.n, ntaps)
    x2, outer = channels(sig.values, sig.axis)
    zi = _steady_state("sos", sos)
    dt = out_dtype(sos_raw, _extended_dtype(sig.dtype, padtype, padlen))
    last: list = []

    def run(coef, v, _):
        return _twice(
            lambda e, z: sosfilt_channels(coef, e, np.ascontiguousarray(z)),
            v,
            zi if coef is sos else _steady_state("sos", coef),
            edge,
            padtype,
            last,
        )

    x2 = _as_work(x2)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow reruns scaled
        y2 = run(sos, x2, None)
    if not filter_finite(y2, last[0], recursive=True):
        sig.require_finite()  # else an overflow, redone at a scale where it fits
        if not all_finite(y2):
            y2 = rerun_scaled(
                run, sos, x2, None, "sosfiltfilt's output", passes=2, numerator=sos_numerator
            )
    return sig.restore(from_channels(y2, outer, sig.axis).astype(dt, copy=False))
