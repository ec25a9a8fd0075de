"""Fitting helpers of :class:`~pyjl.gp.GaussianProcess`: its argument checks, the
targets and known noise in model units, the L-BFGS-B search over the log
hyperparameters with restarts, and the objective at a given ``theta``.

The estimator calls these as plain functions; the model and its formulas are in
:mod:`pyjl.gp.regression`, the objective itself in :mod:`pyjl.gp.likelihood`.
"""

from __future__ import annotations

import copy

import numpy as np
from scipy.optimize import minimize

from .. import engines
from .._validate import describe, error, integer, seed
from .._warn import quiet, warn
from ..exceptions import ConvergenceWarning, NumericalWarning
from ._checks import as_float_array, as_targets, check_finite_fit
from ._scale import mean_std
from ._trust import minimize_within
from .combinators import kernels_in
from .exponentiation import Exponentiation
from .interface import Kernel, names
from .likelihood import Objective, condition_bound, factor, lml_from_factor

METHODS = ("ml", "loo", None)
#: The most extra optimiser starts: each is a full L-BFGS-B run (a thousand or more
#: likelihood evaluations), so more than this would run for days on any data.
MAX_RESTARTS = 10_000
#: ``|theta|`` beyond this overflows ``exp`` (the hyperparameters are ``exp(theta)``).
LOG_MAX = float(np.log(np.finfo(np.float64).max))


def generator(random_state):
    """``random_state`` as something with ``uniform(low, high)``: a seed (``None`` or an
    integer) makes a NumPy ``Generator``; a ``Generator`` or a legacy ``RandomState``
    (scikit-learn's kind) is used as it is, so its draws continue across fits."""
    if isinstance(random_state, (np.random.Generator, np.random.RandomState)):
        return random_state
    if isinstance(random_state, (np.random.BitGenerator, np.random.SeedSequence)):
        return np.random.default_rng(random_state)
    return np.random.default_rng(seed(random_state, "random_state"))


def check_kernel(kernel):
    """``kernel`` if it is ``None`` or implements :class:`~pyjl.gp.Kernel`."""
    if kernel is None or (isinstance(kernel, Kernel) and not isinstance(kernel, type)):
        return kernel
    members = ("theta", "bounds", "__call__", "diag", "gradient")  # pyjl.gp.Kernel's
    rule = f"must be a kernel instance implementing pyjl.gp.Kernel ({', '.join(members)})"
    if isinstance(kernel, type):
        raise error(
            "kernel",
            rule,
            f"the class {kernel.__name__}",
            f"pass an instance such as {kernel.__name__}()",
        )
    missing = [m for m in members if not hasattr(kernel, m)]
    lacks = f", which lacks {', '.join(missing)}" if 0 < len(missing) < len(members) else ""
    raise error(
        "kernel",
        rule,
        f"{describe(kernel)} of type {type(kernel).__name__}{lacks}",
        "pass a kernel such as RBF(1.0) or 2.0 * Matern52([0.3, 0.7])"
        + (f", or give yours {', '.join(missing)}" if lacks else ""),
    )


def check_restarts(value) -> int:
    """``n_restarts`` checked: a whole number from 0 to :data:`MAX_RESTARTS`."""
    return integer(
        value,
        "n_restarts",
        low=0,
        high=MAX_RESTARTS,
        fix=f"pass a whole number of extra starts from 0 to {MAX_RESTARTS}",
    )


def check_prior(prior) -> None:
    """Refuse a ``prior`` that is neither ``None`` nor callable."""
    if prior is not None and not callable(prior):
        raise error(
            "prior",
            "must be None or a callable theta -> (log p, gradient)",
            describe(prior),
            "pass a function of the log hyperparameters",
        )


