"""Rows of a scrambled Sobol sequence without SciPy's balance warning.

``qmc.Sobol.random(n)`` warns (a ``UserWarning``) unless the points drawn so far number a
power of two; silencing it with ``warnings.catch_warnings`` is not thread-safe (it
rewrites the process's filter list). :func:`sobol_rows` draws the power-of-two block that
holds the rows wanted instead: the same points, no warning.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["sobol_rows"]


def sobol_rows(d: int, seed: Any, start: int, n: int) -> np.ndarray:
    """Rows ``start .. start + n - 1`` of the scrambled Sobol sequence in ``d`` dimensions
    that ``qmc.Sobol(d, scramble=True, seed=seed)`` gives (what ``fast_forward(start)``
    then ``random(n)`` return).

    Examples
    --------
    >>> from scipy.stats import qmc
    >>> ref = qmc.Sobol(3, scramble=True, seed=7).random(8)[5:8]
    >>> bool(np.array_equal(sobol_rows(3, 7, 5, 3), ref))
    True
    """
    from scipy.stats import qmc

    m = max(0, int(start + n - 1).bit_length())  # 2**m >= start + n
    return qmc.Sobol(d, scramble=True, seed=seed).random_base2(m)[start : start + n]
