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
>>> X = rng.uniform(0, 1, (40, 2)); y = np.sin(6 * X[:, 0]) + X[:, 1]
>>> gp = GaussianProcess(Matern52(lengthscale=[0.5, 0.5]), noise=1e-2).fit(X, y)
>>> mu, std = gp.predict(X[:3], return_std=True)
>>> bool(np.all(np.abs(mu - y[:3]) < 0.05))
True
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
from scipy.linalg import blas, solve_triangular
from scipy.optimize import minimize

from .. import engines
from .._validate import boolean, choice, describe, error, integer, seed
from ..exceptions import ConvergenceWarning, NotFittedError, NumericalWarning
from ._checks import as_float_array, as_points, as_targets, bounds_pair, positive
from .interface import Kernel
from .kernels import RBF
from .likelihood import Objective, blas_threads, factor, lml_from_factor

__all__ = ["GaussianProcess"]


def _origin(X):
    """The data layer's description of a non-NumPy input (None for NumPy and lists)."""
    if isinstance(X, (np.ndarray, list, tuple)):
        return None
    try:
        from ..data import origin
    except ImportError:  # pragma: no cover - the data layer ships with pyjl
        return None
    return origin(X)


def _generator(random_state):
    """``random_state`` as something with ``uniform(low, high)``: a seed (``None`` or an
    integer) makes a NumPy ``Generator``; a ``Generator`` or a legacy ``RandomState``
    (scikit-learn's kind) is used as it is, so its draws continue across fits."""
    if isinstance(random_state, (np.random.Generator, np.random.RandomState)):
        return random_state
    if isinstance(random_state, (np.random.BitGenerator, np.random.SeedSequence)):
        return np.random.default_rng(random_state)
    return np.random.default_rng(seed(random_state, "random_state"))


def _kernel(kernel):
    """``kernel`` if it is ``None`` or implements :class:`~pyjl.gp.Kernel`."""
    if kernel is None or (isinstance(kernel, Kernel) and not isinstance(kernel, type)):
        return kernel
    rule = (
        "must be a kernel instance implementing pyjl.gp.Kernel (theta, bounds, "
        "__call__, diag, gradient)"
    )
    if isinstance(kernel, type):
        raise error(
            "kernel",
            rule,
            f"the class {kernel.__name__}",
            f"pass an instance such as {kernel.__name__}()",
        )
    raise error(
        "kernel",
        rule,
        f"{describe(kernel)} of type {type(kernel).__name__}",
        "pass a kernel such as RBF(1.0) or 2.0 * Matern52([0.3, 0.7])",
    )


def _restarts(value) -> int:
    return integer(
        value,
        "n_restarts",
        low=0,
        high=MAX_RESTARTS,
        fix=f"pass a whole number of extra starts from 0 to {MAX_RESTARTS}",
    )


_METHODS = ("ml", "loo", None)
#: The most extra optimiser starts: each is a full L-BFGS-B run (a thousand or more
#: likelihood evaluations), so more than this would run for days on any data.
MAX_RESTARTS = 10_000
#: ``|theta|`` beyond this overflows ``exp`` (the hyperparameters are ``exp(theta)``).
_LOG_MAX = float(np.log(np.finfo(np.float64).max))
#: The most values ``sample_y`` returns at once (2**34 float64 values: 128 GiB).
_MAX_DRAWS = 2**34
#: Kernel values per block of prediction rows (2 MiB of float64) and the fewest rows per
#: block.  The ``trmm`` of ``predict(return_std=True)`` takes larger blocks (16 MiB, at
#: least a thousand rows): OpenBLAS runs it fastest with a thousand or more right-hand
#: sides per call, and each call wakes its threads (measured at n = 200, 1000, 2000).
_BLOCK = 1 << 18
_MIN_ROWS = 64
_BLOCK_TRMM = 1 << 21
_MIN_ROWS_TRMM = 1024


