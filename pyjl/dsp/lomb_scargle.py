"""The generalised Lomb-Scargle periodogram of unevenly sampled data: ``lombscargle``.

For each angular frequency ``w`` the weighted least-squares fit
``y ~ a cos(w (t - tau)) + b sin(w (t - tau)) (+ c)``, with ``tau`` chosen so that the
two columns are orthogonal, gives the power ``2 (a YC + b YS)`` (Zechmeister & Kuerster,
A&A 496, 2009, eqs. 8-20; weights normalised to sum 1).  Every sum over the samples at
the shifted phase follows from the unshifted sums by the angle-addition formulas
(``cos(wt - tau) = cos(wt) cos(tau) + sin(wt) sin(tau)``), so one cosine and one sine
per sample and frequency suffice.  Frequencies are taken in blocks of at most
:data:`_BLOCK` values per ``(n, block)`` matrix, so memory stays bounded for any
number of frequencies; blocks run on threads up to ``pyjl.set_num_threads``.
Arguments and results follow :func:`scipy.signal.lombscargle`.

>>> import numpy as np
>>> from pyjl.dsp import lombscargle
>>> t = np.sort(np.random.default_rng(0).uniform(0, 20, 200))
>>> w = np.linspace(0.5, 3.0, 251)
>>> float(w[np.argmax(lombscargle(t, np.cos(2.0 * t), w))])
2.0
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .. import _config, _validate
from .._warn import warn
from ..data import as_array
from ..exceptions import NumericalWarning
from ._frames import power_of_two_scale

__all__ = ["lombscargle"]

#: values (float64) in one ``(n, block)`` matrix of phases: 2 MB
_BLOCK = 1 << 18
_NORMALIZE = ("power", "normalize", "amplitude")
_UNSET = object()
#: sums of squares (of weights summing to 1) at or below which a column counts as zero
_FLOOR = 16 * np.finfo(np.float64).eps


def _keywords_later(func):
    """``func`` also taking its keyword-only arguments by position, with SciPy 1.17's
    DeprecationWarning (its signature stays ``func``'s)."""
    names = ("precenter", "normalize", "weights", "floating_mean")

    @functools.wraps(func)
    def call(x, y, freqs, *args, **kwargs):
        if args:
            if len(args) > len(names):
                raise _validate.error(
                    "args",
                    f"must be at most {3 + len(names)} positional arguments",
                    f"{3 + len(args)}",
                    "pass precenter, normalize, weights and floating_mean by keyword",
                    wrong_type=True,
                )
            given = names[: len(args)]
            warn(
                f"You are passing {', '.join(given)} as positional arguments. Please "
                "change your invocation to use keyword arguments. From SciPy 1.19.0, "
                "passing these as positional arguments will result in an error.",
                DeprecationWarning,
            )
            kwargs.update(zip(given, args))
        return func(x, y, freqs, **kwargs)

    return call


@_keywords_later
def lombscargle(
    x, y, freqs, *, precenter=_UNSET, normalize=False, weights=None, floating_mean=False
):
    """The generalised Lomb-Scargle periodogram of samples ``y`` at times ``x``
    (:func:`scipy.signal.lombscargle`).

    Parameters
    ----------
    x : array_like, shape (n,)
        Sample times (finite).
    y : array_like, shape (n,)
        Measurements (finite, real), assumed to scatter around 0 unless
        ``floating_mean``.
    freqs : array_like, shape (m,)
        Angular frequencies (finite), in radians per unit of ``x``.
    precenter : bool, optional
        Deprecated in SciPy 1.17 (a DeprecationWarning, as there): subtract ``y``'s
        mean first; pass ``y - y.mean()`` instead.
    normalize : bool or {'power', 'normalize', 'amplitude'}, default False
        ``False``/``'power'``: the power, ``A^2 n / 4`` for a sinusoid of amplitude
        ``A``; ``True``/``'normalize'``: the power over that of the data about zero
        (about the mean with ``floating_mean``), in ``[0, 1]``; ``'amplitude'``: the
        complex amplitude ``(a + i b) e^{i tau}`` of the fitted sinusoid.
    weights : array_like, shape (n,), optional
        Non-negative sample weights (finite, positive sum); default all 1.
        Passing ``precenter``, ``normalize``, ``weights`` or ``floating_mean`` by
        position warns (DeprecationWarning), as in SciPy 1.17.
    floating_mean : bool, default False
        Fit an offset ``c`` at each frequency as well.

    Returns
    -------
    pgram : ndarray, shape (m,)
        float64, or complex128 for ``'amplitude'`` (0-d for one frequency, as SciPy).
        With ``normalize=True`` and data of zero power about the reference (``y`` all
        zero, or constant with ``floating_mean``) the normalised power is undefined:
        NaN with a :class:`~pyjl.exceptions.NumericalWarning` (SciPy divides by ~0).

    Notes
    -----
    Where the shifted cosine or sine vanishes on every sample (to rounding: fewer
    samples than the fit has parameters, or all samples at zeros of one of them), its
    coefficient is undetermined; pyjl returns the least-squares fit of least norm,
    which sets it to 0, where SciPy divides rounding noise by 1.1e-16 (its
    ``'amplitude'`` then holds arbitrary values; its power differs by rounding only).
    The sums at the shifted phase come from the unshifted ones by angle addition, so
    pyjl is closer than SciPy to an extended-precision result (1.0e-11 against
    3.7e-11 relative for 2,000 samples over ``|w t|`` up to 2e4) and agrees with it
    to 1e-10 relative (a few 1e-10 for 2 or 3 samples, where the fit is ill-posed).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> rng = np.random.default_rng(0)
    >>> t = np.sort(rng.uniform(0, 10, 80))
    >>> y = np.sin(1.5 * t) + 0.1 * rng.standard_normal(80)
    >>> w = np.linspace(0.1, 5, 100)
    >>> p = dsp.lombscargle(t, y, w, normalize=True, floating_mean=True)
    >>> bool(np.allclose(p, signal.lombscargle(t, y, w, normalize=True, floating_mean=True)))
    True
    """
    x = as_array(x, name="x", ndim=1)
    y = as_array(y, name="y", ndim=1)
    freqs = as_array(freqs, name="freqs", ndim=1)
    _same_length(y, "y", x.size)
    if weights is None:
        weights = np.full(x.size, 1.0 / x.size)
    else:
        weights = _weights(weights, x.size)
    if isinstance(normalize, (bool, np.bool_)):
        normalize = "normalize" if normalize else "power"
    normalize = _validate.choice(normalize, "normalize", _NORMALIZE)
    floating_mean = _validate.boolean(floating_mean, "floating_mean")
    if precenter is not _UNSET:
        warn(  # SciPy's words, which its tests match
            "Use of parameter 'precenter' is deprecated as of SciPy 1.17.0 and will be "
            "removed in 1.19.0. Please leave 'precenter' unspecified. Passing True to "
            "'precenter' can be exactly substituted by passing 'y = (y - y.mean())' into "
            "the input. Consider setting `floating_mean` to True instead.",
            DeprecationWarning,
        )
        if _validate.boolean(precenter, "precenter"):
            y = y - y.mean()
    if not np.isfinite(np.max(np.abs(freqs)) * np.max(np.abs(x))):
        raise _validate.error(
            "freqs",
            "times the sample times `x` must give finite phases (|freqs| |x| < 1.8e308)",
            f"max |freqs| = {np.max(np.abs(freqs)):.3g}, max |x| = {np.max(np.abs(x)):.3g}",
            "express x or freqs in other units",
        )
    # data near the float64 limits divided by a power of two (exact), scaled back last
    scale = power_of_two_scale(y)
    s = 1.0 if scale is None else float(scale[0])
    y = y / s if scale is not None else y
    wy = weights * y
    sums = _sums(x, weights, wy, freqs, floating_mean)
    out = _finish(sums, x.size, weights, wy, y, normalize, floating_mean)
    if scale is None or normalize == "normalize":
        return out
    with np.errstate(over="ignore"):
        out = out * (s if normalize == "amplitude" else s * s)
    if not np.all(np.isfinite(out)):
        warn(
            "lombscargle: the periodogram exceeds the float64 range for "
            f"{int(np.sum(~np.isfinite(out)))} frequencies (inf). Fix: rescale `y` "
            "(divide it by its maximum) and scale the power back.",
            NumericalWarning,
        )
    return out


def _same_length(a: np.ndarray, name: str, n: int) -> None:
    if a.size != n:
        raise _validate.error(
            name,
            f"must have one value per sample time in `x` ({n})",
            f"{a.size} values",
            f"pass {n} values",
        )


def _weights(weights, n: int) -> np.ndarray:
    w = as_array(weights, name="weights", ndim=1)
    _same_length(w, "weights", n)
    if np.any(w < 0):
        k = int(np.flatnonzero(w < 0)[0])
        raise _validate.error(
            "weights",
            "must be >= 0",
            f"{w[k]} at index {k}",
            "pass non-negative weights",
        )
    total = w.sum()
    if not total > 0 or not np.isfinite(total):
        raise _validate.error(
            "weights",
            "must have a positive, finite sum",
            f"sum {total}",
            "give at least one sample a positive weight",
        )
    return w * (1.0 / total)


def _sums(x, w, wy, freqs, floating_mean: bool) -> np.ndarray:
    """Per frequency ``[tau, YC, YS, CC, SS]`` at the shifted phase (offset removed with
    ``floating_mean``), shape ``(5, m)``."""
    n, m = x.size, freqs.size
    step = max(1, _BLOCK // n)
    out = np.empty((5, m))
    pair = np.stack((w, wy), axis=1)  # (n, 2): the weights and the weighted data
    Y = float(wy.sum())

    def block(lo: int) -> None:
        f = freqs[lo : lo + step]
        phase = np.multiply.outer(f, x)  # (b, n), SciPy's w * t
        c, s = np.cos(phase), np.sin(phase)
        C, YC = (c @ pair).T
        S, YS = (s @ pair).T
        np.multiply(c, c, out=phase)
        CC = phase @ w
        np.multiply(c, s, out=phase)
        CS = phase @ w
        SS = 1.0 - CC
        if floating_mean:
            CC2, SS2, CS2 = CC - C * C, SS - S * S, CS - C * S
        else:
            CC2, SS2, CS2 = CC, SS, CS
        tau = 0.5 * np.arctan2(2.0 * CS2, CC2 - SS2)
        ct, st = np.cos(tau), np.sin(tau)
        # the sums at phase w t - tau, by angle addition
        YCt, YSt = ct * YC + st * YS, ct * YS - st * YC
        CCt = ct * ct * CC + 2.0 * ct * st * CS + st * st * SS
        SSt = 1.0 - CCt
        if floating_mean:
            Ct, St = ct * C + st * S, ct * S - st * C
            YCt, YSt = YCt - Y * Ct, YSt - Y * St
            CCt, SSt = CCt - Ct * Ct, SSt - St * St
        out[:, lo : lo + step] = tau, YCt, YSt, CCt, SSt

    starts = range(0, m, step)
    threads = min(len(starts), int(_config.get("num_threads")), max(1, n * m >> 20))
    if threads > 1:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(block, starts))
    else:
        for lo in starts:
            block(lo)
    return out


def _finish(sums, n: int, w, wy, y, normalize: str, floating_mean: bool):
    """The periodogram in the units ``normalize`` asks for, from :func:`_sums`."""
    tau, YC, YS, CC, SS = sums
    # a column (cosine or sine at the shifted phase) that vanishes on every sample
    # (to rounding) leaves its coefficient undetermined: the least-squares solution
    # of least norm gives it 0 (SciPy divides by a floor of 1.1e-16 instead)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(CC > _FLOOR, YC / CC, 0.0)
        b = np.where(SS > _FLOOR, YS / SS, 0.0)
    if normalize == "amplitude":
        amp = np.squeeze((a + 1j * b) * np.exp(1j * tau))
        return amp[()] if amp.ndim == 0 else amp  # SciPy's scalar for one frequency
    pgram = 2.0 * (a * YC + b * YS)
    if normalize == "power":
        return np.squeeze(pgram * (n / 4.0))
    # the data's power about the reference (about the weighted mean: SciPy's
    # sum(w y^2) - Y^2 without its cancellation)
    YY = float(w @ (y - wy.sum()) ** 2) if floating_mean else float(wy @ y)
    if not YY > 0:
        warn(
            "lombscargle: the normalised power is undefined: `y` has no power about "
            f"{'its weighted mean' if floating_mean else 'zero'} (YY = {YY:.3g}), so "
            "NaN is returned. Fix: use normalize=False, or check that `y` varies.",
            NumericalWarning,
        )
        return np.squeeze(np.full_like(pgram, np.nan))
    return np.squeeze(pgram * (0.5 / YY))
