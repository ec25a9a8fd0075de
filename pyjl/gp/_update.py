"""Incremental-update helpers of :class:`~pyjl.gp.GaussianProcess`: the noise variances
of new points and the Cholesky factor (and its cached inverse) extended by them.

With ``K = L L'`` factorised, adding ``k`` points with cross-covariance ``B = k(X, X_new)``
``(n, k)`` and ``C = k(X_new) + diag(noise)`` ``(k, k)`` gives the factor

    [[L, 0], [L12', L22]],   L12 = L^{-1} B,   L22 L22' = C - L12' L12,

in ``O(n^2 k)`` instead of ``O((n + k)^3)``.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_triangular

from .. import engines
from .._validate import error
from ._checks import as_float_array, as_points, as_targets, check_finite_fit
from ._fit import ILL_CONDITIONED, check_conditioning, factorise, noise_units
from .likelihood import factor, lml_from_factor


def new_noise(noise_var, k: int, noise_, y_std) -> np.ndarray:
    """The ``(k,)`` noise variances (model units) of ``k`` new points: ``noise_var`` (a
    number or ``(k,)``, in the units of ``y``), by default the fitted ``noise_``."""
    if noise_var is None:
        if noise_ is None:
            raise error(
                "noise_var",
                "must be given for a model fitted with known noise_var",
                "None",
                "pass the noise variances of the new points",
            )
        return np.full(k, noise_)
    y_std = noise_units(y_std, "noise_var")
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
    return nv / y_std**2


def check_no_targets(y_new) -> None:
    """Refuse ``y_new`` with values when ``X_new`` has no points."""
    k = as_float_array(y_new, "y_new").size
    if k:
        raise error(
            "X_new",
            f"must have one point per value of y_new ({k})",
            "0 points",
            "pass X_new and y_new of the same length",
        )


def extend_factor(L, B, C):
    """``(L_new, L12, L22)``: the lower factor of ``[[K, B], [B', C]]`` from ``L`` (``K =
    L L'``); ``None`` when ``L22`` would need jitter (a new point nearly duplicates the
    training set), where jittering the new block alone would not be a refit's factor."""
    L12 = solve_triangular(L, B, lower=True, check_finite=False)
    L22, jit = factor(np.ascontiguousarray(C - L12.T @ L12), engines.current())
    if jit > 0:
        return None
    n, k = len(L), len(C)
    L_new = np.zeros((n + k, n + k))
    L_new[:n, :n], L_new[n:, :n], L_new[n:, n:] = L, L12.T, L22
    return L_new, L12, L22


def extend_inverse(Linv, L12, L22):
    """``L_new^{-1}`` from ``Linv = L^{-1}`` and the new blocks of :func:`extend_factor`."""
    n, k = len(Linv), len(L22)
    out = np.zeros((n + k, n + k))
    L22inv = solve_triangular(L22, np.eye(k), lower=True, check_finite=False)
    out[:n, :n], out[n:, n:] = Linv, L22inv
    out[n:, :n] = -L22inv @ (L12.T @ Linv)
    return out


def solve(L, y_all, yn, y_mean: float, y_std: float):
    """``(alpha, lml)`` of the extended model: ``L L' alpha = y_all`` and its log marginal
    likelihood; refuses new targets ``yn`` (model units) that make them overflow."""
    with np.errstate(all="ignore"):
        alpha = engines.current().cho_solve(L, y_all)
        lml = lml_from_factor(L, alpha, y_all)
    check_finite_fit(alpha, lml, yn, y_mean, y_std, "y_new")
    return alpha, lml


def _draws_state(rng, state=None):
    """The state of ``rng`` (a NumPy ``Generator`` or legacy ``RandomState``), or, given
    ``state``, ``rng`` set back to it."""
    legacy = isinstance(rng, np.random.RandomState)
    if state is None:
        return rng.get_state() if legacy else rng.bit_generator.state
    if legacy:
        rng.set_state(state)
    else:
        rng.bit_generator.state = state
    return state


def _check_extended(gp, Xn: np.ndarray, nv: np.ndarray, L: np.ndarray) -> None:
    """Warn, as a refit would, when the extended ``K = L L'`` is ill-conditioned.  Its
    condition number is at least ``max diag K / min L_ii^2`` (each pivot bounds the
    smallest eigenvalue from above: a near-duplicate point shows there), an ``O(n)``
    bound; only near the threshold is the ``O(n^2)`` estimate of a fit read."""
    top = max(  # K's largest diagonal entry, the old points' and the new ones'
        float(np.max(np.asarray(gp.kernel_.diag(X)) + noise, initial=0.0))
        for X, noise in ((gp.X_train_, gp.noise_var_), (Xn, nv))
    )
    with np.errstate(divide="ignore"):  # the old points' pivots too: a refit warns of them
        cheap = top / float(np.min(np.diag(L)) ** 2)
    if cheap > ILL_CONDITIONED * 1e-3:
        check_conditioning(None, L)


def update(gp, X_new, y_new, noise_var):
    """:meth:`GaussianProcess.update`: the factor extended (Cholesky) or the CG state
    rebuilt with ``alpha`` warm-started (``solver="cg"``)."""
    Xn = as_points(X_new, "X_new", gp.X_train_.shape[1])
    if Xn.shape[0] == 0:  # nothing to add, unless y_new says otherwise
        check_no_targets(y_new)
        return gp
    t = 1 if gp.y_train_.ndim == 1 else gp.y_train_.shape[1]
    yn = (as_targets(y_new, "y_new", Xn.shape[0], targets=t) - gp._y_mean) / gp._y_std
    nv = new_noise(noise_var, Xn.shape[0], gp.noise_, gp._y_std)
    y_all = np.concatenate([gp.y_train_, yn])
    noise_all = np.concatenate([gp.noise_var_, nv])
    refit = False
    if gp._cg is not None:
        drawn = _draws_state(gp._cg.rng)  # extended draws probes from the kept generator
        try:
            with np.errstate(all="ignore"):
                state = gp._cg.extended(Xn, yn, noise_all)
            check_finite_fit(state.alpha, state.lml, yn, gp._y_mean, gp._y_std, "y_new")
        except BaseException:  # refused: the next update draws what it would have
            _draws_state(gp._cg.rng, drawn)
            raise
        gp._cg, gp.alpha_, gp.log_marginal_likelihood_value_ = state, state.alpha, state.lml
        gp.solver_info_ = state.info
    else:
        B = np.asarray(gp.kernel_(gp.X_train_, Xn))  # (n, k)
        C = np.array(gp.kernel_(Xn), dtype=np.float64, order="C")  # (k, k)
        C[np.diag_indices_from(C)] += nv + gp.jitter_
        blocks = extend_factor(gp.L_, B, C)
        refit = blocks is None
        if blocks is not None:
            L, L12, L22 = blocks
            alpha, lml = solve(L, y_all, yn, gp._y_mean, gp._y_std)
            if gp.jitter_ == 0:  # a jittered fit has warned already, as a refit would
                _check_extended(gp, Xn, nv, L)
            gp._Linv = None if gp._Linv is None else extend_inverse(gp._Linv, L12, L22)
            gp.L_, gp.alpha_, gp.log_marginal_likelihood_value_ = L, alpha, lml
    gp.X_train_ = np.vstack([gp.X_train_, Xn])
    gp.y_train_ = y_all
    gp.noise_var_ = noise_all
    if refit:  # near-duplicate points: the whole diagonal jittered, as a refit would
        factorise(gp, check=False)  # warns with the jitter, as fit does; checked here
        check_finite_fit(
            gp.alpha_, gp.log_marginal_likelihood_value_, yn, gp._y_mean, gp._y_std, "y_new"
        )
    return gp


def prior_mean(mean, y_mean):
    """``recentre``'s ``mean``: a number, or one per target (``y_mean``'s shape ``(t,)``)."""
    m = as_float_array(mean, "mean")
    if m.ndim == 0 or (m.size == 1 and np.ndim(y_mean) == 0):
        return float(m.reshape(-1)[0]) + np.zeros(np.shape(y_mean))
    if m.shape != np.shape(y_mean):
        rule = (
            "must be one number (the model has one target)"
            if np.ndim(y_mean) == 0
            else f"must be one number or one per target ({len(y_mean)})"
        )
        raise error("mean", rule, f"shape {m.shape}", "pass a float, or one per target")
    return m


def recentre(gp, mean):
    """:meth:`GaussianProcess.recentre`: the GLS mean from ``K^-1 1`` (a Cholesky solve,
    or CG under ``solver="cg"``), then ``alpha`` and the likelihood for the shifted y."""
    engine = engines.current()
    cg = gp._cg
    if mean is None:
        ones = np.ones(gp.y_train_.shape[0])
        a = cg.solve(ones[:, None])[:, 0] if cg is not None else engine.cho_solve(gp.L_, ones)
        shift = (a @ gp.y_train_) / float(a.sum())
    else:
        shift = (prior_mean(mean, gp._y_mean) - gp._y_mean) / gp._y_std
    gp._y_mean = gp._y_mean + shift * gp._y_std
    gp.y_train_ = gp.y_train_ - shift
    if cg is not None:
        gp.alpha_, gp.log_marginal_likelihood_value_ = cg.recentred(gp.y_train_)
        cg.alpha, cg.y, cg.lml = gp.alpha_, gp.y_train_, gp.log_marginal_likelihood_value_
        return gp
    gp.alpha_ = engine.cho_solve(gp.L_, gp.y_train_)
    gp.log_marginal_likelihood_value_ = lml_from_factor(gp.L_, gp.alpha_, gp.y_train_)
    return gp