class GaussianProcess:
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
        A refit with the same ``kernel`` object starts from the previous optimum.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState, default None
        Source of the restarts' starting points: ``None`` or a seed in
        ``[0, 2**63)`` makes a fresh generator for each fit; a ``Generator`` or
        ``RandomState`` is used as it is, so its draws continue across fits.

    Attributes
    ----------
    kernel_ : Kernel
        The fitted kernel: a copy of ``kernel`` at the optimised ``theta``.
    noise_ : float or None
        The fitted noise variance (model units); ``None`` when ``fit`` was given
        ``noise_var``.
    noise_var_ : ndarray of shape (n_samples,), dtype float64
        The diagonal added to the kernel matrix (model units).
    X_train_ : ndarray of shape (n_samples, n_features), dtype float64
        The training inputs (``update`` appends to them).
    y_train_ : ndarray of shape (n_samples,), dtype float64
        The training targets, normalised when ``normalize_y=True``.
    alpha_ : ndarray of shape (n_samples,), dtype float64
        ``K^{-1} y_train_``, with ``K = kernel_(X_train_) + diag(noise_var_)``.
    L_ : ndarray of shape (n_samples, n_samples), dtype float64
        The lower Cholesky factor of ``K`` (plus ``jitter_`` on its diagonal).
    jitter_ : float
        The diagonal jitter the factorisation needed (``0.0`` when none; a
        :class:`~pyjl.exceptions.NumericalWarning` otherwise).
    log_marginal_likelihood_value_ : float
        The log marginal likelihood of ``y_train_`` at the fitted hyperparameters.

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
    ):
        self.kernel = _kernel(kernel)
        self.noise = positive(noise, "noise", allow_zero=True)
        self.normalize_y = boolean(normalize_y, "normalize_y")
        self.noise_bounds = bounds_pair(noise_bounds, "noise_bounds")
        self.n_restarts = _restarts(n_restarts)
        self.warm_start = boolean(warm_start, "warm_start")
        _generator(random_state)  # refuses a bad seed now; each fit draws afresh from it
        self.random_state = random_state

    # -- fitting -----------------------------------------------------------------------------
    def fit(self, X, y, noise_var=None, method="ml", n_restarts=None, prior=None):
        """Fit to ``X (n, d)``, ``y (n,)``; ``method``: ``"ml"``, ``"loo"`` or ``None``
        (keep the hyperparameters).  ``noise_var`` ``(n,)``: known noise variances.

        ``prior``: ``None``, or a callable ``theta -> (log p(theta), gradient (p,))`` over
        the vector the optimiser moves (the kernel's ``theta``, then ``log noise`` when the
        noise is learned); the hyperparameters then maximise ``objective + log p(theta)``
        (maximum a posteriori) instead of the objective alone.  Ignored with
        ``method=None``."""
        method = choice(method, "method", _METHODS)
        if prior is not None and not callable(prior):
            raise error(
                "prior",
                "must be None or a callable theta -> (log p, gradient)",
                describe(prior),
                "pass a function of the log hyperparameters",
            )
        X = as_points(X, "X")
        y = as_targets(y, "y", X.shape[0])
        if X.shape[0] == 0:
            raise error("X", "must hold at least one point", "0 rows", "pass data to fit")
        restarts = self.n_restarts if n_restarts is None else _restarts(n_restarts)
        self._y_mean, self._y_std = 0.0, 1.0
        constant = y.size > 1 and float(np.ptp(y)) == 0.0
        if constant:
            warnings.warn(
                "y is constant: it says nothing about the kernel's shape"
                + ("; normalize_y uses std = 1" if self.normalize_y else ""),
                NumericalWarning,
                stacklevel=2,
            )
        if self.normalize_y:
            self._y_mean, std = float(y.mean()), float(y.std())
            self._y_std = std if std > 0.0 and not constant else 1.0
        yn = (y - self._y_mean) / self._y_std
        noise_diag = None
        if noise_var is not None:
            nv = as_float_array(noise_var, "noise_var")
            nv = (
                np.full(X.shape[0], float(nv))
                if nv.ndim == 0
                else as_targets(nv, "noise_var", X.shape[0])
            )
            if np.any(nv < 0):
                i = int(np.argmax(nv < 0))
                raise error(
                    "noise_var",
                    "must be >= 0 (a variance)",
                    f"{float(nv[i])!r} at index {i}",
                    "pass non-negative variances",
                )
            noise_diag = nv / self._y_std**2
        prev = getattr(self, "kernel_", None)
        kernel = copy.deepcopy(self.kernel) if self.kernel is not None else 1.0 * RBF(1.0)
        learn_noise = noise_diag is None and self.noise > 0 and self.noise_bounds != "fixed"
        noise0 = self.noise
        if (
            self.warm_start
            and prev is not None
            and getattr(self, "_fitted_from", None) is self.kernel
            and np.asarray(prev.theta).size == np.asarray(kernel.theta).size
        ):
            kernel.theta = prev.theta
            if learn_noise and getattr(self, "noise_", None):
                noise0 = self.noise_
        engine = engines.current()
        obj = Objective(
            kernel,
            X,
            yn,
            method=method or "ml",
            learn_noise=learn_noise,
            noise_diag=noise_diag if noise_diag is not None else self.noise,
            engine=engine,
            log_prior=prior,
        )
        theta0 = np.asarray(kernel.theta, dtype=np.float64)
        if learn_noise:
            theta0 = np.append(theta0, np.log(noise0))
        if method is not None and theta0.size:
            with blas_threads(X.shape[0]):
                theta = self._optimise(obj, theta0, restarts)
        else:
            theta = theta0
        _, noise = obj.split(theta)
        obj.covariance(theta)  # leaves obj.kernel at theta
        self.kernel_ = obj.kernel
        self._fitted_from = self.kernel  # warm starts only while the given kernel is unchanged
        self.noise_ = noise if learn_noise else (self.noise if noise_diag is None else None)
        diag = noise_diag if noise_diag is not None else np.full(X.shape[0], self.noise_)
        self.X_train_, self.y_train_, self.noise_var_ = X, yn, np.asarray(diag, dtype=float)
        self._factorise()
        return self

    def _optimise(self, obj, theta0, restarts):
        bounds = np.asarray(obj.kernel.bounds, dtype=np.float64).reshape(-1, 2)
        if obj.learn_noise:
            bounds = np.vstack([bounds, np.log(self.noise_bounds)])
        theta0 = np.clip(theta0, bounds[:, 0], bounds[:, 1])
        rng = _generator(self.random_state)
        starts = [theta0] + [rng.uniform(bounds[:, 0], bounds[:, 1]) for _ in range(restarts)]
        best = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NumericalWarning)
            for start in starts:
                res = minimize(obj, start, jac=True, method="L-BFGS-B", bounds=bounds)
                if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
                    best = res
        if best is None:
            warnings.warn(
                "every optimisation start failed (non-finite objective); the "
                "initial hyperparameters are kept",
                ConvergenceWarning,
                stacklevel=3,
            )
            return theta0
        if not best.success and best.status == 1:
            warnings.warn(
                f"L-BFGS-B stopped before convergence: {best.message}",
                ConvergenceWarning,
                stacklevel=3,
            )
        return np.asarray(best.x)

    def _factorise(self):
        engine = engines.current()
        K = np.array(self.kernel_(self.X_train_), dtype=np.float64, order="C")
        K[np.diag_indices_from(K)] += self.noise_var_
        self.L_, self.jitter_ = factor(K, engine)
        if self.jitter_ > 0:
            warnings.warn(
                f"the kernel matrix is near-singular (duplicate points or zero "
                f"noise?); added jitter {self.jitter_:.3g} to its diagonal",
                NumericalWarning,
                stacklevel=3,
            )
        self.alpha_ = engine.cho_solve(self.L_, self.y_train_)
        self.log_marginal_likelihood_value_ = lml_from_factor(self.L_, self.alpha_, self.y_train_)
        self._Linv = None

    def _check_fitted(self, what: str):
        if not hasattr(self, "L_"):
            raise NotFittedError(f"{what}: this GaussianProcess is not fitted; call fit(X, y)")

    # -- likelihoods ---------------------------------------------------------------------------
    def log_marginal_likelihood(self, theta=None, eval_gradient=False):
        """LML of the (normalised) training targets; ``theta`` = kernel ``theta``
        (plus ``log noise`` last when the noise is learned; without it the noise stays at
        ``noise_``, as scikit-learn's ``alpha``).  Same definition as scikit-learn's
        ``GaussianProcessRegressor.log_marginal_likelihood``, also where ``K`` does not
        factorise: ``-inf`` and a zero gradient, here with a :class:`NumericalWarning`."""
        self._check_fitted("log_marginal_likelihood")
        eval_gradient = boolean(eval_gradient, "eval_gradient")
        if theta is None and not eval_gradient:
            return self.log_marginal_likelihood_value_
        return self._evaluate("ml", theta, eval_gradient)

    def loo_log_predictive(self, theta=None, eval_gradient=False):
        """``sum_i log p(y_i | X, y_-i)`` in closed form (R&W §5.4.2); ``theta`` and
        ``eval_gradient`` as in :meth:`log_marginal_likelihood`."""
        self._check_fitted("loo_log_predictive")
        eval_gradient = boolean(eval_gradient, "eval_gradient")
        return self._evaluate("loo", theta, eval_gradient)

    def _evaluate(self, method, theta, eval_gradient):
        """The objective (and gradient) at ``theta``: ``-inf`` (and a zero gradient, as
        scikit-learn) with a :class:`NumericalWarning` where ``K`` cannot be factorised
        or the value overflows."""
        learn = self._learns_noise()
        th = self._theta_full() if theta is None else self._check_theta(theta)
        learn = learn and th.size == np.asarray(self.kernel_.theta).size + 1
        obj = self._objective(method, learn)
        try:
            with np.errstate(all="ignore"):
                value, grad = obj.value_and_grad(th, want_grad=eval_gradient)
        except np.linalg.LinAlgError:
            value, grad = -np.inf, None
        if not np.isfinite(value) or (grad is not None and not np.all(np.isfinite(grad))):
            warnings.warn(
                f"the {'log marginal likelihood' if method == 'ml' else 'LOO'} "
                f"overflows at theta={th.tolist()} (kernel matrix not positive "
                "definite or too large); returned -inf",
                NumericalWarning,
                stacklevel=3,
            )
            value, grad = -np.inf, np.zeros(th.size)
        return (value, grad) if eval_gradient else value

    def _check_theta(self, theta) -> np.ndarray:
        """``theta`` as a finite 1-D array: the kernel's ``theta`` alone (the noise kept
        at its fitted value, as scikit-learn's ``alpha``) or followed by ``log noise``."""
        th = as_float_array(theta, "theta", ndim=1)
        n = np.asarray(self.kernel_.theta).size
        sizes = (n, n + 1) if self._learns_noise() else (n,)
        if th.size not in sizes:
            rule = (
                f"must hold {n} values (the kernel's theta) or {n + 1} (with log noise last)"
                if len(sizes) == 2
                else f"must hold {n} values (the kernel's theta)"
            )
            raise error("theta", rule, f"{th.size} values", "pass a vector like gp.kernel_.theta")
        if th.size and np.max(np.abs(th)) > _LOG_MAX:
            raise error(
                "theta",
                f"must lie within +-{_LOG_MAX:.1f} (log hyperparameters; exp overflows beyond)",
                describe(th.tolist()),
                "pass log values such as np.log(1.0) = 0",
            )
        return th

    def _theta_full(self):
        th = np.asarray(self.kernel_.theta, dtype=np.float64)
        return np.append(th, np.log(self.noise_)) if self._learns_noise() else th

    def _learns_noise(self):
        return self.noise_ is not None and self.noise_ > 0 and self.noise_bounds != "fixed"

    def _objective(self, method, learn):
        return Objective(
            copy.deepcopy(self.kernel_),
            self.X_train_,
            self.y_train_,
            method=method,
            learn_noise=learn,
            noise_diag=None if learn else self.noise_var_,
            engine=engines.current(),
        )

    # -- prediction ----------------------------------------------------------------------------
    def predict(self, X, return_std=False, return_cov=False, include_noise=False):
        """Posterior mean ``(m,)`` and, optionally, std ``(m,)`` or covariance ``(m, m)``
        of the latent ``f`` (``include_noise=True``: of a new observation).

        Outputs mirror ``X``: a pandas ``X`` gives Series (and a covariance DataFrame)
        on its index, an Arrow ``X`` gives Arrow arrays, NumPy gives NumPy."""
        return_std = boolean(return_std, "return_std")
        return_cov = boolean(return_cov, "return_cov")
        include_noise = boolean(include_noise, "include_noise")
        out = self._predict(X, return_std, return_cov, include_noise)
        kind = _origin(X)
        if kind is None:
            return out
        from ..data import restore

        if not isinstance(out, tuple):
            return restore(out, kind, name="mean")
        mean, second = out
        if return_std:
            return restore(mean, kind, name="mean"), restore(second, kind, name="std")
        if kind.kind in ("series", "dataframe"):
            idx = kind.index
            return restore(mean, kind, name="mean"), restore(second, kind, columns=idx)
        return restore(mean, kind, name="mean"), second

    def _predict(self, X, return_std, return_cov, include_noise):
        if return_std and return_cov:
            raise error(
                "return_std",
                "must be False when return_cov=True (they are exclusive)",
                "return_std=True and return_cov=True",
                "pick one",
            )
        if not hasattr(self, "L_"):  # the prior, as scikit-learn does
            kernel = self.kernel if self.kernel is not None else 1.0 * RBF(1.0)
            Xs = as_points(X, "X")
            mean = np.zeros(Xs.shape[0])
            if return_cov:
                return mean, np.asarray(kernel(Xs)) + (
                    self.noise * np.eye(len(Xs)) if include_noise else 0.0
                )
            if return_std:
                return mean, np.sqrt(
                    np.asarray(kernel.diag(Xs)) + (self.noise if include_noise else 0.0)
                )
            return mean
        Xs = as_points(X, "X", self.X_train_.shape[1])
        if include_noise and self.noise_ is None:
            raise error(
                "include_noise",
                "must be False for a model fitted with known "
                "per-point noise_var (the noise at new points is unknown)",
                "True",
                "predict with include_noise=False and add the noise yourself",
            )
        extra = self.noise_ if include_noise else 0.0
        if return_cov:
            Ks = np.asarray(self.kernel_(Xs, self.X_train_))
            mean = Ks @ self.alpha_ * self._y_std + self._y_mean
            V = self._whiten(Ks)  # (m, n): Ks L^{-T}, on a copy
            cov = np.asarray(self.kernel_(Xs)) - V @ V.T
            cov[np.diag_indices_from(cov)] += extra
            return mean, cov * self._y_std**2
        mean, quad = self._blocks(Xs, return_std)
        mean *= self._y_std
        mean += self._y_mean
        if not return_std:
            return mean
        var = np.asarray(self.kernel_.diag(Xs), dtype=np.float64) + extra
        var -= quad
        return mean, np.sqrt(self._clip(var)) * self._y_std

    def _blocks(self, Xs, want_quad):
        """``(Ks alpha, rowsum((Ks L^{-T})^2))`` over row blocks of ``Ks = k(Xs, X_train)``.

        A block holds about :data:`_BLOCK` kernel values (a few MiB, cache sized), so no
        ``(m, n)`` matrix is formed; ``quad`` is ``None`` unless ``want_quad``."""
        m, n = Xs.shape[0], self.X_train_.shape[0]
        rows = (
            max(_MIN_ROWS_TRMM, _BLOCK_TRMM // max(n, 1))
            if want_quad
            else max(_MIN_ROWS, _BLOCK // max(n, 1))
        )
        rows = int(min(max(m, 1), rows))
        mean = np.empty(m)
        quad = np.empty(m) if want_quad else None
        fresh = type(self.kernel_).__module__.startswith("pyjl.gp.")  # ours return new arrays
        for s in range(0, m, rows):
            Kb = np.asarray(self.kernel_(Xs[s : s + rows], self.X_train_), dtype=np.float64)
            # einsum's own loop, not a threaded BLAS gemv: a matrix-vector product this
            # small gains nothing from threads, and waking BLAS's workers after each block
            # (while the kernel's OpenMP workers go to sleep) cost up to 10 ms a block
            np.einsum("ij,j->i", Kb, self.alpha_, out=mean[s : s + rows])
            if want_quad:
                V = self._whiten(Kb, owned=fresh)
                np.einsum("ij,ij->i", V, V, out=quad[s : s + rows])
        return mean, quad

    def _whiten(self, Ks, owned=False):
        """``Ks L^{-T}`` as ``(m, n)`` (C order) through a cached ``L^{-1}``: one BLAS
        ``trmm`` on ``Ks^T`` (``Ks`` C-contiguous is ``Ks^T`` in Fortran order), in place
        when ``owned`` (``Ks`` is a scratch array of ours), else on a copy."""
        if self._Linv is None:
            self._Linv = np.asfortranarray(
                solve_triangular(self.L_, np.eye(len(self.L_)), lower=True, check_finite=False)
            )
        if not (owned and Ks.dtype == np.float64 and Ks.flags.c_contiguous and Ks.flags.writeable):
            Ks = np.array(Ks, dtype=np.float64, order="C")
        if Ks.shape[0] == 0:
            return Ks
        Li = self._Linv
        if Li.flags.f_contiguous:
            out = blas.dtrmm(1.0, Li, Ks.T, lower=1, overwrite_b=1)
        else:  # a C-ordered L^{-1} is an upper-triangular Fortran array: L^{-1} = (Li.T)^T
            out = blas.dtrmm(1.0, Li.T, Ks.T, lower=0, trans_a=1, overwrite_b=1)
        return out.T

    @staticmethod
    def _clip(var):
        bad = var < 0
        if np.any(bad):
            if np.min(var) < -1e-8 * max(1.0, float(np.max(np.abs(var)))):
                warnings.warn(
                    "predicted variances below 0 were set to 0 (ill-conditioned kernel matrix)",
                    NumericalWarning,
                    stacklevel=3,
                )
            var = np.where(bad, 0.0, var)
        return var

    def sample_y(self, X, n_samples=1, random_state=None):
        """Draws of the latent ``f`` at ``X``: ``(m, n_samples)``.

        ``random_state``: ``None``, a seed, or a NumPy ``Generator`` or ``RandomState``."""
        n_samples = integer(n_samples, "n_samples", low=1)
        rng = _generator(random_state)
        mean, cov = self._predict(X, False, True, False)
        m = len(mean)
        if m * n_samples > _MAX_DRAWS:
            raise error(
                "n_samples",
                f"must keep the {m} x n_samples draws within "
                f"{_MAX_DRAWS:.3g} values (float64 memory)",
                describe(n_samples),
                f"draw in batches of at most {max(1, _MAX_DRAWS // max(m, 1))}",
            )
        L, _ = factor(np.ascontiguousarray(cov), engines.current())
        z = rng.standard_normal((m, n_samples))
        return mean[:, None] + L @ z

    # -- incremental update ----------------------------------------------------------------------
    def update(self, X_new, y_new, noise_var=None):
        """Add points keeping the hyperparameters: the Cholesky factor is extended in
        ``O(n^2 k)`` (``k`` new points) instead of refactorised in ``O(n^3)``.

        ``noise_var`` (a number or ``(k,)``, in the units of ``y``): the noise variances
        of the new points; required when the model was fitted with ``noise_var``, else
        the model's ``noise_`` by default."""
        self._check_fitted("update")
        Xn = as_points(X_new, "X_new", self.X_train_.shape[1])
        if Xn.shape[0] == 0:  # nothing to add, unless y_new says otherwise
            k = as_float_array(y_new, "y_new").size
            if k == 0:
                return self
            raise error(
                "X_new",
                f"must have one point per value of y_new ({k})",
                "0 points",
                "pass X_new and y_new of the same length",
            )
        yn = (as_targets(y_new, "y_new", Xn.shape[0]) - self._y_mean) / self._y_std
        nv = self._new_noise(noise_var, Xn.shape[0])
        B = np.asarray(self.kernel_(self.X_train_, Xn))  # (n, k)
        C = np.array(self.kernel_(Xn), dtype=np.float64, order="C")  # (k, k)
        C[np.diag_indices_from(C)] += nv + self.jitter_
        L12 = solve_triangular(self.L_, B, lower=True, check_finite=False)
        L22, jit = factor(np.ascontiguousarray(C - L12.T @ L12), engines.current())
        if jit > 0:
            warnings.warn(
                f"a new point nearly duplicates the training set; added jitter {jit:.3g}",
                NumericalWarning,
                stacklevel=2,
            )
        n, k = len(self.L_), len(C)
        L = np.zeros((n + k, n + k))
        L[:n, :n], L[n:, :n], L[n:, n:] = self.L_, L12.T, L22
        y_all = np.concatenate([self.y_train_, yn])
        with np.errstate(all="ignore"):
            alpha = engines.current().cho_solve(L, y_all)
            lml = lml_from_factor(L, alpha, y_all)
        if not (np.all(np.isfinite(alpha)) and np.isfinite(lml)):
            big = float(np.max(np.abs(yn * self._y_std + self._y_mean)))
            raise error(
                "y_new",
                "must be on a scale where K^-1 y stays finite (float64)",
                f"max |y_new| = {big:.3g}",
                "rescale y (fit on data in sensible units, or with normalize_y=True)",
            )
        if self._Linv is not None:
            Linv = np.zeros_like(L)
            L22inv = solve_triangular(L22, np.eye(k), lower=True, check_finite=False)
            Linv[:n, :n], Linv[n:, n:] = self._Linv, L22inv
            Linv[n:, :n] = -L22inv @ (L12.T @ self._Linv)
        self.X_train_ = np.vstack([self.X_train_, Xn])
        self.y_train_ = y_all
        self.noise_var_ = np.concatenate([self.noise_var_, nv])
        self.L_ = L
        self.alpha_ = alpha
        self.log_marginal_likelihood_value_ = lml
        self._Linv = Linv if self._Linv is not None else None
        return self

    def _new_noise(self, noise_var, k: int) -> np.ndarray:
        """The ``(k,)`` noise variances (model units) of ``k`` new points."""
        if noise_var is None:
            if self.noise_ is None:
                raise error(
                    "noise_var",
                    "must be given for a model fitted with known noise_var",
                    "None",
                    "pass the noise variances of the new points",
                )
            return np.full(k, self.noise_)
        nv = as_float_array(noise_var, "noise_var")
        if nv.size == 1 and nv.ndim <= 1:
            nv = np.full(k, float(nv.reshape(-1)[0]))
        nv = as_targets(nv, "noise_var", k)
        if np.any(nv < 0):
            i = int(np.argmax(nv < 0))
            raise error(
                "noise_var",
                "must be >= 0 (a variance)",
                f"{float(nv[i])!r} at index {i}",
                "pass non-negative variances",
            )
        return nv / self._y_std**2

    def recentre(self, mean=None):
        """Set the constant prior mean (in ``y`` units) keeping the hyperparameters and
        the factor, ``O(n^2)``; by default its generalised least-squares estimate
        ``1' K^-1 y / 1' K^-1 1`` (ordinary kriging), which, unlike the sample mean of
        ``normalize_y``, does not follow points that crowd one region.

        Parameters
        ----------
        mean : float or None, default None
            The prior mean in the units of ``y``; ``None``: the GLS estimate.

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
        engine = engines.current()
        if mean is None:
            a = engine.cho_solve(self.L_, np.ones(len(self.L_)))
            shift = float(a @ self.y_train_) / float(a.sum())
        else:
            shift = (float(mean) - self._y_mean) / self._y_std
        self._y_mean += shift * self._y_std
        self.y_train_ = self.y_train_ - shift
        self.alpha_ = engine.cho_solve(self.L_, self.y_train_)
        self.log_marginal_likelihood_value_ = lml_from_factor(self.L_, self.alpha_, self.y_train_)
        return self

    def __repr__(self):
        return (
            f"GaussianProcess(kernel={self.kernel!r}, noise={self.noise!r}, "
            f"normalize_y={self.normalize_y!r})"
        )
