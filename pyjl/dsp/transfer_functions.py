"""A transfer function's normal form, and the frequencies to evaluate an analog one at.

``normalize(b, a)`` divides ``b(s) / a(s)`` by the leading coefficient of ``a`` (its
leading zeros dropped) and drops the numerator's vanishing leading coefficients with
SciPy's :class:`BadCoefficients` warning; ``findfreqs(num, den, N, kind='ba')`` picks
``N`` logarithmically spaced frequencies around the poles and zeros (what
:func:`~pyjl.dsp.freqs` uses for a count).  Both delegate to :mod:`scipy.signal` after
pyjl's checks (:mod:`pyjl.dsp._design_args`): coefficients and roots finite, ``a`` not
all zeros, ``b`` 1-D or 2-D (one numerator per row) and not empty, ``N`` a count >= 1,
``kind`` 'ba' or 'zp'; results and dtypes are SciPy's.  :class:`BadCoefficients` is
SciPy's warning class itself, so ``except`` clauses and warning filters on either name
match.

>>> from pyjl.dsp import normalize
>>> b, a = normalize([2.0, 4.0], [2.0, 1.0])
>>> b.tolist(), a.tolist()
([1.0, 2.0], [1.0, 0.5])
"""

from __future__ import annotations

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ..data import as_raw
from ._design_args import (
    MAX_TAPS,
    call_scipy,
    finite,
    finite_result,
    roots,
)
from ._inputs import coefficients

__all__ = ["BadCoefficients", "normalize", "findfreqs"]

#: SciPy's own warning class (``scipy.signal.BadCoefficients``), re-exported unchanged
BadCoefficients = _ss.BadCoefficients


def _denominator(a, name="a"):
    """``a`` as finite, non-empty 1-D coefficients, not all zeros."""
    arr = coefficients(a, name)
    if not np.any(arr):
        raise _validate.error(
            name,
            "must have a non-zero coefficient (it is the denominator)",
            _validate.describe(arr),
            "pass a denominator such as [1.0, 0.5]",
        )
    return arr


def _ragged(b):
    """Whether ``b`` is a sequence of numerators of different lengths (a ragged list, or
    a 1-D object array of them), which SciPy aligns."""
    if isinstance(b, np.ndarray):
        return b.dtype == object and b.ndim == 1 and b.size > 0
    if not isinstance(b, (list, tuple)) or not b:
        return False
    try:
        return len({np.size(row) if np.ndim(row) else None for row in b}) > 1
    except ValueError:  # a row itself ragged: as_raw refuses it
        return False


def _aligned(b, name):
    """Numerators of different lengths as rows of a float64 array, the shorter padded
    with leading zeros (SciPy's alignment of a SIMO numerator)."""
    rows = [coefficients(row, f"{name}[{i}]") for i, row in enumerate(b)]
    kind = complex if any(row.dtype.kind == "c" for row in rows) else float
    out = np.zeros((len(rows), max(row.size for row in rows)), dtype=kind)
    for i, row in enumerate(rows):
        out[i, out.shape[1] - row.size :] = row
    return out


def _numerators(b, name="b"):
    """``b`` as finite numeric coefficients, 1-D or 2-D (one numerator per row) and not
    empty, in its own dtype; numerators of different lengths are aligned as by SciPy."""
    if _ragged(b):
        return _aligned(b, name)
    arr = as_raw(b, name)
    if arr.ndim <= 1:
        return coefficients(arr, name)
    if arr.ndim > 2 or arr.size == 0:
        raise _validate.error(
            name,
            "must be a non-empty 1-D array of coefficients (or 2-D: one numerator per row)",
            f"shape {arr.shape}",
            "pass a flat array such as [1.0, 0.5]",
        )
    finite(arr, name)
    return arr


def normalize(b, a):
    """``b(s) / a(s)`` divided by ``a``'s leading non-zero coefficient
    (:func:`scipy.signal.normalize`).

    ``b`` holds coefficients in descending powers, 1-D or 2-D (one numerator per row);
    ``a`` is 1-D and not all zeros.  Numerator leading coefficients below ``1e-14`` (after
    the division) are dropped with SciPy's :class:`BadCoefficients` warning.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> b, a = dsp.normalize([[3.0, 6.0], [1.0, 2.0]], [0.0, 3.0, 1.5])
    >>> b.tolist(), a.tolist()
    ([[1.0, 2.0], [0.3333333333333333, 0.6666666666666666]], [1.0, 0.5])
    >>> bool(np.allclose(b, signal.normalize([[3.0, 6.0], [1.0, 2.0]], [0.0, 3.0, 1.5])[0]))
    True
    """
    b_arr = _numerators(b)
    a_arr = _denominator(a)
    with np.errstate(over="ignore", invalid="ignore"):
        out = call_scipy(_ss.normalize, b_arr, a_arr)
    return finite_result(out, ("b", "a"), b_arr)


def findfreqs(num, den, N, kind="ba"):
    """``N`` angular frequencies (rad/s, logarithmically spaced) that show the response of
    the analog filter ``num / den`` around its poles and zeros
    (:func:`scipy.signal.findfreqs`).

    With ``kind='ba'`` ``num`` and ``den`` are coefficients (``den`` not all zeros); with
    ``kind='zp'`` they are zeros and poles (possibly empty).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> w = dsp.findfreqs([1.0, 0.0], [1.0, 8.0, 25.0], N=9)
    >>> np.round(w, 3).tolist()
    [0.01, 0.032, 0.1, 0.316, 1.0, 3.162, 10.0, 31.623, 100.0]
    >>> bool(np.allclose(w, signal.findfreqs([1.0, 0.0], [1.0, 8.0, 25.0], N=9)))
    True
    """
    kind = _validate.choice(kind, "kind", ("ba", "zp"))
    N = _validate.integer(N, "N", low=0, high=MAX_TAPS)
    if kind == "ba":
        num, den = coefficients(num, "num"), _denominator(den, "den")
        zeros, poles = np.roots(num), np.roots(den)
    else:
        num, den = roots(num, "num"), roots(den, "den")
        zeros, poles = num, den
    if _below_axis(zeros, poles):
        return default_grid(zeros, poles, N)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        w = call_scipy(_ss.findfreqs, num, den, N, kind=kind)
    return finite_result(w, ("num", "den"), num)


def _below_axis(zeros, poles) -> bool:
    """Whether SciPy's ``findfreqs`` finds no pole or (finite) zero on or above the real
    axis to place its grid by, and fails (only a complex system can be so)."""
    z, p = np.atleast_1d(zeros), np.atleast_1d(poles)
    return bool(p.size) and not (np.any(p.imag >= 0) or np.any((np.abs(z) < 1e5) & (z.imag >= 0)))


def default_grid(zeros, poles, N: int) -> np.ndarray:
    """SciPy's ``findfreqs`` grid of ``N`` frequencies for these zeros and poles; where
    they all lie below the real axis (SciPy reads only those above, as a real system's
    come in conjugate pairs, and fails), the grid of their mirror images."""
    z, p = np.atleast_1d(zeros), np.atleast_1d(poles)
    if _below_axis(z, p):
        z, p = np.conj(z), np.conj(p)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return np.asarray(_ss.findfreqs(z, p, N, kind="zp"), dtype=np.float64)
