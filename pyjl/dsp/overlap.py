"""The overlap-add conditions of the short-time Fourier transform: ``check_COLA`` and
``check_NOLA``, as :mod:`scipy.signal`'s.

Frames of ``nperseg`` samples every ``step = nperseg - noverlap`` samples overlap so
that, away from the ends, output sample ``j`` (mod ``step``) receives the window values
``w[j], w[j + step], w[j + 2 step], ...``: the window *folded* onto one hop,
``F[j] = sum_k w[j + k step]``.  COLA (constant overlap-add) asks that ``F`` be constant,
so weighted frames add back to the signal (Welch/``istft`` with plain overlap-add); NOLA
(non-zero overlap-add) asks that the fold of ``w**2`` be non-zero everywhere, which is
what :func:`~pyjl.dsp.istft`'s weighted overlap-add divides by (Griffin & Lim, 1984).
"""

from __future__ import annotations

import numpy as np

from .. import _validate
from ._design_args import scalar
from ._frames import check_size, window_of_length
from ._short_time import _noverlap

__all__ = ["check_COLA", "check_NOLA"]


def check_COLA(window, nperseg, noverlap, tol=1e-10):
    """Whether ``window`` at this overlap satisfies the constant overlap-add condition.

    Parameters
    ----------
    window : str, tuple or array_like
        A window name or ``(name, parameter)`` tuple for :func:`pyjl.dsp.windows.get_window`
        (periodic, as the STFT uses), or the window's ``nperseg`` values (1-D, finite,
        not all zeros).
    nperseg : int >= 1
        Segment length.
    noverlap : int in [0, nperseg - 1]
        Overlap between segments (SciPy does not refuse a negative overlap here and then
        fails; pyjl refuses it).
    tol : float >= 0, default 1e-10
        Largest allowed deviation of the folded window from its median.

    Returns
    -------
    verdict : numpy.bool
        True when ``max |F - median(F)| < tol``, ``F`` the window folded onto one hop (see
        the module's description).

    See Also
    --------
    check_NOLA, pyjl.dsp.stft, pyjl.dsp.istft

    Examples
    --------
    >>> from pyjl.dsp import check_COLA
    >>> bool(check_COLA("hann", 256, 128)), bool(check_COLA("hann", 256, 100))
    (True, False)
    >>> bool(check_COLA(("tukey", 0.5), 256, 64))
    True
    """
    win, step, tol = _arguments(window, nperseg, noverlap, tol)
    folded = _folded(win, step)
    return np.max(np.abs(folded - np.median(folded))) < tol


def check_NOLA(window, nperseg, noverlap, tol=1e-10):
    """Whether ``window`` at this overlap satisfies the non-zero overlap-add condition.

    The inverse STFT divides by the squared window folded onto one hop (see the
    module's description); where that fold is ~0 the signal cannot be recovered.

    Parameters
    ----------
    window : str, tuple or array_like
        As in :func:`check_COLA`.
    nperseg : int >= 1
        Segment length.
    noverlap : int in [0, nperseg - 1]
        Overlap between segments.
    tol : float >= 0, default 1e-10
        The fold of ``window**2`` must exceed it everywhere.

    Returns
    -------
    verdict : numpy.bool
        True when ``min_j sum_k w[j + k step]**2 > tol``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.dsp import check_NOLA
    >>> bool(check_NOLA("hann", 256, 37)), bool(check_NOLA("hann", 64, 0))
    (True, False)
    >>> w = np.ones(16)
    >>> w[::2] = 0
    >>> bool(check_NOLA(w, 16, 8)), bool(check_NOLA(w, 16, 15))
    (False, True)
    """
    win, step, tol = _arguments(window, nperseg, noverlap, tol)
    return np.min(_folded(win**2, step)) > tol


def _arguments(window, nperseg, noverlap, tol):
    """``(window values, step, tol)``, each argument checked."""
    n = _validate.integer(scalar(nperseg), "nperseg", low=1, fix="pass a segment length >= 1")
    overlap = _noverlap(scalar(noverlap), n, gaps=False)
    limit = _validate.real(scalar(tol), "tol", low=0, fix="pass a tolerance >= 0, e.g. 1e-10")
    check_size(n, "nperseg", nperseg, itemsize=8, what="window")
    win = window_of_length(window, n)
    return win, n - overlap, limit


def _folded(w: np.ndarray, step: int) -> np.ndarray:
    """``F[j] = sum_k w[j + k step]`` for ``j < step``: ``w`` zero-padded to whole hops,
    one hop per row, rows summed in order (SciPy's order, so SciPy's bits)."""
    rows = np.zeros(-(-w.size // step) * step)
    rows[: w.size] = w
    return rows.reshape(-1, step).sum(axis=0)
