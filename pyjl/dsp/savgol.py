"""Savitzky-Golay smoothing and differentiation: ``savgol_coeffs`` and ``savgol_filter``.

A Savitzky-Golay filter fits a polynomial of degree ``polyorder`` to each window of
``window_length`` samples by least squares and evaluates it (or its ``deriv``-th
derivative) at the window's centre; the fit is linear in the samples, so the filter is
one FIR convolution with :func:`savgol_coeffs` (Savitzky & Golay, *Anal. Chem.* 36,
1964; Press et al., *Numerical Recipes*, 3rd ed., 14.9).  ``savgol_filter`` extends the
signal past its ends as :func:`scipy.ndimage.convolve1d`'s ``mode`` does and runs the
convolution on the engine's FIR kernels (channels in parallel; overlap-add for long
windows); ``mode="interp"`` (the default) instead evaluates, for the ``window_length //
2`` samples at each end, the polynomial fitted to the first or last ``window_length``
samples, as :func:`scipy.signal.savgol_filter`.

>>> import numpy as np
>>> from pyjl.dsp import savgol_filter
>>> x = np.array([2, 2, 5, 2, 1, 0, 1, 4, 9], dtype=float)
>>> savgol_filter(x, 5, 2).round(2).tolist()
[1.66, 3.17, 3.54, 2.86, 0.66, 0.17, 1.0, 4.0, 9.0]
"""

from __future__ import annotations

import numpy as np

from .. import _validate
from ._design_args import in_namespace, scalar
from ._frames import rescale, scale_down
from ._inputs import channels, from_channels, read_signal
from ._kernels import fir_uses_fft, upfirdn_channels
from ._memo import by_value
from .convolution import _overlap_add

__all__ = ["savgol_coeffs", "savgol_filter"]

MODES = ("mirror", "constant", "nearest", "wrap", "interp")
#: a bound on the window, as on the designs' taps (a longer one is an allocation error)
MAX_WINDOW = 2**24


def _window_args(window_length, polyorder, deriv, delta):
    """The checked ``(window_length, polyorder, deriv, delta)``."""
    m = _validate.integer(window_length, "window_length", low=1, high=MAX_WINDOW)
    p = _validate.integer(
        polyorder,
        "polyorder",
        low=0,
        high=m - 1,
        fix=f"pass a polynomial order below window_length = {m}",
    )
    d = _validate.integer(deriv, "deriv", low=0)
    step = _validate.real(
        scalar(delta), "delta", low=0, low_open=True, fix="pass the sample spacing, > 0"
    )
    return m, p, d, step


@by_value
def _coeffs(m, p, d, step, pos, use):
    """SciPy's coefficients (the fit's ``d``-th derivative at ``pos``, a window position),
    fitted on the window mapped onto ``[-1, 1]`` (:func:`_rows_at`): SciPy's fit on the
    integer positions breaks down in float64 from about ``polyorder`` 10 (the
    coefficients of a 51-sample window at order 11 sum to 0.001, not 1)."""
    row = _rows_at(m, p, d, step, np.array([(m - 1) / 2 if pos is None else pos]))[0]
    return row[::-1].copy() if use == "conv" else row


def savgol_coeffs(
    window_length, polyorder, deriv=0, delta=1.0, pos=None, use="conv", *, xp=None, device=None
):
    """The FIR coefficients of a 1-D Savitzky-Golay filter
    (:func:`scipy.signal.savgol_coeffs`'s, fitted on the window mapped onto ``[-1,
    1]``: SciPy's fit on the integer positions loses its digits from ``polyorder``
    about 10, where these keep them).

    Parameters
    ----------
    window_length : int
        The number of coefficients, at least 1.
    polyorder : int
        The degree of the fitted polynomial, below ``window_length``.
    deriv : int
        The derivative to evaluate (0: the smoothed value); above ``polyorder`` the
        coefficients are zero.
    delta : float
        The sample spacing (> 0), for derivatives.
    pos : float, optional
        Where in the window the polynomial is evaluated, in ``[0, window_length)``; the
        middle by default.
    use : {"conv", "dot"}
        ``"conv"``: coefficients for a convolution (reversed); ``"dot"``: for a dot
        product with the window's samples.
    xp, device : optional
        SciPy's array API arguments: the coefficients as an array of that namespace.

    Returns
    -------
    ndarray, shape (window_length,)

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.dsp import savgol_coeffs
    >>> savgol_coeffs(5, 2).round(4).tolist()
    [-0.0857, 0.3429, 0.4857, 0.3429, -0.0857]
    >>> x = np.array([1, 0, 1, 4, 9], dtype=float)  # samples of t**2 at t = -2..2
    >>> float((savgol_coeffs(5, 2, deriv=2, use="dot") @ x).round(12))  # the 2nd derivative
    2.0
    """
    m, p, d, step = _window_args(window_length, polyorder, deriv, delta)
    if pos is not None:
        pos = _validate.real(
            scalar(pos),
            "pos",
            low=0,
            high=m,
            high_open=True,
            fix=f"pass a position in [0, {m}) or None for the middle",
        )
    use = _validate.choice(use, "use", ("conv", "dot"))
    return in_namespace((_coeffs(m, p, d, step, pos, use),), xp, device)[0]


