"""Prediction helpers of :class:`~pyjl.gp.GaussianProcess`: the prior before ``fit``,
the moments of a Cholesky fit (the posterior mean and variance over row blocks, whitening
by the cached inverse Cholesky factor), the size check of ``sample_y`` and outputs that
mirror the input.

The estimator calls these as plain functions; the formulas are in
:mod:`pyjl.gp.regression`.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import blas, solve_triangular

from .._validate import check_feature_names, describe, error
from .._warn import warn
from ..exceptions import NumericalWarning, UndefinedMetricWarning
from ._checks import as_points, as_targets
from .interface import returns_new_arrays

#: The most values ``sample_y`` returns at once (2**34 float64 values: 128 GiB).
MAX_DRAWS = 2**34
#: Kernel values per block of prediction rows (2 MiB of float64) and the fewest rows per
#: block.  The ``trmm`` of ``predict(return_std=True)`` takes larger blocks (16 MiB, at
#: least a thousand rows): OpenBLAS runs it fastest with a thousand or more right-hand
#: sides per call, and each call wakes its threads.
_BLOCK = 1 << 18
_MIN_ROWS = 64
_BLOCK_TRMM = 1 << 21
_MIN_ROWS_TRMM = 1024


def origin(X):
    """The data layer's description of a non-NumPy input (None for NumPy and lists)."""
    if isinstance(X, (np.ndarray, list, tuple)):
        return None
    try:
        from ..data import origin
    except ImportError:  # pragma: no cover - the data layer ships with pyjl
        return None
    return origin(X)


def restore_outputs(out, kind, return_std, targets=None):
    """``predict``'s outputs in the container ``kind`` describes: pandas Series (and a
    covariance DataFrame) on its index, Arrow arrays (and a covariance Table) for Arrow.
    Several targets (``targets``: their labels): the mean and std as DataFrames or Arrow
    tables with a column per target; the ``(m, m, t)`` covariance stays a NumPy array."""
    from ..data import restore

    if targets is not None:
        if not isinstance(out, tuple):
            return restore(out, kind, columns=targets)
        mean, second = out
        second = restore(second, kind, columns=targets) if return_std else second
        return restore(mean, kind, columns=targets), second
    if not isinstance(out, tuple):
        return restore(out, kind, name="mean")
    mean, second = out
    if return_std:
        return restore(mean, kind, name="mean"), restore(second, kind, name="std")
    # the covariance's columns are the points, as its rows are (Arrow: their positions)
    points = kind.index if kind.kind in ("series", "dataframe") else range(len(mean))
    return restore(mean, kind, name="mean"), restore(second, kind, columns=points)


def check_exclusive(return_std: bool, return_cov: bool) -> None:
    """Refuse ``return_std`` together with ``return_cov``."""
    if return_std and return_cov:
        raise error(
            "return_std",
            "must be False when return_cov=True (they are exclusive)",
            "return_std=True and return_cov=True",
            "pick one",
        )


def check_include_noise(include_noise: bool, noise_) -> None:
    """Refuse ``include_noise`` for a model fitted with known noise (``noise_`` None)."""
    if include_noise and noise_ is None:
        raise error(
            "include_noise",
            "must be False for a model fitted with known "
            "per-point noise_var (the noise at new points is unknown)",
            "True",
            "predict with include_noise=False and add the noise yourself",
        )


def prior_moments(kernel, noise, X, return_std, return_cov, include_noise, n_targets=None):
    """The moments of an unfitted model at ``X``: zero mean, ``kernel``'s (co)variance;
    for ``n_targets > 1`` each repeated along a last axis of that length, as
    scikit-learn's."""
    Xs = as_points(X, "X")
    t = 1 if n_targets is None else int(n_targets)
    mean = np.zeros(Xs.shape[0]) if t == 1 else np.zeros((Xs.shape[0], t))
    if not (return_cov or return_std):
        return mean
    if return_cov:
        spread = np.asarray(kernel(Xs)) + (noise * np.eye(len(Xs)) if include_noise else 0.0)
    else:
        spread = np.sqrt(np.asarray(kernel.diag(Xs)) + (noise if include_noise else 0.0))
    return mean, spread if t == 1 else np.repeat(spread[..., None], t, axis=-1)


