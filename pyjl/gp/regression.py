"""Gaussian-process regression with learned or known noise.

Model: ``y_i = f(x_i) + e_i``, ``f ~ GP(0, k)``, ``e_i ~ N(0, noise)`` (learned,
homoscedastic) or ``N(0, noise_var[i])`` (known, per point).  With
``K = k(X, X) + diag(noise)`` and ``alpha = K^{-1} y`` the posterior of ``f`` at
``X*`` has mean ``k(X*, X) alpha`` and covariance
``k(X*, X*) - k(X*, X) K^{-1} k(X, X*)`` (Rasmussen & Williams 2006, eq. 2.25-2.26).
``normalize_y=True`` models ``(y - mean) / std`` as scikit-learn does: the
kernel variances and ``noise`` live in those units, predictions are mapped
back, and ``noise_var`` (given in the units of ``y``) is divided by ``std^2``.

>>> import numpy as np
>>> from pyjl.gp import GaussianProcess, Matern52
>>> rng = np.random.default_rng(0)
>>> X = rng.uniform(0, 1, (40, 2))
>>> y = np.sin(6 * X[:, 0]) + X[:, 1] + 0.01 * rng.standard_normal(40)
>>> gp = GaussianProcess(Matern52(lengthscale=[0.5, 0.5]), noise=1e-2).fit(X, y)
>>> mu, std = gp.predict(X[:3], return_std=True)
>>> bool(np.all(np.abs(mu - y[:3]) < 0.05))
True
"""

from __future__ import annotations

import copy

import numpy as np

from .._atomic import unchanged_on_error
from .._params import Params
from .._validate import (
    boolean,
    check_feature_names,
    choice,
    column_labels,
    error,
    feature_names,
    integer,
)
from ..data import restore
from ..exceptions import NotFittedError
from . import _fit, _posterior, _update
from ._checks import (
    as_points,
    as_targets,
    bounds_pair,
    check_finite_fit,
    check_target_labels,
    positive,
)
from ._fit import MAX_RESTARTS as MAX_RESTARTS
from .iterative import model as _cg
from .kernels import RBF
from .likelihood import blas_threads

__all__ = ["GaussianProcess"]