def savgol_filter(
    x, window_length, polyorder, deriv=0, delta=1.0, axis=None, mode="interp", cval=0.0
):
    """Smooth (or differentiate) ``x`` with a Savitzky-Golay filter
    (:func:`scipy.signal.savgol_filter`).

    Parameters
    ----------
    x : array_like, DataFrame or Arrow data
        The signal; a table is time x channels.  Must be finite.
    window_length : int
        The filter's length, at least 1 (at most ``x``'s length for ``mode="interp"``).
    polyorder : int
        The degree of the fitted polynomial, below ``window_length``.
    deriv : int
        The derivative to compute (0: smooth).
    delta : float
        The sample spacing (> 0), for derivatives.
    axis : int, optional
        The time axis: -1 for arrays (SciPy's default), 0 (down the rows) for tables.
    mode : {"interp", "mirror", "constant", "nearest", "wrap"}
        The extension past the ends (:func:`scipy.ndimage.convolve1d`'s), or ``"interp"``:
        the polynomial fitted to the ``window_length`` samples at each end.
    cval : float
        The value past the ends for ``mode="constant"``.

    Returns
    -------
    ndarray, DataFrame or Arrow data
        ``x``'s shape and form: float32 stays float32, complex data stays complex (SciPy
        discards the imaginary part with a ``ComplexWarning``), other data give float64.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> t = np.linspace(0, 1, 200)
    >>> x = np.sin(2 * np.pi * t) + np.random.default_rng(0).normal(0, 0.1, (3, 200))
    >>> y = dsp.savgol_filter(x, 21, 3)
    >>> bool(np.allclose(y, signal.savgol_filter(x, 21, 3)))
    True
    >>> slope = dsp.savgol_filter(t**2, 7, 2, deriv=1, delta=t[1] - t[0])
    >>> bool(np.allclose(slope, 2 * t))
    True
    """
    m, p, d, step = _window_args(window_length, polyorder, deriv, delta)
    mode = _validate.choice(mode, "mode", MODES)
    fill = (
        _validate.real(scalar(cval), "cval", fix="pass a finite number")
        if mode == "constant"
        else 0.0
    )
    sig = read_signal(x, axis=axis, min_len=0)
    n = sig.n
    if mode == "interp" and m > n:
        raise _validate.error(
            "window_length",
            f"must be at most the length of `x` ({n} along axis {sig.axis}) for mode='interp'",
            m,
            "pass a shorter window, or another mode (e.g. mode='mirror')",
        )
    dt = sig.values.dtype
    if n == 0:  # as SciPy: no samples, no output (mode="interp" is refused above)
        return sig.restore(np.zeros(sig.values.shape, dt))
    x2, outer = channels(sig.values, sig.axis)
    x2, s = scale_down(x2)  # peaks near the float64 limits: a power of two per channel
    work = np.complex128 if dt.kind == "c" else np.float64
    x2 = x2.astype(work, copy=False)
    coeffs = _coeffs(m, p, d, step, None, "conv")
    after = m // 2  # scipy.ndimage's origin: y[i] = sum_j c[j] x[i + m // 2 - j]
    before = m - 1 - after
    value = fill if s is None or fill == 0.0 else fill / s  # in each channel's own scale
    if n < 2 * m:  # a short signal: extended as a whole
        y2 = _full(coeffs, _extend(x2, np.arange(-before, n + after), mode, value))
        y2 = y2[:, m - 1 : m - 1 + n]
    else:
        # the convolution of the signal alone (zeros past its ends), then the outputs that
        # reach past an end once more, from the extension of that end alone
        y2 = _full(coeffs, x2)[:, after : after + n]
        if mode != "interp" and not (mode == "constant" and fill == 0.0):
            ends = np.arange(-before, before + after), np.arange(n - m + 1, n + after)
            y2[:, :before] = _full(coeffs, _extend(x2, ends[0], mode, value))[:, m - 1 : -m + 1]
            y2[:, n - after :] = _full(coeffs, _extend(x2, ends[1], mode, value))[
                :, m - 1 : -m + 1
            ]
    if mode == "interp" and d <= p:
        half = m // 2
        left, right = _edge_rows(m, p, d, step)
        y2[:, :half] = x2[:, :m] @ left.T
        y2[:, n - half :] = x2[:, n - m :] @ right.T
    y2 = rescale(y2, (s,), "savgol_filter's output", dt)
    return sig.restore(from_channels(y2, outer, sig.axis))