def inverse_factor(L):
    """``L^{-1}`` of the lower-triangular ``L``, in Fortran order (what ``trmm`` takes)."""
    return np.asfortranarray(solve_triangular(L, np.eye(len(L)), lower=True, check_finite=False))


def whiten(Ks, Linv, owned=False):
    """``Ks L^{-T}`` as ``(m, n)`` (C order) from ``Linv = L^{-1}``: one BLAS ``trmm`` on
    ``Ks^T`` (``Ks`` C-contiguous is ``Ks^T`` in Fortran order), in place when ``owned``
    (``Ks`` is a scratch array of ours), else on a copy."""
    if not (owned and Ks.dtype == np.float64 and Ks.flags.c_contiguous and Ks.flags.writeable):
        Ks = np.array(Ks, dtype=np.float64, order="C")
    if Ks.shape[0] == 0:
        return Ks
    if Linv.flags.f_contiguous:
        out = blas.dtrmm(1.0, Linv, Ks.T, lower=1, overwrite_b=1)
    else:  # a C-ordered L^{-1} is an upper-triangular Fortran array: L^{-1} = (Li.T)^T
        out = blas.dtrmm(1.0, Linv.T, Ks.T, lower=0, trans_a=1, overwrite_b=1)
    return out.T


def blocks(kernel, Xs, X_train, alpha, Linv=None):
    """``(Ks alpha, rowsum((Ks L^{-T})^2))`` over row blocks of ``Ks = kernel(Xs, X_train)``.

    A block holds about :data:`_BLOCK` kernel values (a few MiB, cache sized), so no
    ``(m, n)`` matrix is formed; ``quad`` is ``None`` unless ``Linv`` (``L^{-1}``) is given."""
    want_quad = Linv is not None
    m, n = Xs.shape[0], X_train.shape[0]
    rows = (
        max(_MIN_ROWS_TRMM, _BLOCK_TRMM // max(n, 1))
        if want_quad
        else max(_MIN_ROWS, _BLOCK // max(n, 1))
    )
    rows = int(min(max(m, 1), rows))
    mean = np.empty((m,) + alpha.shape[1:])
    quad = np.empty(m) if want_quad else None
    fresh = returns_new_arrays(kernel)
    for s in range(0, m, rows):
        Kb = np.asarray(kernel(Xs[s : s + rows], X_train), dtype=np.float64)
        # einsum's own loop, not a threaded BLAS gemv: a matrix-vector product this
        # small gains nothing from threads, and waking BLAS's workers after each block
        # (while the kernel's OpenMP workers go to sleep) costs more than the product
        if alpha.ndim == 1:
            np.einsum("ij,j->i", Kb, alpha, out=mean[s : s + rows])
        else:  # several targets: a matrix product
            np.matmul(Kb, alpha, out=mean[s : s + rows])
        if want_quad:
            V = whiten(Kb, Linv, owned=fresh)
            np.einsum("ij,ij->i", V, V, out=quad[s : s + rows])
    return mean, quad


def exact_moments(gp, Xs, return_std: bool, return_cov: bool, extra: float):
    """The posterior mean ``(m,)`` at ``Xs`` of a Cholesky-fitted ``gp``, in the units of
    ``y``, with the std ``(m,)`` (``return_std``) or covariance ``(m, m)``
    (``return_cov``); ``extra``: noise added to them.  With ``t`` targets: ``(m, t)``,
    ``(m, t)`` and ``(m, m, t)``, the model's covariance in each target's units.
    ``gp``'s ``L^{-1}`` is computed on first use and kept until a refit."""
    if return_cov:
        cov, Ks = model_covariance(gp, Xs, extra)
        mean = Ks @ gp.alpha_ * gp._y_std + gp._y_mean
        return mean, target_units(cov, gp._y_std**2)
    Linv = _inverse(gp) if return_std and len(Xs) else None
    mean, quad = blocks(gp.kernel_, Xs, gp.X_train_, gp.alpha_, Linv)
    mean *= gp._y_std
    mean += gp._y_mean
    if not return_std:
        return mean
    var = np.asarray(gp.kernel_.diag(Xs), dtype=np.float64) + extra
    if quad is not None:  # None for no points: nothing to subtract
        var -= quad
    return mean, target_units(np.sqrt(clip(var)), gp._y_std)


def model_covariance(gp, Xs, extra: float) -> tuple[np.ndarray, np.ndarray]:
    """``(cov, Ks)``: the posterior covariance ``(m, m)`` at ``Xs`` in model units
    (``extra`` on its diagonal) and the cross-covariance ``Ks = k(Xs, X_train_)``."""
    Ks = np.asarray(gp.kernel_(Xs, gp.X_train_))
    V = whiten(Ks, _inverse(gp))  # (m, n): Ks L^{-T}, on a copy
    cov = np.asarray(gp.kernel_(Xs)) - V @ V.T
    cov[np.diag_indices_from(cov)] += extra
    return cov, Ks


def target_units(value: np.ndarray, scale) -> np.ndarray:
    """``value`` (model units) times ``scale``: one number, or one per target ``(t,)``,
    which adds a last axis (scikit-learn's layout of several targets' moments)."""
    if np.ndim(scale) == 0:
        return value * scale
    return value[..., None] * scale


def _inverse(gp):
    """``gp.L_^{-1}`` (Fortran order), kept as ``gp._Linv`` until a refit."""
    if gp._Linv is None:
        gp._Linv = inverse_factor(gp.L_)
    return gp._Linv


def clip(var, what: str = "predicted variances"):
    """``var`` with negative values set to 0, warning (at the user's call) when they are
    not round-off (``what``: the values, for the message)."""
    bad = var < 0
    if np.any(bad):
        if np.min(var) < -1e-8 * max(1.0, float(np.max(np.abs(var)))):
            warn(f"{what} below 0 were set to 0 (ill-conditioned kernel matrix)", NumericalWarning)
        var = np.where(bad, 0.0, var)
    return var


def covariance_root(cov: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """``R`` ``(m, m)`` with ``R R^T = cov``, for draws ``mean + R z`` of a posterior
    covariance ``cov``: its Cholesky factor, or, where rounding leaves ``cov`` slightly
    indefinite, ``V sqrt(max(w, 0))`` from ``cov = V diag(w) V^T`` (scikit-learn draws by
    an SVD alike).  A posterior covariance is positive semi-definite, but at or near the
    training points of a (nearly) noiseless fit it is a rounding error of the prior's,
    which no jitter relative to its own diagonal can cover.  ``scale``: ``cov``'s units
    over the model's (``y_std**2``), in which :func:`clip` judges the eigenvalues below 0.

    Examples
    --------
    >>> cov = np.array([[1.0, 1.0], [1.0, 1.0 - 1e-16]])  # PSD up to rounding
    >>> R = covariance_root(cov)
    >>> bool(np.allclose(R @ R.T, cov))
    True
    """
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:  # indefinite by rounding
        pass
    w, V = np.linalg.eigh(cov)
    w = clip(w / scale, "eigenvalues of the posterior covariance") * scale
    return V * np.sqrt(w)


def check_draws(m: int, n_samples: int) -> None:
    """Refuse more than :data:`MAX_DRAWS` values from ``sample_y``."""
    if m * n_samples > MAX_DRAWS:
        raise error(
            "n_samples",
            f"must keep the {m} x n_samples draws within {MAX_DRAWS:.3g} values (float64 memory)",
            describe(n_samples),
            f"draw in batches of at most {max(1, MAX_DRAWS // max(m, 1))}",
        )


def sample(gp, X, n_samples: int, rng) -> np.ndarray:
    """``sample_y``'s draws at ``X`` from ``gp`` (its prior before ``fit``)."""
    if not hasattr(gp, "alpha_"):
        mean, cov = gp._predict(X, False, True, False)
        if mean.ndim == 2:  # n_targets > 1: one covariance for every target
            return draws(mean, cov[:, :, 0], np.ones(mean.shape[1]), n_samples, rng)
        return draws(mean, cov, 1.0, n_samples, rng)
    check_feature_names(getattr(gp, "feature_names_in_", None), X, "X")
    Xs = as_points(X, "X", gp.X_train_.shape[1])
    if gp._cg is not None:  # in model units: one root for every target
        mean, cov = gp._cg.predict(Xs, "cov")
    else:
        cov, mean = model_covariance(gp, Xs, 0.0)
        mean = mean @ gp.alpha_
    return draws(mean * gp._y_std + gp._y_mean, cov, gp._y_std, n_samples, rng)


def draws(mean, cov, sd, n_samples: int, rng) -> np.ndarray:
    """``n_samples`` draws ``mean + sd R z``, ``R R^T = cov`` (:func:`covariance_root`):
    ``(m, n_samples)`` for ``mean (m,)``, or ``(m, t, n_samples)`` for ``t`` targets'
    ``mean (m, t)`` and standard deviations ``sd (t,)``; ``cov (m, m)`` in model units,
    ``sd`` the units of ``y`` over the model's."""
    m, t = mean.shape[0], 1 if mean.ndim == 1 else mean.shape[1]
    check_draws(m * t, n_samples)
    if mean.ndim == 1:  # factorised in y's units
        R = covariance_root(cov * sd**2, sd**2)
        return mean[:, None] + R @ rng.standard_normal((m, n_samples))
    R = covariance_root(cov)
    out = (R @ rng.standard_normal((m, t * n_samples))).reshape(m, t, n_samples)
    out *= np.asarray(sd)[:, None]
    out += mean[:, :, None]
    return out


def r2(mu: np.ndarray, y, sample_weight=None) -> float:
    """scikit-learn's ``R^2`` of the predictions ``mu`` against ``y``, weighted: ``1 - sum
    w (y - mu)^2 / sum w (y - ybar_w)^2``, and for a constant ``y`` 1.0 when predicted
    exactly, else 0.0; NaN with an :class:`~pyjl.exceptions.UndefinedMetricWarning` for
    fewer than two rows; for several targets ``(m, t)`` the mean of theirs
    (scikit-learn's ``multioutput="uniform_average"``)."""
    if mu.shape[0] == 0:  # scikit-learn: "Found array with 0 sample(s)"
        raise error("X", "must have at least one row to score", "0 rows", "pass points to score")
    y = as_targets(y, "y", mu.shape[0], targets=1 if mu.ndim == 1 else mu.shape[1])
    w = np.ones(y.shape[0])
    if sample_weight is not None:
        w = as_targets(sample_weight, "sample_weight", y.shape[0])
    if y.shape[0] < 2:  # scikit-learn's r2_score: NaN, and says why (lengths checked first)
        warn(
            "R^2 score is not well-defined with less than two samples: score returns "
            "NaN; score at least two points",
            UndefinedMetricWarning,
        )
        return float("nan")
    if sample_weight is not None:
        if np.any(w < 0) or not np.any(w > 0):
            raise error(
                "sample_weight",
                "must be >= 0 with at least one > 0",
                f"min {w.min():g}, max {w.max():g}",
                "pass non-negative weights, not all zero",
            )
    if y.ndim == 2:
        return float(np.mean([r2(mu[:, j], y[:, j], w) for j in range(y.shape[1])]))
    resid = float(np.sum(w * (y - mu) ** 2))
    spread = float(np.sum(w * (y - np.average(y, weights=w)) ** 2))
    if spread == 0.0:
        return 1.0 if resid == 0.0 else 0.0
    return 1.0 - resid / spread