def targets(y, normalize_y: bool, label: str = "y"):
    """``(y_model, mean, std)``: ``y`` in model units, ``(y - mean) / std``, where ``mean``
    and ``std`` are ``y``'s with ``normalize_y`` and ``0`` and ``1`` otherwise (``std = 1``
    for a constant ``y``, which warns: it says nothing about the kernel's shape).  Several
    targets ``(n, t)`` are scaled column by column; ``mean`` and ``std`` are then ``(t,)``
    (zeros and ones without ``normalize_y``, as scikit-learn's)."""
    if y.ndim == 2:
        cols = [targets(y[:, j], normalize_y, f"y[:, {j}]") for j in range(y.shape[1])]
        yn = np.ascontiguousarray(np.stack([c[0] for c in cols], axis=1))
        return yn, np.array([c[1] for c in cols]), np.array([c[2] for c in cols])
    mean, std = 0.0, 1.0
    constant = y.size > 1 and float(y.max()) == float(y.min())  # ptp overflows at 1e308
    if constant:
        warn(
            f"{label} is constant: it says nothing about the kernel's shape"
            + ("; normalize_y uses std = 1" if normalize_y else ""),
            NumericalWarning,
        )
    if normalize_y:
        mean, sd = mean_std(y)
        std = sd if sd > 0.0 and not constant else 1.0
    return (y - mean) / std, mean, std


def noise_units(y_std, name: str) -> float:
    """The standard deviation that turns a noise variance given in the units of ``y`` into
    model units: ``y_std``, which must be one number (several targets under
    ``normalize_y`` each have their own units, and the noise on ``K``'s diagonal is one)."""
    if np.ndim(y_std) == 0:
        return float(y_std)
    if np.all(y_std == 1.0):
        return 1.0
    raise error(
        name,
        "must be None for several targets with normalize_y=True (each target has its "
        "own units, and the kernel matrix's noise is shared)",
        "noise variances given",
        "fit with normalize_y=False (the noise in the units of y), or one model per column",
    )


def known_noise(noise_var, n: int, y_std):
    """The ``(n,)`` known noise variances of ``fit`` in model units (``None`` if none):
    a number is one variance for every point."""
    if noise_var is None:
        return None
    y_std = noise_units(y_std, "noise_var")
    nv = as_float_array(noise_var, "noise_var")
    nv = np.full(n, float(nv)) if nv.ndim == 0 else as_targets(nv, "noise_var", n)
    if np.any(nv < 0):
        i = int(np.argmax(nv < 0))
        raise error(
            "noise_var",
            "must be >= 0 (a variance)",
            f"{float(nv[i])!r} at index {i}",
            "pass non-negative variances",
        )
    return nv / y_std**2


def optimise(obj, theta0, n_restarts, noise_bounds, random_state, max_iter=None):
    """The best ``theta`` found from ``theta0`` and ``n_restarts`` starts drawn uniformly
    over the log-bounds (the noise's included when ``obj`` learns it), each run stopped
    after ``max_iter`` iterations when given (then without a warning).

    The search is L-BFGS-B, or, where ``obj.trust_radius`` is set (the iterative
    solver's objective), :func:`~pyjl.gp._trust.minimize_within`, whose trial points stay
    within that radius of the accepted one."""
    bounds = np.asarray(obj.kernel.bounds, dtype=np.float64).reshape(-1, 2)
    if obj.learn_noise:
        bounds = np.vstack([bounds, np.log(noise_bounds)])
    theta0 = np.clip(theta0, bounds[:, 0], bounds[:, 1])
    rng = generator(random_state)
    starts = [theta0] + [rng.uniform(bounds[:, 0], bounds[:, 1]) for _ in range(n_restarts)]
    best = None
    options = {} if max_iter is None else {"maxiter": max_iter}
    with quiet(NumericalWarning):
        for start in starts:
            if obj.trust_radius is None:
                res = minimize(
                    obj, start, jac=True, method="L-BFGS-B", bounds=bounds, options=options
                )
            else:
                res = minimize_within(obj, start, bounds, obj.trust_radius, max_iter)
                obj.n_iterations += int(res.nit)
            if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
                best = res
    if best is None:
        warn(
            "every optimisation start failed (non-finite objective); the "
            "initial hyperparameters are kept",
            ConvergenceWarning,
        )
        return theta0
    if not best.success and best.status == 1 and max_iter is None:
        warn(
            f"the hyperparameter search stopped before convergence: {best.message}",
            ConvergenceWarning,
        )
    elif not best.success and best.nit == 0 and _steep(best):  # no step from a sloped start
        warn(
            f"the hyperparameter search stopped at its start ({best.message}): the "
            "objective rose along its own gradient, or was not finite a step away; a "
            "kernel's own gradient can be checked with pyjl.testing.check_kernel",
            ConvergenceWarning,
        )
    check_bounds(obj, best.x, bounds)
    return np.asarray(best.x)


