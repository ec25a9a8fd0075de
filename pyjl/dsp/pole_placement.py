"""State-feedback gains that place the poles of ``A - B K`` (``place_poles``).

``place_poles(A, B, poles, method="YT", rtol=1e-3, maxiter=30)`` delegates to
:func:`scipy.signal.place_poles` after pyjl's checks: ``A`` (n, n) and ``B`` (n, m) finite
real matrices (lists taken, SciPy needs arrays), ``n`` finite poles, complex ones in
conjugate pairs, none repeated more often than the rank of ``B``, ``method`` 'YT' or
'KNV0' (real poles only), ``rtol`` finite and at most 1, ``maxiter`` an integer from 1 to
10,000.  A system whose poles cannot be placed (not controllable) is refused naming
``poles``.  The result is SciPy's (a ``Bunch`` with ``gain_matrix``, ``computed_poles``,
``requested_poles``, ``X``, ``rtol``, ``nb_iter``); SciPy's ``UserWarning`` when the
iteration stops before ``rtol`` is kept.

>>> import numpy as np
>>> from pyjl.dsp import place_poles
>>> fsf = place_poles([[0.0, 1.0], [0.0, 0.0]], [[0.0], [1.0]], [-1.0, -2.0])
>>> fsf.gain_matrix.round(6).tolist()
[[2.0, 3.0]]
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import scipy.signal as _ss

from .. import _validate
from ..data import as_raw
from ._design_args import finite, finite_result, roots, scalar

__all__ = ["place_poles"]

#: the most iterations place_poles runs (each costs O(n**3))
MAX_ITER = 10_000


def _real_matrix(value, name):
    """A finite real matrix as a float64 2-D array."""
    finite(value, name, kinds="biuf")
    arr = as_raw(value, name)
    if arr.ndim != 2 or arr.size == 0:
        raise _validate.error(
            name,
            "must be a non-empty 2-D array (a matrix)",
            f"shape {arr.shape}",
            f"pass {name} as a 2-D array",
        )
    return np.asarray(arr, dtype=np.float64)


def _too_large(name, value):
    return _validate.error(
        name,
        "and `B` must be of moderate size (their factorisations overflow)",
        value,
        "scale the system down",
    )


def _poles(poles, n, rank):
    """``n`` finite poles, complex ones with their conjugates, none repeated more than
    ``rank`` times."""
    arr = roots(poles, "poles")
    if arr.size != n:
        raise _validate.error(
            "poles",
            f"must hold one pole per state ({n}, the size of `A`)",
            f"{arr.size} poles",
            f"pass {n} poles",
        )
    complex_ = arr[np.imag(arr) != 0]
    for p in complex_:
        if np.count_nonzero(arr == np.conj(p)) != np.count_nonzero(arr == p):
            raise _validate.error(
                "poles",
                "must hold each complex pole with its conjugate (A - B K is real)",
                f"{p} without {np.conj(p)}",
                f"add {np.conj(p)}",
            )
    repeated = [(p, k) for p, k in Counter(arr.tolist()).items() if k > rank]
    if repeated:
        raise _validate.error(
            "poles",
            f"must repeat no pole more often than the rank of `B` ({rank})",
            f"pole {repeated[0][0]} {repeated[0][1]} times",
            "move repeated poles slightly apart, or give B more independent columns",
        )
    return arr


def place_poles(A, B, poles, method="YT", rtol=1e-3, maxiter=30):
    """The gain ``K`` whose closed loop ``A - B K`` has the ``poles`` asked for
    (:func:`scipy.signal.place_poles`), by the Yang-Tits (``'YT'``) or the
    Kautsky-Nichols-Van Dooren (``'KNV0'``) update.

    Returns SciPy's ``Bunch``: ``gain_matrix`` (m, n), ``computed_poles`` and
    ``requested_poles`` (real first, then conjugate pairs), the eigenvectors ``X``, the
    ``rtol`` reached and the iterations ``nb_iter``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> from pyjl import dsp
    >>> A = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [-1.0, -2.0, -3.0]])
    >>> B = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    >>> fsf = dsp.place_poles(A, B, [-1.0, -2.0 + 1.0j, -2.0 - 1.0j])
    >>> np.round(np.sort_complex(np.linalg.eigvals(A - B @ fsf.gain_matrix)), 6).tolist()
    [(-2-1j), (-2+1j), (-1+0j)]
    >>> ref = signal.place_poles(A, B, [-1.0, -2.0 + 1.0j, -2.0 - 1.0j])
    >>> bool(np.allclose(fsf.gain_matrix, ref.gain_matrix))
    True
    """
    A = _real_matrix(A, "A")
    if A.shape[0] != A.shape[1]:
        raise _validate.error(
            "A", "must be square (n, n)", f"shape {A.shape}", "pass the state matrix"
        )
    B = _real_matrix(B, "B")
    if B.shape[0] != A.shape[0]:
        raise _validate.error(
            "B",
            f"must have one row per state ({A.shape[0]}, the size of `A`)",
            f"shape {B.shape}",
            f"pass B of shape ({A.shape[0]}, m)",
        )
    try:
        rank = int(np.linalg.matrix_rank(B))
    except np.linalg.LinAlgError as exc:  # the SVD of values near the float limit
        raise _too_large("B", B) from exc
    arr = _poles(poles, A.shape[0], rank)
    method = _validate.choice(method, "method", ("YT", "KNV0"))
    if method == "KNV0" and np.any(np.imag(arr) != 0):
        raise _validate.error(
            "method",
            "must be 'YT' for complex poles (KNV0 places real poles only)",
            "'KNV0'",
            "pass method='YT'",
        )
    rtol = _validate.real(
        scalar(rtol), "rtol", high=1, fix="pass rtol <= 1 (<= 0 runs all maxiter iterations)"
    )
    maxiter = _validate.integer(maxiter, "maxiter", low=1, high=MAX_ITER)
    try:
        with np.errstate(all="ignore"):
            out = _ss.place_poles(A, B, arr, method=method, rtol=rtol, maxiter=maxiter)
    except np.linalg.LinAlgError as exc:  # before ValueError, its base class
        raise _too_large("A", A) from exc
    except ValueError as exc:  # SciPy: the poles cannot be placed (not controllable)
        raise _validate.error(
            "poles",
            "must be placeable by state feedback on (A, B): the system must be "
            f"controllable (SciPy: {str(exc).rstrip('.')})",
            arr.tolist(),
            "check the controllability matrix of (A, B), or ask for other poles",
        ) from exc
    finite_result(out.gain_matrix, ("A", "B"), A)
    return out
