"""2-D FIR design: ``firwin_2d``, as :func:`scipy.signal.firwin_2d`.

pyjl checks every argument first (each refusal an :class:`~pyjl.exceptions.InputError`
naming the argument; SciPy's tests match its words for a bad ``hsize`` or ``window``, so
those two refusals open with them), then SciPy designs, so the taps are SciPy's.
"""

from __future__ import annotations

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ..exceptions import InputError
from ._design_args import (
    MAX_TAPS,
    call_scipy,
    finite_taps,
    frequencies,
    known_window,
    positive,
    window_params,
)

__all__ = ["firwin_2d"]


def firwin_2d(hsize, window, *, fc=None, fs=2, circular=False, pass_zero=True, scale=True):
    """A 2-D windowed-sinc FIR lowpass (:func:`scipy.signal.firwin_2d`).

    Parameters
    ----------
    hsize : tuple or list of 2 ints
        The filter's shape ``(rows, columns)``, each >= 1.
    window : tuple or list of 2 windows, or one window when ``circular``
        The windows of the row and column filters (SciPy's window names or tuples such
        as ``("kaiser", 8.0)``); a circular design takes a single window.
    fc : number or 1-D array_like
        The cutoff(s), in ``(0, fs/2)`` and increasing, as :func:`firwin`'s ``cutoff``.
    fs : number > 0, default 2
        The sampling frequency.
    circular : bool, default False
        A circularly symmetric filter (one window, radial) instead of the outer product
        of a row and a column filter.
    pass_zero, scale : bool, default True
        Taken as SciPy takes them (SciPy 1.17 does not use them).

    Returns
    -------
    taps : ndarray of float64, shape ``hsize`` (``hsize`` reversed when ``circular``)

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.signal
    >>> from pyjl.dsp import firwin_2d
    >>> taps = firwin_2d((5, 5), ("hamming", "hamming"), fc=0.4)
    >>> taps.shape, bool(np.array_equal(taps,
    ...     scipy.signal.firwin_2d((5, 5), ("hamming", "hamming"), fc=0.4)))
    ((5, 5), True)
    """
    if not isinstance(hsize, (tuple, list)) or len(hsize) != 2:
        raise InputError(
            f"hsize must be a 2-element tuple or list; got {_validate.describe(hsize)}. "
            "Fix: pass the filter's shape, e.g. hsize=(31, 31)."
        )
    rows = _validate.integer(hsize[0], "hsize[0]", low=1, high=MAX_TAPS)
    cols = _validate.integer(hsize[1], "hsize[1]", low=1, high=MAX_TAPS)
    circular = _validate.boolean(circular, "circular")
    _validate.boolean(pass_zero, "pass_zero")
    _validate.boolean(scale, "scale")
    fs = positive(fs, "fs")
    if fc is None:
        raise _validate.error(
            "fc", "must be given (the cutoff frequency)", "None", "pass e.g. fc=0.4"
        )
    frequencies(fc, "fc", fs)
    if circular:
        windows = [(window, max(rows, cols) * 8)]
    else:
        if not isinstance(window, (tuple, list)) or len(window) != 2:
            raise InputError(
                "window must be a 2-element tuple or list (a row and a column window) "
                f"unless circular=True; got {_validate.describe(window)}. Fix: pass e.g. "
                "window=('hamming', 'hamming')."
            )
        windows = [(window[0], rows), (window[1], cols)]
    for win, n in windows:
        window_params(win)
        known_window(win, n)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        taps = call_scipy(
            _ss.firwin_2d,
            hsize,
            window,
            fc=fc,
            fs=fs,
            circular=circular,
            pass_zero=pass_zero,
            scale=scale,
        )
    return finite_taps(taps, window)
