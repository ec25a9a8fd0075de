"""Objective values as the surrogate's GP sees them: clipped, then warped.

:func:`model_values` clips values so far from the others that they would squeeze the rest
into a sliver of the standardised range, and shows values far worse than the rest at a
bound (the trials keep their true values);
:class:`OutputWarp` is the monotone power transform through which the optimiser shows
the values to the GP (``Optimizer(warp_y=True)``) and maps the GP's values back.
"""

from __future__ import annotations

import numpy as np

from ..gp._scale import mean_std

__all__ = ["model_values", "OutputWarp", "CLIP_SPREADS", "BAD_SPREADS"]

#: values farther than this many spreads (inter-quartile ranges) from the median are
#: clipped for the model: one such value squeezes the others into a sliver of the
#: standardised range (at 1e4 spreads they span 2 % of a standard deviation, under the
#: noise the GP can resolve)
CLIP_SPREADS = 1e3
#: values more than this many spreads above (worse than) the median are shown to the model
#: there: how much worse a diverged or failed-like run is says nothing about where the
#: minimum lies, and one such value (50 among values in 0..2) inflates the standardisation
#: until the GP cannot tell the others apart (on a bowl, the median best of 8 seeds went
#: from 2e-6 to 2e-3; with it at 1e12, to 2e-2)
BAD_SPREADS = 10.0


def model_values(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(values for the model, mask of the far outliers)``: ``y`` clipped to the median
    ± :data:`CLIP_SPREADS` spreads (within the finite numbers; the mask marks these), and
    above the median + :data:`BAD_SPREADS` spreads (worse values: minimisation) shown at
    that bound; the order of the values is kept except that clipped ones tie.  The spread
    is the inter-quartile range, or the 10-90 % range when that is 0, or when most values
    equal the median the median distance of the others from it.  Values of any magnitude
    keep their spreads: ``1e300 * y`` is clipped where ``y`` is.

    >>> y, cut = model_values(np.array([1.0, 2.0, 3.0, 4.0, 1e308, -1e308, 5.0]))
    >>> y.tolist(), cut.tolist()
    ([1.0, 2.0, 3.0, 4.0, 43.0, -3997.0, 5.0], [False, False, False, False, True, True, False])
    """
    y = np.asarray(y, dtype=np.float64)
    if y.size == 0:
        return y.copy(), np.zeros(0, dtype=bool)
    centre = float(np.quantile(y, 0.5, method="inverted_cdf"))  # no overflow near 1e308
    spread = 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for lo_q, hi_q in ((0.25, 0.75), (0.1, 0.9)):
            lo, hi = np.quantile(y, [lo_q, hi_q], method="inverted_cdf")
            spread = float(hi - lo)
            if np.isfinite(spread) and spread > 0:
                break
        else:  # most values tie: the median distance of the others (not the farthest's)
            off = np.abs(y[y != centre] - centre)
            spread = float(np.median(off)) if off.size else 0.0
        if not (np.isfinite(spread) and spread > 0):
            spread = max(abs(centre), 1.0)
        low = max(centre - CLIP_SPREADS * spread, -np.finfo(np.float64).max)
        high = min(centre + CLIP_SPREADS * spread, np.finfo(np.float64).max)
        bad = min(centre + BAD_SPREADS * spread, np.finfo(np.float64).max)
    far = np.clip(y, low, high)
    return np.minimum(far, bad), far != y


class OutputWarp:
    """A monotone increasing map of objective values that the GP models instead of them.

    ``t = -psi(-z)`` with ``z = (y - mean) / std`` and ``psi`` the Yeo-Johnson power
    transform (Yeo & Johnson 2000) whose ``lambda`` maximises the normal likelihood of
    ``-z`` (``scipy.stats.yeojohnson_normmax``, kept within [-2, 4]).  Objectives in
    tuning are skewed: a few very good (or very bad) values dominate a plain
    standardisation and make the GP over-confident around them; the power transform
    makes them look Gaussian.  It is applied with the sign flipped so that the
    *good* (low) tail is the one whose shape is fitted.  Minimisers are unchanged
    (the map is increasing); :meth:`inverse` maps surrogate values back.

    >>> import numpy as np
    >>> y = np.array([0.1, 0.2, 0.3, 5.0, 40.0])
    >>> w = OutputWarp(y)
    >>> bool(np.all(np.diff(w(y)) > 0)) and bool(np.allclose(w.inverse(w(y)), y))
    True
    """

    def __init__(self, y: np.ndarray):
        from scipy import stats

        y = np.asarray(y, dtype=np.float64)
        mean, std = mean_std(y)  # squares of 1e-200 or 1e200 would under- or overflow
        self.mean, self.std = mean, std or 1.0
        with np.errstate(all="ignore"):  # per thread, unlike warnings.catch_warnings
            lam = float(stats.yeojohnson_normmax(-(y - self.mean) / self.std))
        self.lam = float(np.clip(lam if np.isfinite(lam) else 1.0, -2.0, 4.0))

    def __call__(self, y) -> np.ndarray:
        """``t`` for objective values ``y``."""
        from scipy import stats

        u = -(np.asarray(y, dtype=np.float64) - self.mean) / self.std
        return -stats.yeojohnson(u, lmbda=self.lam)

    def slope(self, y) -> np.ndarray:
        """``dt / dy`` at objective values ``y``: ``psi'(u) / std`` with ``u = -z``, where
        ``psi'(u) = (1 + u)^(lambda - 1)`` for ``u >= 0`` and ``(1 - u)^(1 - lambda)``
        below."""
        u = -(np.asarray(y, dtype=np.float64) - self.mean) / self.std
        out = np.empty_like(u)
        pos = u >= 0
        out[pos] = (1.0 + u[pos]) ** (self.lam - 1.0)
        out[~pos] = (1.0 - u[~pos]) ** (1.0 - self.lam)
        return out / self.std

    @property
    def domain(self) -> tuple[float, float]:
        """The open interval of surrogate values ``t`` that come from finite objective
        values: ``lambda < 0`` bounds the good tail (``t > 1 / lambda``), ``lambda > 2``
        the bad one (``t < 1 / (lambda - 2)``); otherwise the side is unbounded.  Beyond
        it (a Gaussian quantile can be) the objective value would be -inf or +inf.

        >>> OutputWarp(np.array([0.1, 0.2, 0.3, 5.0, 40.0])).domain[0]
        -inf
        """
        low = 1.0 / self.lam if self.lam < 0 else -np.inf
        high = 1.0 / (self.lam - 2.0) if self.lam > 2 else np.inf
        return low, high

    def inverse(self, t) -> np.ndarray:
        """Objective values for surrogate values ``t`` (beyond :attr:`domain`, a huge
        finite value on the matching side: the true value is infinite there)."""
        p = -np.asarray(t, dtype=np.float64)
        lam, u = self.lam, np.empty_like(p)
        pos = p >= 0
        with np.errstate(all="ignore"):
            if abs(lam) < 1e-12:
                u[pos] = np.expm1(p[pos])
            else:
                base = np.maximum(lam * p[pos] + 1.0, 1e-300 if lam < 0 else 0.0)
                u[pos] = base ** (1.0 / lam) - 1.0
            if abs(lam - 2.0) < 1e-12:
                u[~pos] = -np.expm1(-p[~pos])
            else:
                base = np.maximum(1.0 - (2.0 - lam) * p[~pos], 1e-300 if lam > 2 else 0.0)
                u[~pos] = 1.0 - base ** (1.0 / (2.0 - lam))
        return self.mean - self.std * u
