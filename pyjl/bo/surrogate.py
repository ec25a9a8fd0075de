"""The surrogate of the GP sampler: a :class:`pyjl.gp.GaussianProcess` on the unit cube.

Model: ``Matern52`` with one lengthscale per coordinate (ARD) and a variance,
learned homoscedastic noise (or the known per-trial ``noise_var``), ``normalize_y=True``.
Hyperparameters ``theta = (log l_1..l_d, log s2[, log noise])`` maximise the GP's
own evidence — ``fit="ml"``: :meth:`~pyjl.gp.GaussianProcess.log_marginal_likelihood`,
``fit="loo"``: :meth:`~pyjl.gp.GaussianProcess.loo_log_predictive` — plus, with
``prior=True`` (the default), weak log-priors that keep a handful of points from
declaring a coordinate irrelevant or the data pure noise: ``-0.1 (l^2 + 1/l^2)``
per lengthscale, Gamma(2, 1) on ``s2`` and Gamma(1.1, 30) on the noise (the priors
of Optuna's GPSampler, so the two fit the same model).  The fit is
``GaussianProcess.fit(method=..., prior=...)``: one L-BFGS-B per start over the
log posterior.  Each refit starts from the previous optimum (warm start), and from
the default ``l = 1, s2 = 1`` as well while the study is young and every tenth
fit.  ``prior=False`` is plain type-II maximum likelihood.
:class:`Surrogate` keeps the fit of a study's completed trials between asks;
:class:`OutputWarp` is the monotone power transform through which the optimiser
shows the values to the GP (``Optimizer(warp_y=True)``).
"""

from __future__ import annotations

import warnings

import numpy as np

from ..exceptions import ConvergenceWarning, NumericalWarning

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
]

#: bounds in the unit cube and in units of the standardised y
LENGTHSCALE_BOUNDS, VARIANCE_BOUNDS, NOISE_BOUNDS = (1e-2, 1e2), (1e-2, 1e2), (1e-6, 1.0)
_QUIET = (NumericalWarning, ConvergenceWarning)
#: the noise variance a cold fit starts from (standardised units)
NOISE0 = 1e-2


def log_prior(theta: np.ndarray, d: int, learn_noise: bool) -> tuple[float, np.ndarray]:
    """Log-prior (up to a constant) of ``theta`` and its gradient ``(p,)``."""
    t = theta[:d]
    e2, em2 = np.exp(2 * t), np.exp(-2 * t)
    val = -0.1 * float(np.sum(e2 + em2))
    grad = np.zeros_like(theta)
    grad[:d] = -0.2 * (e2 - em2)
    s2 = np.exp(theta[d])
    val += theta[d] - s2
    grad[d] = 1 - s2
    if learn_noise:
        nz = np.exp(theta[-1])
        val += 0.1 * theta[-1] - 30 * nz
        grad[-1] = 0.1 - 30 * nz
    return val, grad


