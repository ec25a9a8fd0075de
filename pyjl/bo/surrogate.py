"""The surrogate of the GP sampler: the GP of a study's completed trials, kept between asks.

:class:`Surrogate` fits the GP (:mod:`pyjl.bo.surrogate_fit`: the model, its priors and
the fit of its hyperparameters) to the values as it sees them
(:mod:`pyjl.bo.output_warp`: clipped, then warped by :class:`OutputWarp`), warm-starts
each refit from the last one and keeps the fit while the completed trials are unchanged;
:func:`encode` gives the unit-cube points it is fitted on.
"""

from __future__ import annotations

import numpy as np

from .._warn import warn
from ..exceptions import NumericalWarning
from .output_warp import BAD_SPREADS, CLIP_SPREADS, OutputWarp, model_values
from .surrogate_fit import (
    LENGTHSCALE_BOUNDS,
    NOISE_BOUNDS,
    VARIANCE_BOUNDS,
    fit_surrogate,
    gp_at,
    log_prior,
)

__all__ = [
    "Surrogate",
    "log_prior",
    "fit_surrogate",
    "OutputWarp",
    "model_values",
    "encode",
    "LENGTHSCALE_BOUNDS",
    "VARIANCE_BOUNDS",
    "NOISE_BOUNDS",
    "CLIP_SPREADS",
    "BAD_SPREADS",
]


class Surrogate:
    """The GP of a study's completed trials, refitted (warm-started) when they change.

    Parameters
    ----------
    fit_method : {"ml", "loo"}, default "ml"
        The evidence the hyperparameters maximise (see :func:`fit_surrogate`).
    prior : bool, default True
        Weak priors on the hyperparameters (:func:`log_prior`).
    warp_y : bool, default True
        Model the values through an :class:`OutputWarp` (not with a known noise).
    gls_mean : bool, default True
        Recentre the fitted GP on its generalised least-squares mean.

    Attributes
    ----------
    warp : OutputWarp or None
        The transform of the last fit (``None``: the values themselves).
    fantasy_nv : float or None
        The noise variance a fantasised value gets when the trials carry known noise.

    Examples
    --------
    >>> from pyjl.bo import Real, Space
    >>> from pyjl.bo.trial import Trial
    >>> space = Space({"x": Real(0.0, 1.0)})
    >>> done = [Trial(i, {"x": x}, "complete", (x - 0.3) ** 2)
    ...         for i, x in enumerate([0.0, 0.2, 0.5, 0.9])]
    >>> gp, X, y = Surrogate().fit(space, done, seed=0, n_initial=2)
    >>> X.shape, y.shape
    ((4, 1), (4,))
    """

    def __init__(
        self,
        fit_method: str = "ml",
        prior: bool = True,
        warp_y: bool = True,
        gls_mean: bool = True,
    ):
        self.fit_method, self.prior = fit_method, prior
        self.warp_y, self.gls_mean = warp_y, gls_mean
        self.warp: OutputWarp | None = None
        self.fantasy_nv: float | None = None
        self._theta = None  # the last fit's log hyperparameters (warm start)
        self._n_fits = 0
        self._cache: tuple | None = None  # (key, gp, y) of the last fit
        self._n_clipped = 0  # how many values model_values clipped at the last fit

    def fit(self, space, done: list, *, seed: int | None, n_initial: int, extra=None):
        """``(gp, X, y)``: the GP fitted to the completed trials ``done``, their rounded
        unit-cube points ``X (n, n_encoded)`` and the values ``y (n,)`` it saw (clipped
        and warped); cached while ``done`` is unchanged.

        ``extra`` ``(n,)``: variances in the objective's units added to the noise of each
        observation (those of pruned trials read as partial means,
        :func:`pyjl.bo.fidelity.partial_means`; 0 for complete ones).  The
        hyperparameters and the homoscedastic noise are fitted as without it; the GP is
        then conditioned on the observations with noise ``noise + extra`` (``extra``
        mapped through the output warp by its slope at each value)."""
        extra = None if extra is None or not np.any(np.asarray(extra) > 0) else extra
        key = tuple((t.number, space.key(t.params), t.value, t.noise_var) for t in done)
        key += tuple(() if extra is None else np.asarray(extra, dtype=float).tolist())
        X = encode(space, [t.params for t in done])
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1], X, self._cache[2]
        y = np.array([t.value for t in done], dtype=np.float64)
        nv = None
        given = [t.noise_var for t in done if t.noise_var is not None]
        if given:  # known noise; trials told without one get the median of the others
            fill = self.fantasy_nv = float(np.median(given))
            nv = np.array([fill if t.noise_var is None else t.noise_var for t in done])
        y = raw = self._model_values(y)
        # a known noise variance is in the objective's units: no warping then
        spread = len(y) >= 3 and y.max() > y.min()  # not ptp: 1e308 - -1e308 overflows
        self.warp = OutputWarp(y) if self.warp_y and nv is None and spread else None
        if self.warp is not None:
            y = self.warp(y)
        self._n_fits += 1
        gp, self._theta = fit_surrogate(
            X,
            y,
            nv,
            method=self.fit_method,
            prior=self.prior,
            theta0=self._theta,
            cold_start=len(done) <= 2 * n_initial or self._n_fits % 10 == 0,
            seed=seed,
        )
        if extra is not None and nv is None:
            gp = self._with_extra(X, y, raw, np.asarray(extra, dtype=np.float64), gp)
        if self.gls_mean:
            gp.recentre()
        self._cache = (key, gp, y)
        return gp, X, y

    def _with_extra(self, X, y, raw, extra, gp):
        """``gp``'s hyperparameters, conditioned on ``y`` with the noise ``noise_ + extra``
        (model units); :attr:`fantasy_nv` becomes the homoscedastic part."""
        scale2 = float(np.std(y)) ** 2 or 1.0
        if self.warp is not None:  # the delta method
            extra = extra * self.warp.slope(raw) ** 2
        base = float(gp.noise_) * scale2
        self.fantasy_nv = base
        theta = np.asarray(gp.kernel_.theta, dtype=np.float64)
        return gp_at(X, y, base + extra, theta, X.shape[1])

    def to_objective(self, values):
        """Surrogate values in the objective's units (the inverse of :attr:`warp`)."""
        return values if self.warp is None else self.warp.inverse(values)

    def _model_values(self, y: np.ndarray) -> np.ndarray:
        """``y`` as the GP sees it: extreme values clipped (:func:`model_values`), with a
        warning each time more of the *good* ones are (those change what the model
        believes about the minimum; bad ones are shown at a bound in any case, and a
        search that has converged sees its early values as far from its tight cluster);
        the trials keep their true values."""
        raw = np.asarray(y, dtype=np.float64)
        y, cut = model_values(raw)
        raised = cut & (raw < y)
        if raised.sum() > self._n_clipped:
            warn(
                f"{int(raised.sum())} of {len(y)} values are so far below the others "
                f"that the surrogate sees them clipped (to {y[raised].min():.4g}); the "
                "trials keep their true values",
                NumericalWarning,
            )
        self._n_clipped = int(raised.sum())
        return y


def encode(space, params: list[dict]) -> np.ndarray:
    """The rounded unit-cube points ``(n, n_encoded)`` of parameter dicts."""
    return space.round(np.array([space.encode(p) for p in params]).reshape(-1, space.n_encoded))