def _steep(res) -> bool:
    """Whether the gradient where a search ended is clearly non-zero (above ``1e-3 *
    max(1, |f|)``): a search that ends without a step at a start whose gradient is just
    above L-BFGS-B's tolerance (a refit from fitted values) is at an optimum, not stuck."""
    jac = getattr(res, "jac", None)
    if jac is None:
        return False
    return bool(np.max(np.abs(jac), initial=0.0) > 1e-3 * max(1.0, abs(float(res.fun))))


def check_bounds(obj, theta, bounds) -> None:
    """A :class:`ConvergenceWarning` for each fitted hyperparameter at a bound of its
    search, as scikit-learn's ``Kernel._check_bounds_params`` (``np.isclose`` on the logs);
    a bound pair ``(b, b)`` pins its hyperparameter and is left out."""
    labels = names(obj.kernel) + (["noise"] if obj.learn_noise else [])
    close = np.isclose(bounds, np.asarray(theta, dtype=np.float64)[:, None])
    for name, (lo, hi), (at_lo, at_hi) in zip(labels, bounds, close):
        if lo == hi or not (at_lo or at_hi):
            continue
        side, bound, move = ("lower", lo, "decreasing") if at_lo else ("upper", hi, "increasing")
        warn(
            f"the fitted {name} is at its {side} bound {np.exp(bound):.6g}; {move} the bound "
            "and fitting again may find a better value",
            ConvergenceWarning,
        )


def check_theta(theta, n: int, learns_noise: bool) -> np.ndarray:
    """``theta`` as a finite 1-D array: the kernel's ``n`` values of ``theta`` alone (the
    noise kept at its fitted value, as scikit-learn's ``alpha``) or followed by
    ``log noise`` when ``learns_noise``."""
    th = as_float_array(theta, "theta", ndim=1)
    sizes = (n, n + 1) if learns_noise else (n,)
    if th.size not in sizes:
        rule = (
            f"must hold {n} values (the kernel's theta) or {n + 1} (with log noise last)"
            if len(sizes) == 2
            else f"must hold {n} values (the kernel's theta)"
        )
        raise error("theta", rule, f"{th.size} values", "pass a vector like gp.kernel_.theta")
    if th.size and np.max(np.abs(th)) > LOG_MAX:
        raise error(
            "theta",
            f"must lie within +-{LOG_MAX:.1f} (log hyperparameters; exp overflows beyond)",
            describe(th.tolist()),
            "pass log values such as np.log(1.0) = 0",
        )
    return th


def objective_at(obj, th, method, eval_gradient):
    """``obj``'s value (and gradient) at ``th``: ``-inf`` (and a zero gradient, as
    scikit-learn) with a :class:`NumericalWarning` where ``K`` cannot be factorised or
    the value overflows."""
    try:
        with np.errstate(all="ignore"):
            value, grad = obj.value_and_grad(th, want_grad=eval_gradient)
    except np.linalg.LinAlgError:
        value, grad = -np.inf, None
    if not np.isfinite(value) or (grad is not None and not np.all(np.isfinite(grad))):
        warn(
            f"the {'log marginal likelihood' if method == 'ml' else 'LOO'} "
            f"overflows at theta={th.tolist()} (kernel matrix not positive "
            "definite or too large); returned -inf",
            NumericalWarning,
        )
        value, grad = -np.inf, np.zeros(th.size)
    value = np.float64(value)  # scikit-learn's type: NumPy's promotion keeps it float64
    return (value, grad) if eval_gradient else value