def _full(coeffs, rows):
    """The full convolution of ``coeffs`` with each row: the engine's direct kernel, or
    overlap-add where its FIR filters choose it (long windows)."""
    if fir_uses_fft(coeffs.size, rows.shape[1]) and not np.iscomplexobj(rows):
        return _overlap_add(rows, coeffs, 1)
    return upfirdn_channels(coeffs, rows, 1, 1)


def _extend(x2, k, mode, value):
    """The samples at positions ``k`` of each row of ``x2`` extended past its ends as
    :func:`scipy.ndimage.convolve1d`'s ``mode``: ``value`` (``"constant"``; zeros for
    ``"interp"``), the end sample (``"nearest"``), periodically (``"wrap"``), or
    reflected about the end samples, period ``2 (n - 1)`` (``"mirror"``)."""
    n = x2.shape[1]
    if mode in ("constant", "interp"):
        out = x2[:, np.clip(k, 0, n - 1)]
        out[:, (k < 0) | (k >= n)] = value
        return out
    if mode == "nearest":
        return x2[:, np.clip(k, 0, n - 1)]
    if mode == "wrap":
        return x2[:, k % n]
    if n == 1:
        return x2[:, np.zeros_like(k)]
    r = k % (2 * (n - 1))
    return x2[:, np.where(r < n, r, 2 * (n - 1) - r)]


def _rows_at(m, p, d, step, at):
    """The rows ``(len(at), m)`` that evaluate, at the window positions ``at`` (``0`` the
    first sample), the ``d``-th derivative of the degree-``p`` polynomial fitted to an
    ``m``-sample window by least squares.  The fit is in Legendre polynomials of ``u = (t
    - c) / h``, the window mapped onto ``[-1, 1]``, which stay well conditioned where
    the powers of ``t`` (SciPy's) or even of ``u`` lose float64's digits."""
    if d > p:  # a derivative past the degree: zero (and (h * step) ** d may overflow)
        return np.zeros((np.size(at), m))
    legendre = np.polynomial.legendre
    c = (m - 1) / 2
    h = max(c, 1.0)
    fit = np.linalg.pinv(legendre.legvander((np.arange(m) - c) / h, p))  # (p + 1, m)
    u = (np.asarray(at, dtype=np.float64) - c) / h
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        slopes = np.stack(
            [legendre.legval(u, legendre.legder(np.eye(p + 1)[j], d)) for j in range(p + 1)],
            axis=-1,
        )  # (len(at), p + 1): the d-th derivative in u of each Legendre polynomial
        rows = slopes @ fit * np.exp(-d * np.log(h * step))  # / (h step)^d, 0 if it underflows
    if not np.all(np.isfinite(rows)):
        raise _validate.error(
            "deriv",
            f"must give finite coefficients (derivative {d} of a degree-{p} fit, scaled by "
            f"delta**-{d} with delta={step:g}, overflows float64)",
            d,
            "lower deriv or polyorder, or pass delta in other units",
        )
    return rows


@by_value
def _edge_rows(m, p, d, step):
    """``(left, right)``: :func:`_rows_at` the first and last ``m // 2`` positions."""
    half = m // 2
    rows = _rows_at(m, p, d, step, np.r_[np.arange(half), np.arange(m - half, m)])
    return rows[:half], rows[half:]
