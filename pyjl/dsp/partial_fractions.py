"""Partial fraction expansion of a transfer function, and back.

``residue(b, a)`` writes ``b(s) / a(s)`` as ``sum r[i] / (s - p[i])**m + k(s)`` (poles
of multiplicity ``m`` grouped within ``tol``, see ``unique_roots``), ``residuez(b, a)``
the same for ``b(z) / a(z)`` in powers of ``z**-1``, and ``invres`` and ``invresz`` put
the fractions back together.  All delegate to :mod:`scipy.signal` after pyjl's checks
(:mod:`pyjl.dsp._design_args`): coefficients, residues, poles and the direct term are
finite, ``a`` not all zeros (``residuez``: ``a[0]`` non-zero, it normalises the
filter), at least one pole and one residue per pole, ``tol`` >= 0 and ``rtype`` one of
SciPy's names.  Results and dtypes are SciPy's.

>>> from pyjl.dsp import invres, residue
>>> r, p, k = residue([1.0, 2.0], [1.0, 3.0, 2.0])  # (s + 2) / ((s + 1)(s + 2))
>>> (r.real.round(6) + 0.0).tolist(), p.real.round(6).tolist(), k.tolist()
([1.0, 0.0], [-1.0, -2.0], [])
>>> b, a = invres(r, p, k)  # back, the common factor s + 2 included
>>> b.real.round(6).tolist(), a.real.round(6).tolist()
([1.0, 2.0], [1.0, 3.0, 2.0])
"""

from __future__ import annotations

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ..data import as_raw
from ._design_args import call_scipy, finite, finite_result, roots, scalar, transfer_function
from ._inputs import leading_nonzero

__all__ = ["unique_roots", "residue", "residuez", "invres", "invresz"]

#: ``rtype`` values of :func:`scipy.signal.unique_roots` and the functions that group poles
RTYPES = ("max", "maximum", "min", "minimum", "avg", "mean")


def _grouping(tol, rtype):
    """``tol`` (a finite float >= 0) and ``rtype`` (one of :data:`RTYPES`)."""
    tol = _validate.real(scalar(tol), "tol", low=0, fix="pass a tolerance >= 0, e.g. 1e-3")
    return tol, _validate.choice(rtype, "rtype", RTYPES)


def _scipy(func, *args, **kwargs):
    """SciPy's ``func``; overflow is left to the finiteness check of the result."""
    with np.errstate(all="ignore"):
        return call_scipy(func, *args, **kwargs)


def unique_roots(p, tol=1e-3, rtype="min"):
    """The distinct roots of ``p`` and their multiplicities: roots within ``tol`` of each
    other are one root, represented by their ``rtype`` ('min', 'max' or 'avg')
    (:func:`scipy.signal.unique_roots`).

    Examples
    --------
    >>> from pyjl import dsp
    >>> roots, counts = dsp.unique_roots([1.0, 1.0005, 3.0, 1.0002], rtype="max")
    >>> roots.tolist(), counts.tolist()
    ([1.0005, 3.0], [3, 1])
    """
    p = roots(p, "p")
    tol, rtype = _grouping(tol, rtype)
    return _scipy(_ss.unique_roots, p, tol=tol, rtype=rtype)


def residue(b, a, tol=1e-3, rtype="avg"):
    """Partial fraction expansion ``(r, p, k)`` of ``b(s) / a(s)``, coefficients in
    descending powers of ``s`` (:func:`scipy.signal.residue`).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> r, p, k = dsp.residue([1.0, 0.0, 1.0], [1.0, 2.0, 1.0])  # a double pole at -1
    >>> r.real.tolist(), p.real.tolist(), k.tolist()
    ([-2.0, 2.0], [-1.0, -1.0], [1.0])
    >>> bool(np.allclose(r, signal.residue([1.0, 0.0, 1.0], [1.0, 2.0, 1.0])[0]))
    True
    """
    b, a = transfer_function(b, a)
    tol, rtype = _grouping(tol, rtype)
    return finite_result(_scipy(_ss.residue, b, a, tol=tol, rtype=rtype), ("b", "a"), b)


def residuez(b, a, tol=1e-3, rtype="avg"):
    """Partial fraction expansion ``(r, p, k)`` of ``b(z) / a(z)``, coefficients in
    ascending powers of ``z**-1`` (:func:`scipy.signal.residuez`); ``a[0]`` must be
    non-zero.

    Examples
    --------
    >>> from pyjl import dsp
    >>> r, p, k = dsp.residuez([1.0, -1.0], [1.0, -5.0, 6.0])  # poles at 2 and 3
    >>> r.real.round(6).tolist(), p.real.round(6).tolist(), k.tolist()
    ([-1.0, 2.0], [2.0, 3.0], [])
    """
    b, a = transfer_function(b, a)
    leading_nonzero(a)
    tol, rtype = _grouping(tol, rtype)
    return finite_result(_scipy(_ss.residuez, b, a, tol=tol, rtype=rtype), ("b", "a"), b)


def _fractions(r, p, k):
    """Residues ``r`` and poles ``p`` (finite, 1-D, at least one pole, one residue per
    pole) and the direct term ``k`` (finite coefficients, 1-D, possibly empty)."""
    r, p = roots(r, "r"), roots(p, "p")
    if p.size == 0:  # SciPy's invres and invresz index the first pole
        raise _validate.error(
            "p",
            "must hold at least one pole",
            "an empty array",
            "for a polynomial alone take b = k and a = [1.0]",
        )
    if r.size != p.size:
        raise _validate.error(
            "r",
            f"must hold one residue per pole of `p` ({p.size})",
            f"{r.size} residues",
            "pass r and p of the same length, as residue returns them",
        )
    finite(k, "k")
    k_arr = np.atleast_1d(as_raw(k, "k"))
    if k_arr.ndim != 1:
        raise _validate.error(
            "k",
            "must be a 1-D array of coefficients (possibly empty)",
            f"shape {k_arr.shape}",
            "pass the direct term as residue returns it, e.g. [] or [1.0, 0.5]",
        )
    return r, p, k_arr


def invres(r, p, k, tol=1e-3, rtype="avg"):
    """The transfer function ``(b, a)`` in powers of ``s`` of residues ``r``, poles ``p``
    and direct term ``k`` (:func:`scipy.signal.invres`, the inverse of :func:`residue`).

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl import dsp
    >>> b, a = dsp.invres([-2.0, 2.0], [-1.0, -1.0], [1.0])
    >>> np.real(b).tolist(), np.real(a).tolist()
    ([1.0, 0.0, 1.0], [1.0, 2.0, 1.0])
    """
    r, p, k = _fractions(r, p, k)
    tol, rtype = _grouping(tol, rtype)
    return finite_result(_scipy(_ss.invres, r, p, k, tol=tol, rtype=rtype), ("r", "p", "k"), r)


def invresz(r, p, k, tol=1e-3, rtype="avg"):
    """The transfer function ``(b, a)`` in powers of ``z**-1`` of residues ``r``, poles
    ``p`` and direct term ``k`` (:func:`scipy.signal.invresz`, the inverse of
    :func:`residuez`).

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl import dsp
    >>> b, a = dsp.invresz([-1.0, 2.0], [2.0, 3.0], [])
    >>> np.real(b).round(6).tolist(), np.real(a).round(6).tolist()
    ([1.0, -1.0], [1.0, -5.0, 6.0])
    """
    r, p, k = _fractions(r, p, k)
    tol, rtype = _grouping(tol, rtype)
    return finite_result(_scipy(_ss.invresz, r, p, k, tol=tol, rtype=rtype), ("r", "p", "k"), r)