#: Past this condition number the rounding of the kernel's entries (relative 1e-16) can
#: move the predictions by 1e-3 relative or more (docs/gp.md, "Numerical trouble").
ILL_CONDITIONED = 1e12


def check_n_targets(y: np.ndarray, n_targets: int | None) -> None:
    """Refuse a ``y`` whose number of targets is not the model's ``n_targets`` (given)."""
    seen = 1 if y.ndim == 1 else y.shape[1]
    if n_targets is not None and seen != n_targets:
        raise error(
            "y",
            f"must have n_targets={n_targets} target(s), the model's n_targets",
            f"{seen} target(s) (shape {y.shape})",
            "pass y with that many columns, or construct the model with n_targets=None",
        )


def fractional_power(kernel):
    """The first :class:`~pyjl.gp.Exponentiation` with a non-whole exponent in ``kernel``
    (its sums, products and scalings searched), or None."""
    powers = (k for k in kernels_in(kernel) if isinstance(k, Exponentiation))
    return next((k for k in powers if float(k.exponent) % 1.0 != 0.0), None)


def check_kernel_shapes(kernel, X: np.ndarray, gradient: bool) -> None:
    """Refuse a kernel (a user's) whose ``kernel(X)``, ``diag(X)`` or, with ``gradient``,
    ``gradient(X)`` on the first rows of ``X`` has another shape than the protocol's, by
    name: a wrong layout fails later in NumPy, far from its cause.
    (:func:`pyjl.testing.check_kernel` checks the values as well.)  Kernels made of
    pyjl's own classes alone are trusted (their layouts are tested)."""
    if _built_in(kernel):
        return
    x = X[:3]
    m, p = x.shape[0], np.asarray(kernel.theta).size
    outputs = [
        ("kernel(X)", lambda: kernel(x), (m, m)),
        ("kernel.diag(X)", lambda: kernel.diag(x), (m,)),
    ]
    if gradient and p:  # no hyperparameter: nothing to optimise, no gradient asked
        outputs.append(("kernel.gradient(X)[1]", lambda: _gradient_part(kernel, x), (p, m, m)))
    for what, call, want in outputs:
        got = call()
        if np.shape(got) != want and not (what.endswith("[1]") and np.size(got) == 0 == p):
            raise error(
                what,
                f"must have shape {want} for {m} points and {p} hyperparameter(s) (the "
                "pyjl.gp.Kernel protocol: dK[q] is the derivative in theta[q])",
                f"shape {np.shape(got)} from {type(kernel).__name__}",
                "return the protocol's layout (scikit-learn's gradient is (n, n, p): move its "
                "last axis first); pyjl.testing.check_kernel checks a kernel in full",
            )


def _built_in(kernel) -> bool:
    """Whether ``kernel`` and every part of it (sums, products, scalings, powers) is of a
    class defined in pyjl itself (a user's subclass is not)."""
    return all(type(k).__module__.startswith("pyjl.") for k in kernels_in(kernel))


def _gradient_part(kernel, x):
    """``kernel.gradient(x)[1]``, or the whole output where it is not a pair."""
    out = kernel.gradient(x)
    return out[1] if isinstance(out, (tuple, list)) and len(out) == 2 else out


def check_conditioning(K, L, engine=None) -> None:
    """Warn (:class:`NumericalWarning`) when the factorised ``K = L L'`` (``K=None``: read
    through ``L``) has a condition number past :data:`ILL_CONDITIONED`."""
    if (cond := condition_bound(K, L, engine)) > ILL_CONDITIONED:
        warn(
            f"the kernel matrix is ill-conditioned (condition number >= {cond:.2g}): "
            "float64 rounding of its entries may make the predictions inexact (stds far "
            "below the prior's first, then the means) and the likelihood; centre and scale "
            "X (a Linear kernel's values grow with |x|^2), raise the noise, or drop "
            "near-duplicate points",
            NumericalWarning,
        )


