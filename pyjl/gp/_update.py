"""Incremental-update helpers of :class:`~pyjl.gp.GaussianProcess`: the noise variances
of new points and the Cholesky factor (and its cached inverse) extended by them.

With ``K = L L'`` factorised, adding ``k`` points with cross-covariance ``B = k(X, X_new)``
``(n, k)`` and ``C = k(X_new) + diag(noise)`` ``(k, k)`` gives the factor

    [[L, 0], [L12', L22]],   L12 = L^{-1} B,   L22 L22' = C - L12' L12,

in ``O(n^2 k)`` instead of ``O((n + k)^3)``.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.linalg import solve_triangular

from .. import engines
from .._validate import error
from ..exceptions import NumericalWarning
from ._checks import as_float_array, as_targets
from .likelihood import factor, lml_from_factor


def new_noise(noise_var, k: int, noise_, y_std: float) -> np.ndarray:
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
    L L'``), with a :class:`~pyjl.exceptions.NumericalWarning` when ``L22`` needs jitter."""
    L12 = solve_triangular(L, B, lower=True, check_finite=False)
    L22, jit = factor(np.ascontiguousarray(C - L12.T @ L12), engines.current())
    if jit > 0:
        warnings.warn(
            f"a new point nearly duplicates the training set; added jitter {jit:.3g}",
            NumericalWarning,
            stacklevel=3,
        )
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
    if not (np.all(np.isfinite(alpha)) and np.isfinite(lml)):
        big = float(np.max(np.abs(yn * y_std + y_mean)))
        raise error(
            "y_new",
            "must be on a scale where K^-1 y stays finite (float64)",
            f"max |y_new| = {big:.3g}",
            "rescale y (fit on data in sensible units, or with normalize_y=True)",
        )
    return alpha, lml