class GaussianProcess(Params):
    """Gaussian-process regressor; see the module docstring.

    The constructor checks and stores its arguments; :meth:`fit` learns the
    hyperparameters and factorises the kernel matrix.

    Parameters
    ----------
    kernel : Kernel or None, default None
        Any :class:`~pyjl.gp.Kernel` instance (its ``theta`` are the starting
        hyperparameters); ``None`` means ``1.0 * RBF(1.0)``.  It is copied by
        ``fit``, never changed.
    noise : float, default 1e-2
        Observation noise variance (``>= 0``, in the units of ``y``, or of the
        normalised ``y`` with ``normalize_y=True``): the start of its search when
        ``fit`` learns it, its value when ``noise_bounds="fixed"``; ``0`` means
        noiseless and fixed.
    normalize_y : bool, default False
        Model ``(y - mean(y)) / std(y)`` as scikit-learn does; predictions are
        mapped back to the units of ``y``.
    noise_bounds : tuple of 2 floats or "fixed", default (1e-6, 1e5)
        ``(low, high)`` bounds of the learned noise variance, ``0 < low <= high``,
        or ``"fixed"`` to keep ``noise``.
    n_restarts : int, default 0
        Extra L-BFGS-B starts, 0 to 10 000, drawn uniformly over the whole
        log-bounds of the hyperparameters (the noise's included when it is
        learned), as scikit-learn's ``n_restarts_optimizer``.
    warm_start : bool, default True
        A refit with the same ``kernel`` object, ``noise``, ``noise_bounds`` and
        ``normalize_y`` starts from the previous optimum (``method=None`` keeps it);
        after a change to any of them (``set_params``) a fit starts from the values given.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState, default None
        Source of the restarts' starting points and of the CG solver's probes: ``None``
        or a seed in ``[0, 2**63)`` makes a fresh generator for each fit; a
        ``Generator`` or ``RandomState`` is used as it is, so its draws continue across
        fits.
    solver : {"auto", "cholesky", "cg"}, default "auto"
        ``"cholesky"``: exact, ``O(n^3)`` time and ``O(n^2)`` memory; ``"cg"``: the
        matrix-free iterative solver (batched preconditioned CG, the log-determinant by
        stochastic Lanczos quadrature, :mod:`pyjl.gp.iterative`), ``O(n^2)`` time per
        iteration and ``O(n (d + n_probes + precond_rank + pred_rank))`` memory;
        ``"auto"``: Cholesky up to 8,000 training points, CG above (see docs/gp.md,
        "Large n").
    cg_tol : float, default 1e-4
        CG stops once ``|A x - b| <= cg_tol |b|`` for every right-hand side (0 < cg_tol
        <= 1).
    max_cg_iter : int, default 1000
        The most CG iterations per solve (``>= 1``); fewer warn a ``ConvergenceWarning``.
    n_probes : int, default 10
        Random probe vectors of the log-determinant and trace estimates (``>= 1``).
    precond_rank : int or None, default None
        The most columns of the pivoted-Cholesky preconditioner (``>= 0``; it stops
        earlier once the kernel is resolved to a thousandth of the noise); ``None``:
        ``min(n, sqrt(2000 n), 2**25 / n)`` for ``n`` training points (every column up to
        2,000 points, where the factor is exact; at most 256 MiB).
    pred_rank : int, default 256
        The starting columns of the predictive-variance cache's pivoted Cholesky
        (``>= 0``; it stops earlier once the kernel is resolved to a thousandth of the
        noise).  A prediction whose check finds the cache off by more than 1 % of a
        variance grows it (more columns, then more Lanczos vectors, up to ``n x rank <=
        2**25`` entries; up to ``factor_up_to`` points, ``n / 4`` columns) and keeps it;
        past that cap, local neighbourhoods (``m`` most correlated training points per
        test point), then exact solves, with a ``NumericalWarning``.
    factor_up_to : int or None, default None
        Up to this many training points, ``solver="cg"`` answers the predictive variances
        that its cache cannot by an exact Cholesky factor of the ``n x n`` matrix, made
        once and kept (``8 n^2`` bytes, twice that while it is made; ``>= 0``); above, by
        local neighbourhoods or a CG solve per test point, which need no ``n x n``
        matrix.  ``None``: 8,000 (488 MiB).  Raise it where memory allows (docs/gp.md,
        "Large n", has the figures).
    n_targets : int or None, default None
        The number of targets of the prior (scikit-learn's ``n_targets``): before
        ``fit``, ``predict`` and ``sample_y`` give that many columns (``>= 1``; ``None``
        or 1: one target); ``fit`` then refuses a ``y`` with another number of columns.

    Attributes
    ----------
    kernel_ : Kernel
        The fitted kernel: a copy of ``kernel`` at the optimised ``theta``.
    n_features_in_ : int
        The number of features (columns of ``X``) ``fit`` saw.
    feature_names_in_ : ndarray of str
        The column names of a DataFrame or Arrow table ``X`` (all strings), as
        scikit-learn's: ``predict`` and ``update`` refuse a table with other columns or
        another order.  Absent when ``X`` had none.
    noise_ : float or None
        The fitted noise variance (model units); ``None`` when ``fit`` was given
        ``noise_var``.
    noise_var_ : ndarray of shape (n_samples,), dtype float64
        The diagonal added to the kernel matrix (model units).
    X_train_ : ndarray of shape (n_samples, n_features), dtype float64
        The training inputs, a copy of ``X`` (as scikit-learn's ``copy_X_train=True``;
        ``update`` appends to them).
    y_train_ : ndarray of shape (n_samples,) or (n_samples, n_targets), dtype float64
        The training targets, normalised (column by column) when ``normalize_y=True``.
    alpha_ : ndarray of shape (n_samples,) or (n_samples, n_targets), dtype float64
        ``K^{-1} y_train_``, with ``K = kernel_(X_train_) + diag(noise_var_)``.
    L_ : ndarray of shape (n_samples, n_samples), dtype float64
        The lower Cholesky factor of ``K`` (plus ``jitter_`` on its diagonal).
    jitter_ : float
        The diagonal jitter the factorisation needed (``0.0`` when none; a
        :class:`~pyjl.exceptions.NumericalWarning` otherwise).
    log_marginal_likelihood_value_ : float
        The log marginal likelihood of ``y_train_`` at the fitted hyperparameters, summed
        over the targets (under ``solver="cg"`` its stochastic Lanczos estimate).
    solver_info_ : dict
        The solver used and its report: ``{"solver": "cholesky", "jitter": ...}``, or for
        ``"cg"`` the iterations and worst relative residual of the final solve
        (``"cg_iterations"``, ``"residual"``, ``"converged"``), that of ``alpha_``
        (``"alpha_residual"``: solved further, to ``cg_tol / 100``; predictions warn
        where it is above), ``"lml_std_error"`` (the standard error of the log marginal
        likelihood's stochastic estimate, from the spread of its probes), ``"precond_rank"``,
        ``"pred_rank"`` (the variance cache in use: its pivots plus Lanczos vectors, grown
        by predictions where needed), after a prediction with variances
        ``"variance_path"`` (``"cache"``, ``"local"`` for neighbourhood variances, or
        ``"cg"`` for exact solves) and, once the local path has held,
        ``"local_neighbours"`` (its ``m``, kept for later calls), ``"n_probes"``,
        and the optimiser's ``"n_iterations"``,
        ``"n_evaluations"`` and ``"total_cg_iterations"``.  ``L_`` and ``jitter_`` exist
        under Cholesky only.

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.gp import GaussianProcess, RBF
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(0, 1, (30, 1)); y = np.sin(6 * X[:, 0]) + 0.01 * rng.standard_normal(30)
    >>> gp = GaussianProcess(RBF(0.3), noise=1e-4).fit(X, y)
    >>> mu, std = gp.predict(np.array([[0.5]]), return_std=True)
    >>> bool(abs(mu[0] - np.sin(3.0)) < 0.05), bool(std[0] < 0.1)
    (True, True)
    """

    _estimator_type = "regressor"
    _requires_fit = False  # predict gives the prior, as scikit-learn's regressor does

    def __init__(
        self,
        kernel=None,
        noise=1e-2,
        normalize_y=False,
        *,
        noise_bounds=(1e-6, 1e5),
        n_restarts=0,
        warm_start=True,
        random_state=None,
        solver="auto",
        cg_tol=1e-4,
        max_cg_iter=1000,
        n_probes=10,
        precond_rank=None,
        pred_rank=256,
        factor_up_to=None,
        n_targets=None,
    ):
        self.kernel = _fit.check_kernel(kernel)
        self.noise = positive(noise, "noise", allow_zero=True)
        self.normalize_y = boolean(normalize_y, "normalize_y")
        self.noise_bounds = bounds_pair(noise_bounds, "noise_bounds")
        self.n_restarts = _fit.check_restarts(n_restarts)
        self.warm_start = boolean(warm_start, "warm_start")
        _fit.generator(random_state)  # refuses a bad seed now; each fit draws afresh from it
        self.random_state = random_state
        self.solver, self._settings, self.pred_rank = _cg.check_settings(
            solver, cg_tol, max_cg_iter, n_probes, precond_rank, pred_rank, factor_up_to
        )
        self.factor_up_to = self._settings.factor_up_to
        self.cg_tol, self.max_cg_iter = self._settings.cg_tol, self._settings.max_cg_iter
        self.n_probes, self.precond_rank = self._settings.n_probes, self._settings.precond_rank
        self.n_targets = None if n_targets is None else integer(n_targets, "n_targets", low=1)

    # -- fitting -----------------------------------------------------------------------------
    def fit(self, X, y, noise_var=None, method="ml", n_restarts=None, prior=None, max_iter=None):
        """Fit to ``X (n, d)``, ``y (n,)`` or ``(n, n_targets)``; ``method``: ``"ml"``,
        ``"loo"`` or ``None`` (keep the hyperparameters).  ``noise_var`` ``(n,)``: known
        noise variances.  Several targets share the kernel, its hyperparameters and the
        noise, as in scikit-learn: the objective is the sum of the columns' and the
        moments gain a last axis per target (with ``normalize_y`` each column is
        standardised by its own mean and deviation, so ``noise_var`` is refused then).

        ``prior``: ``None``, or a callable ``theta -> (log p(theta), gradient (p,))`` over
        the vector the optimiser moves (the kernel's ``theta``, then ``log noise`` when the
        noise is learned); the hyperparameters then maximise ``objective + log p(theta)``
        (maximum a posteriori) instead of the objective alone; keep ``log p`` finite over
        the search bounds (an infinite one ends the line search that meets it, so bound a
        hyperparameter with the kernel's bounds, not with a wall in the prior).  Ignored
        with ``method=None``.  ``max_iter``: ``None`` or the most optimiser iterations per start
        (any solver; reaching it does not warn).  The optimiser is L-BFGS-B under
        Cholesky; under ``"cg"`` it is a bounded BFGS whose trial points move each log
        hyperparameter by at most 1 from the accepted one.  A hyperparameter that ends at
        a bound of its search warns a :class:`~pyjl.exceptions.ConvergenceWarning` naming
        it and the bound, as scikit-learn's."""
        with unchanged_on_error(self):  # a refused fit keeps the model fitted before
            return self._fit_model(X, y, noise_var, method, n_restarts, prior, max_iter)

    def _warm_settings(self):
        """What a warm start needs unchanged since the last fit: the given ``kernel`` (the
        object), ``noise``, ``noise_bounds`` and ``normalize_y`` (the units of ``theta``);
        a changed one (``set_params``) starts from the values given."""
        return (self.kernel, self.noise, self.noise_bounds, self.normalize_y)

    def _fit_model(self, X, y, noise_var, method, n_restarts, prior, max_iter):
        method = choice(method, "method", _fit.METHODS)
        _fit.check_prior(prior)
        max_iter = None if max_iter is None else integer(max_iter, "max_iter", low=1)
        names = feature_names(X)
        given, X = X, as_points(X, "X")
        if X is given or not X.flags.owndata:  # kept: not a view of the caller's array
            X = X.copy()
        labels = column_labels(y)
        y = as_targets(y, "y", X.shape[0], targets=None)
        _fit.check_n_targets(y, self.n_targets)
        if X.shape[0] == 0:
            raise error("X", "must hold at least one point", "0 rows", "pass data to fit")
        solver = _cg.resolve(self.solver, X.shape[0])
        if solver == "cg" and method == "loo":
            raise _cg.no_loo("method", '"loo"')
        n_restarts = self.n_restarts if n_restarts is None else _fit.check_restarts(n_restarts)
        yn, self._y_mean, self._y_std = _fit.targets(y, self.normalize_y)
        noise_diag = _fit.known_noise(noise_var, X.shape[0], self._y_std)
        prev = getattr(self, "kernel_", None)
        kernel = copy.deepcopy(self.kernel) if self.kernel is not None else 1.0 * RBF(1.0)
        learn_noise = noise_diag is None and self.noise > 0 and self.noise_bounds != "fixed"
        noise0 = self.noise
        settings = self._warm_settings()
        fitted_from = getattr(self, "_fitted_from", None)
        if (
            self.warm_start
            and prev is not None
            and fitted_from is not None
            and fitted_from[0] is settings[0]
            and fitted_from[1:] == settings[1:]
            and np.asarray(prev.theta).size == np.asarray(kernel.theta).size
        ):
            kernel.theta = prev.theta
            if learn_noise and getattr(self, "noise_", None):
                noise0 = self.noise_
        _fit.check_kernel_shapes(kernel, X, gradient=method is not None)
        rng = _fit.generator(self.random_state)
        nd = noise_diag if noise_diag is not None else self.noise
        obj, start = _cg.objective(
            solver, kernel, X, yn, method, learn_noise, nd, self._settings, prior, rng
        )
        theta0 = np.asarray(kernel.theta, dtype=np.float64)
        if learn_noise:
            theta0 = np.append(theta0, np.log(noise0))
        if method is not None and theta0.size:
            with blas_threads(X.shape[0]):
                theta = _fit.optimise(obj, theta0, n_restarts, self.noise_bounds, rng, max_iter)
        else:
            theta = theta0
        th, noise = obj.split(theta)
        obj.kernel.theta = th
        self.kernel_ = obj.kernel
        self._fitted_from = settings
        self.noise_ = noise if learn_noise else (self.noise if noise_diag is None else None)
        diag = noise_diag if noise_diag is not None else np.full(X.shape[0], self.noise_)
        self.X_train_, self.y_train_, self.noise_var_ = X, yn, np.asarray(diag, dtype=float)
        self._targets = None if y.ndim == 1 else list(labels or range(y.shape[1]))
        self.n_features_in_ = X.shape[1]
        for name in ("L_", "jitter_", "feature_names_in_"):  # a refit may change them
            self.__dict__.pop(name, None)
        if names is not None:  # scikit-learn's attribute: tables are checked against it
            self.feature_names_in_ = np.array(names, dtype=object)
        self._cg = None
        if solver == "cg":
            with np.errstate(over="ignore", invalid="ignore"):
                self._cg = _cg.CGState(obj, theta, start, self.pred_rank, rng)
            # the noise the model holds: CG's floor raises a smaller one (with a warning)
            self.noise_var_ = np.array(self._cg.noise, dtype=float)
            if self.noise_ is not None:
                self.noise_ = max(float(self.noise_), float(self.noise_var_.max(initial=0.0)))
            self.alpha_, self.log_marginal_likelihood_value_ = self._cg.alpha, self._cg.lml
            check_finite_fit(self.alpha_, None, yn, self._y_mean, self._y_std)
            self.solver_info_ = self._cg.info
        else:
            _fit.factorise(self)
        return self

    def _check_fitted(self, what: str):
        if not hasattr(self, "alpha_"):
            raise NotFittedError(f"{what}: this GaussianProcess is not fitted; call fit(X, y)")

    # -- likelihoods ---------------------------------------------------------------------------
    def log_marginal_likelihood(self, theta=None, eval_gradient=False):
        """LML of the (normalised) training targets; ``theta`` = kernel ``theta``
        (plus ``log noise`` last when the noise is learned; without it the noise stays at
        ``noise_``, as scikit-learn's ``alpha``).  Same definition as scikit-learn's
        ``GaussianProcessRegressor.log_marginal_likelihood``, also where ``K`` does not
        factorise: ``-inf`` and a zero gradient, here with a :class:`NumericalWarning`
        (no jitter is added at a given ``theta``; the fit's search takes the jitter ladder
        there, docs/gp.md).  ``theta=None`` is the fitted model as it stands: its
        ``noise_var_`` (the noise of points that ``update`` gave their own ``noise_var``
        included; the gradient's ``log noise`` moves the points that have ``noise_``) and
        its ``jitter_``.  The value is a ``numpy.float64``, as scikit-learn's (a Python
        float minus a float32 is float32 under NumPy 2's promotion)."""
        self._check_fitted("log_marginal_likelihood")
        eval_gradient = boolean(eval_gradient, "eval_gradient")
        if theta is None and not eval_gradient:
            return np.float64(self.log_marginal_likelihood_value_)
        return _fit.evaluate(self, "ml", theta, eval_gradient)

    def loo_log_predictive(self, theta=None, eval_gradient=False):
        """``sum_i log p(y_i | X, y_-i)`` in closed form (R&W §5.4.2); ``theta`` and
        ``eval_gradient`` as in :meth:`log_marginal_likelihood`.  Needs the diagonal of
        ``K^-1``: refused under ``solver="cg"``."""
        self._check_fitted("loo_log_predictive")
        if self._cg is not None:
            raise _cg.no_loo("loo_log_predictive", 'a model fitted with solver="cg"')
        eval_gradient = boolean(eval_gradient, "eval_gradient")
        return _fit.evaluate(self, "loo", theta, eval_gradient)

    def _theta_full(self):
        th = np.asarray(self.kernel_.theta, dtype=np.float64)
        return np.append(th, np.log(self.noise_)) if self._learns_noise() else th

    def _learns_noise(self):
        return self.noise_ is not None and self.noise_ > 0 and self.noise_bounds != "fixed"

    # -- prediction ----------------------------------------------------------------------------
    def predict(self, X, return_std=False, return_cov=False, include_noise=False):
        """Posterior mean ``(m,)`` and, optionally, std ``(m,)`` or covariance ``(m, m)``
        of the latent ``f`` (``include_noise=True``: of a new observation); for ``t``
        targets ``(m, t)``, ``(m, t)`` and ``(m, m, t)``, as scikit-learn's.

        Outputs mirror ``X``: a pandas ``X`` gives Series (and a covariance DataFrame)
        on its index, an Arrow ``X`` gives Arrow arrays, NumPy gives NumPy."""
        return_std = boolean(return_std, "return_std")
        return_cov = boolean(return_cov, "return_cov")
        include_noise = boolean(include_noise, "include_noise")
        out = self._predict(X, return_std, return_cov, include_noise)
        kind = _posterior.origin(X)
        if kind is None:
            return out
        targets = getattr(self, "_targets", None) if hasattr(self, "alpha_") else None
        return _posterior.restore_outputs(out, kind, return_std, targets)

    def _predict(self, X, return_std, return_cov, include_noise):
        _posterior.check_exclusive(return_std, return_cov)
        if not hasattr(self, "alpha_"):  # the prior, as scikit-learn does
            kernel = self.kernel if self.kernel is not None else 1.0 * RBF(1.0)
            return _posterior.prior_moments(
                kernel, self.noise, X, return_std, return_cov, include_noise, self.n_targets
            )
        check_feature_names(getattr(self, "feature_names_in_", None), X, "X")
        Xs = as_points(X, "X", self.X_train_.shape[1])
        _posterior.check_include_noise(include_noise, self.noise_)
        extra = self.noise_ if include_noise else 0.0
        if self._cg is not None:
            want = "cov" if return_cov else ("std" if return_std else "mean")
            return self._cg.moments(Xs, want, extra, self._y_mean, self._y_std)
        return _posterior.exact_moments(self, Xs, return_std, return_cov, extra)

    def score(self, X, y, sample_weight=None):
        """``R^2`` of the predicted mean against ``y`` (scikit-learn's regressor score,
        ``1 - sum w (y - mu)^2 / sum w (y - ybar_w)^2``; ``1.0`` for a constant ``y``
        predicted exactly, else ``0.0`` there; NaN with an
        :class:`~pyjl.exceptions.UndefinedMetricWarning` for a single row), used by
        ``GridSearchCV`` and ``cross_val_score`` when no ``scoring`` is given."""
        self._check_fitted("score")
        check_target_labels(getattr(self, "_targets", None), y, "y")
        mu = np.asarray(self._predict(X, False, False, False), dtype=np.float64)
        return _posterior.r2(mu, y, sample_weight)

    def sample_y(self, X, n_samples=1, random_state=None):
        """Draws of the latent ``f`` at ``X``: ``(m, n_samples)`` (``(m, t, n_samples)``
        for ``t`` targets, as scikit-learn's), by the posterior covariance's Cholesky
        factor, or by its eigendecomposition (eigenvalues below 0 set to 0) where rounding
        leaves it slightly indefinite, as at the training points of a noiseless fit.

        ``random_state``: ``None``, a seed, or a NumPy ``Generator`` or ``RandomState``.
        Outputs mirror ``X`` as :meth:`predict`'s do: a DataFrame on a pandas ``X``'s index
        (one column per draw), an Arrow table for Arrow; several targets' draws stay a
        NumPy array."""
        n_samples = integer(n_samples, "n_samples", low=0)  # 0: (m, 0), as scikit-learn's
        draws = _posterior.sample(self, X, n_samples, _fit.generator(random_state))
        kind = _posterior.origin(X)
        if kind is None or draws.ndim == 3:
            return draws
        return restore(draws, kind, columns=range(n_samples))

    # -- incremental update ----------------------------------------------------------------------
    def update(self, X_new, y_new, noise_var=None):
        """Add points keeping the hyperparameters: the Cholesky factor is extended in
        ``O(n^2 k)`` (``k`` new points) instead of refactorised in ``O(n^3)``.

        ``noise_var`` (a number or ``(k,)``, in the units of ``y``): the noise variances
        of the new points; required when the model was fitted with ``noise_var``, else
        the model's ``noise_`` by default.  With ``normalize_y`` the first fit's mean and
        standard deviation of ``y`` are kept too: they are part of the prior, as the
        hyperparameters are, so the model equals a refit at the same hyperparameters
        only without ``normalize_y`` (:meth:`recentre` sets the prior mean anew)."""
        self._check_fitted("update")
        check_feature_names(getattr(self, "feature_names_in_", None), X_new, "X_new")
        check_target_labels(getattr(self, "_targets", None), y_new, "y_new")
        with unchanged_on_error(self):
            return _update.update(self, X_new, y_new, noise_var)

    def recentre(self, mean=None):
        """Set the constant prior mean (in ``y`` units) keeping the hyperparameters and
        the factor, ``O(n^2)``; by default its generalised least-squares estimate
        ``1' K^-1 y / 1' K^-1 1`` (ordinary kriging), which, unlike the sample mean of
        ``normalize_y``, does not follow points that crowd one region.

        Parameters
        ----------
        mean : float, array of shape (n_targets,) or None, default None
            The prior mean in the units of ``y`` (one per target, or one for all);
            ``None``: the GLS estimate, for each target.

        Returns
        -------
        GaussianProcess
            ``self``, recentred.

        Examples
        --------
        >>> import numpy as np
        >>> from pyjl.gp import GaussianProcess, RBF
        >>> X = np.r_[np.linspace(0, 0.1, 8), [5.0]][:, None]
        >>> y = np.r_[np.full(8, 3.0), [0.0]]
        >>> gp = GaussianProcess(RBF(1.0), noise=1e-6, normalize_y=True).fit(X, y, method=None)
        >>> far = np.array([[50.0]])        # the prior mean rules far from the data
        >>> round(float(gp.predict(far)[0]), 2), round(float(gp.recentre().predict(far)[0]), 2)
        (2.67, 1.74)
        """
        self._check_fitted("recentre")
        check_target_labels(getattr(self, "_targets", None), mean, "mean", per_target=True)
        return _update.recentre(self, mean)

    def __setstate__(self, state):
        # a model pickled before n_targets existed has one target
        self.__dict__.update({"n_targets": None, **state})

    def __repr__(self):
        return (
            f"GaussianProcess(kernel={self.kernel!r}, noise={self.noise!r}, "
            f"normalize_y={self.normalize_y!r})"
        )