def factorise(gp, check: bool = True) -> None:
    """The Cholesky state of a fitted ``gp``: ``L_``, ``jitter_`` (warning when > 0),
    ``alpha_``, the log marginal likelihood and ``solver_info_``; with ``check``,
    targets on a scale where ``alpha_`` overflows are refused (the log marginal
    likelihood may overflow alone: predictions stay right, as scikit-learn's)."""
    engine = engines.current()
    K = np.array(gp.kernel_(gp.X_train_), dtype=np.float64, order="C")
    K[np.diag_indices_from(K)] += gp.noise_var_
    try:
        gp.L_, gp.jitter_ = factor(K, engine)
    except np.linalg.LinAlgError as exc:
        power = fractional_power(gp.kernel_)
        if power is None:
            raise
        raise np.linalg.LinAlgError(
            f"{exc}: the kernel raises {type(power.kernel).__name__} to the fractional "
            f"power {power.exponent}, which is positive definite only for kernels whose "
            "every power is (an RBF, Matern12, RationalQuadratic or Periodic alone is, and "
            "so are their products; a sum or a Linear kernel may not be); use a whole "
            "exponent, or raise each factor to the power"
        ) from exc
    if gp.jitter_ > 0:
        warn(
            f"the kernel matrix is near-singular (duplicate points or zero "
            f"noise?); added jitter {gp.jitter_:.3g} to its diagonal",
            NumericalWarning,
        )
    else:
        check_conditioning(K, gp.L_, engine)
    with np.errstate(over="ignore", invalid="ignore"):
        gp.alpha_ = engine.cho_solve(gp.L_, gp.y_train_)
        gp.log_marginal_likelihood_value_ = lml_from_factor(gp.L_, gp.alpha_, gp.y_train_)
    if check:
        check_finite_fit(gp.alpha_, None, gp.y_train_, gp._y_mean, gp._y_std)
    gp._Linv = None
    gp.solver_info_ = {"solver": "cholesky", "jitter": gp.jitter_}


def evaluate(gp, method, theta, eval_gradient):
    """``gp``'s objective (and gradient) at ``theta``, ``None`` for the fitted model as it
    stands (its ``noise_var_`` and ``jitter_``): ``-inf`` (and a zero gradient, as
    scikit-learn) with a :class:`NumericalWarning` where ``K`` cannot be factorised
    or the value overflows."""
    learn = gp._learns_noise()
    n = np.asarray(gp.kernel_.theta).size
    th = gp._theta_full() if theta is None else check_theta(theta, n, learn)
    learn = learn and th.size == n + 1
    jitter = getattr(gp, "jitter_", 0.0) if theta is None else 0.0
    obj = _objective(gp, method, learn, jitter)
    return objective_at(obj, th, method, eval_gradient)


def _objective(gp, method, learn, jitter):
    """The objective on a copy of the fitted kernel, with the model's noise ``noise_var_``
    and, where ``learn``, the noise of ``theta`` on the points that have the learned
    ``noise_`` (all but those ``update`` gave another ``noise_var``); ``jitter`` on the
    diagonal (Cholesky)."""
    learned = gp.noise_var_ == gp.noise_ if learn else None
    kernel = copy.deepcopy(gp.kernel_)
    if gp._cg is not None:
        return gp._cg.objective_at(kernel, learn, gp.noise_var_, learned)
    return Objective(
        kernel,
        gp.X_train_,
        gp.y_train_,
        method=method,
        learn_noise=learn,
        noise_diag=gp.noise_var_,
        engine=engines.current(),
        learned=learned,
        jitter=jitter,
    )
