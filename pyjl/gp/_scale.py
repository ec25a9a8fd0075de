"""Moments of values at any magnitude: the mean and standard deviation of ``y`` without
the overflow of squaring ``1e200`` or the underflow of squaring ``1e-200``."""

from __future__ import annotations

import numpy as np

__all__ = ["mean_std"]


def mean_std(y: np.ndarray) -> tuple[float, float]:
    """``(mean, std)`` of the finite values ``y`` (population std, as ``np.std``); beyond
    magnitudes whose squares stay normal numbers, computed on ``y / max|y|`` and scaled
    back, so every finite ``y`` gives finite, accurate moments.

    >>> m, s = mean_std(np.array([1.0, 3.0]) * 1e300)
    >>> float(m / 1e300), round(float(s / 1e300), 12)
    (2.0, 1.0)
    >>> m, s = mean_std(np.array([1.0, 3.0]) * 1e-300)
    >>> float(m / 1e-300), round(float(s / 1e-300), 12)
    (2.0, 1.0)
    """
    y = np.asarray(y, dtype=np.float64)
    scale = float(np.max(np.abs(y))) if y.size else 0.0
    if _SAFE[0] <= scale <= _SAFE[1]:
        return float(np.mean(y)), float(np.std(y))
    if scale == 0.0:
        return 0.0, 0.0
    z = y / scale
    return float(np.mean(z)) * scale, float(np.std(z)) * scale


#: the magnitudes within which ``np.mean`` and ``np.std`` neither overflow (a sum of up to
#: 1e8 squares) nor lose digits to subnormal squares
_SAFE = (1e-140, 1e140)