def _bounds(d: int, learn: bool) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of ``theta`` (log lengthscales, log variance[, log noise])."""
    lo = np.r_[np.full(d, np.log(LENGTHSCALE_BOUNDS[0])), np.log(VARIANCE_BOUNDS[0])]
    hi = np.r_[np.full(d, np.log(LENGTHSCALE_BOUNDS[1])), np.log(VARIANCE_BOUNDS[1])]
    if learn:
        lo, hi = np.r_[lo, np.log(NOISE_BOUNDS[0])], np.r_[hi, np.log(NOISE_BOUNDS[1])]
    return lo, hi


def _make(X, y, nv, theta, d, method=None, prior=None):
    """The GP at ``theta`` (clipped to the bounds), fitted from there with ``method``
    (``None``: kept) and the log ``prior``."""
    from ..gp import GaussianProcess, Matern52

    theta = np.clip(theta, *_bounds(d, nv is None))
    k = Matern52(
        lengthscale=np.exp(theta[:d]),
        variance=float(np.exp(theta[d])),
        lengthscale_bounds=LENGTHSCALE_BOUNDS,
        variance_bounds=VARIANCE_BOUNDS,
    )
    gp = GaussianProcess(
        kernel=k,
        noise=float(np.exp(theta[-1])) if nv is None else 1e-6,
        normalize_y=True,
        noise_bounds=NOISE_BOUNDS,
        solver="cholesky",  # exact at BO's sizes, and LOO fitting needs it
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", _QUIET)
        gp.fit(X, y, noise_var=nv, method=method, n_restarts=0, prior=prior)
    return gp


def fit_surrogate(
    X: np.ndarray,
    y: np.ndarray,
    nv: np.ndarray | None,
    *,
    method: str = "ml",
    prior: bool = True,
    theta0: np.ndarray | None = None,
    cold_start: bool = True,
    seed: int | None = None,
):
    """Fit the surrogate to ``X (n, d)``, ``y (n,)`` (``nv``: known noise variances or None).

    Returns ``(gp, theta)``; pass ``theta`` back as ``theta0`` to warm-start the next fit.
    """
    d = X.shape[1]
    learn = nv is None
    default = np.r_[np.zeros(d), 0.0, np.log(NOISE0)] if learn else np.zeros(d + 1)
    warm = theta0 is not None and len(theta0) == len(default)
    if not prior:
        from ..gp import GaussianProcess, Matern52

        # cold: two starts, a noisy and a nearly noiseless one (the likelihood often has a
        # "it is all noise" local optimum); warm: the previous optimum
        inits = (
            [np.asarray(theta0)]
            if warm
            else [default, np.r_[default[:-1], np.log(1e-5)] if learn else default]
        )
        best = None
        for th in inits[: 1 if warm or not learn else 2]:
            k = Matern52(
                lengthscale=np.exp(th[:d]),
                variance=float(np.exp(th[d])),
                lengthscale_bounds=LENGTHSCALE_BOUNDS,
                variance_bounds=VARIANCE_BOUNDS,
            )
            gp = GaussianProcess(
                kernel=k,
                noise=float(np.exp(th[-1])) if learn else 1e-6,
                normalize_y=True,
                noise_bounds=NOISE_BOUNDS,
                solver="cholesky",
                random_state=seed,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", _QUIET)
                gp.fit(X, y, noise_var=nv, method=method, n_restarts=0 if warm else 2)
            score = gp.loo_log_predictive() if method == "loo" else gp.log_marginal_likelihood()
            if best is None or score > best[0]:
                best = (score, gp)
        assert best is not None
        gp = best[1]
        theta = np.asarray(gp.kernel_.theta, dtype=np.float64)
        if learn:
            theta = np.append(theta, np.log(gp.noise_))
        return gp, theta
    starts = ([theta0] if warm else []) + ([default] if cold_start or not warm else [])
    found = None
    for th0 in starts:  # the MAP fit, one L-BFGS-B run per start, in GaussianProcess.fit
        gp = _make(X, y, nv, th0, d, method=method, prior=lambda t: log_prior(t, d, learn))
        theta = np.asarray(gp.kernel_.theta, dtype=np.float64)
        theta = np.append(theta, np.log(gp.noise_)) if learn else theta
        score = gp.loo_log_predictive() if method == "loo" else gp.log_marginal_likelihood()
        score += log_prior(theta, d, learn)[0]
        if np.isfinite(score) and (found is None or score > found[0]):
            found = (score, gp, theta)
    if found is None:
        warnings.warn(
            "the surrogate's hyperparameters could not be fitted; using defaults",
            ConvergenceWarning,
            stacklevel=3,
        )
        return _make(X, y, nv, default, d), default
    return found[1], found[2]


#: values farther than this many spreads (inter-quartile ranges) from the median are
#: clipped for the model: one such value squeezes the others into a sliver of the
#: standardised range (at 1e4 spreads they span 2 % of a standard deviation, under the
#: noise the GP can resolve) and near 1e308 the standardisation overflows
CLIP_SPREADS = 1e3
#: and magnitudes beyond this, whose squares would overflow in a sum
CLIP_ABS = 1e150


def model_values(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(values for the model, mask of the clipped ones)``: ``y`` clipped to the median
    ± :data:`CLIP_SPREADS` spreads and to ± :data:`CLIP_ABS`; the order of the values is
    kept except that clipped ones tie.  The spread is the inter-quartile range, or the
    10-90 % or full range when that is 0 (most values equal).

    >>> y, cut = model_values(np.array([1.0, 2.0, 3.0, 4.0, 1e308, -1e308, 5.0]))
    >>> y.tolist(), cut.tolist()
    ([1.0, 2.0, 3.0, 4.0, 4003.0, -3997.0, 5.0], [False, False, False, False, True, True, False])
    """
    y = np.asarray(y, dtype=np.float64)
    if y.size == 0:
        return y.copy(), np.zeros(0, dtype=bool)
    centre = float(np.quantile(y, 0.5, method="inverted_cdf"))  # no overflow near 1e308
    spread = 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for lo_q, hi_q in ((0.25, 0.75), (0.1, 0.9), (0.0, 1.0)):
            lo, hi = np.quantile(y, [lo_q, hi_q], method="inverted_cdf")
            spread = float(hi - lo)
            if np.isfinite(spread) and spread > 0:
                break
        if not (np.isfinite(spread) and spread > 0):
            spread = max(abs(centre), 1.0)
        low = max(centre - CLIP_SPREADS * spread, -CLIP_ABS)
        high = min(centre + CLIP_SPREADS * spread, CLIP_ABS)
    out = np.clip(y, low, high)
    return out, out != y


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
        self.mean = float(np.mean(y))
        self.std = float(np.std(y)) or 1.0
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
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
        self.warp = (
            OutputWarp(y) if self.warp_y and nv is None and len(y) >= 3 and np.ptp(y) > 0 else None
        )
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
        return _make(X, y, base + extra, theta, X.shape[1])

    def to_objective(self, values):
        """Surrogate values in the objective's units (the inverse of :attr:`warp`)."""
        return values if self.warp is None else self.warp.inverse(values)

    def _model_values(self, y: np.ndarray) -> np.ndarray:
        """``y`` as the GP sees it: extreme values clipped (:func:`model_values`), with a
        warning each time more of them are; the trials keep their true values."""
        y, cut = model_values(y)
        if cut.sum() > self._n_clipped:
            warnings.warn(
                f"{int(cut.sum())} of {len(y)} values are so far from the others "
                f"that the surrogate sees them clipped (to {y[cut].min():.4g} .. "
                f"{y[cut].max():.4g}); the trials keep their true values",
                NumericalWarning,
                stacklevel=5,
            )
        self._n_clipped = int(cut.sum())
        return y


def encode(space, params: list[dict]) -> np.ndarray:
    """The rounded unit-cube points ``(n, n_encoded)`` of parameter dicts."""
    return space.round(np.array([space.encode(p) for p in params]).reshape(-1, space.n_encoded))
