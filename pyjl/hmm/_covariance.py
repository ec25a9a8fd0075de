"""The four covariance types of :class:`~pyjl.hmm.MvNormal`, in hmmlearn's ``covars_`` layout.

``"full"`` ``(K, d, d)``, ``"diag"`` ``(K, d)``, ``"spherical"`` ``(K,)``, ``"tied"``
``(d, d)`` (one matrix shared by all states).  These helpers expand a layout to full
matrices, check matrices, count free parameters, lift a singular matrix's eigenvalues
and evaluate the full/tied Gaussian density; :class:`MvNormal` holds the state and the
EM updates.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.linalg import cholesky, solve_triangular

from .._validate import error

TYPES = ("full", "diag", "spherical", "tied")
_LOG2PI = np.log(2.0 * np.pi)


def full_covs(c: np.ndarray, covariance_type: str, K: int, d: int, name: str = "cov") -> Any:
    """Every state's covariance as ``(K, d, d)``, after checking the layout's shape (the
    error names ``name``)."""
    want = {"full": (K, d, d), "diag": (K, d), "spherical": (K,), "tied": (d, d)}
    if c.shape != want[covariance_type]:
        raise error(
            name,
            f"must have shape {want[covariance_type]} for covariance_type={covariance_type!r} "
            f"and {K} state(s) of {d} feature(s) (the means' shape ({K}, {d}))",
            f"shape {c.shape}",
            f"pass one variance per state, e.g. {name.rsplit('.', 1)[-1]}.reshape({K})"
            if covariance_type == "spherical" and c.size == K
            else "use hmmlearn's covars_ layout for that covariance_type",
        )
    if covariance_type == "full":
        return c
    if covariance_type == "tied":
        return np.broadcast_to(c, (K, d, d))
    v = c if covariance_type == "diag" else np.repeat(c[:, None], d, 1)
    return np.einsum("ki,ij->kij", v, np.eye(d))


def check_matrices(c: np.ndarray, covariance_type: str, name: str) -> None:
    """Each matrix of a ``"full"`` or ``"tied"`` ``c`` must be symmetric positive definite;
    the error names the matrix (``emission.cov[1]``)."""
    for k, C in enumerate(c[None] if covariance_type == "tied" else c):
        where = f"{name}.cov" + ("" if covariance_type == "tied" else f"[{k}]")
        gap = np.abs(C - C.T)
        if gap.max() > 1e-10 * max(np.abs(C).max(), 1e-300):
            i, j = np.unravel_index(int(gap.argmax()), C.shape)
            raise error(
                where,
                "must be symmetric",
                f"[{i}, {j}] = {C[i, j]!r} but [{j}, {i}] = {C[j, i]!r}",
                "pass (C + C.T) / 2",
            )
        try:
            cholesky(C, lower=True)
        except np.linalg.LinAlgError:
            raise error(
                where,
                "must be positive definite",
                f"a smallest eigenvalue of {float(np.linalg.eigvalsh(C)[0])!r}",
                "pass a valid covariance matrix (for example add min_covar * np.eye(d))",
            ) from None


def n_cov_parameters(covariance_type: str, K: int, d: int) -> int:
    """Free scalar parameters of the covariances of ``K`` states in ``d`` dimensions."""
    return {
        "full": K * d * (d + 1) // 2,
        "diag": K * d,
        "spherical": K,
        "tied": d * (d + 1) // 2,
    }[covariance_type]


def full_loglik(x: np.ndarray, m: np.ndarray, covs: np.ndarray, tied: bool) -> np.ndarray:
    """``(T, K)`` Gaussian log-densities of ``x`` ``(T, d)`` under means ``m`` ``(K, d)`` and
    covariances ``covs`` ``(K, d, d)`` (``tied``: one Cholesky factor serves every state).

    The Mahalanobis term of state ``k`` is ``|L_k^{-1} (x - m_k)|^2`` from the differences
    (not expanded into ``|L^{-1} x|^2 - 2 ... + |L^{-1} m_k|^2``, which cancels
    catastrophically when the means are far apart relative to the spread)."""
    K, d = m.shape
    out = np.empty((x.shape[0], K))
    for k in range(K):
        if k == 0 or not tied:
            L = cholesky(covs[k], lower=True)
            const = 2.0 * np.log(np.diag(L)).sum() + d * _LOG2PI
        z = solve_triangular(L, (x - m[k]).T, lower=True, check_finite=False)
        q = (z * z).sum(0)
        lost = np.isnan(q)
        if lost.any():
            # a row whose whitened coordinate passed the largest float (inf, and the
            # substitution after it 0 * inf = nan), or an infinite one, is farther than any
            # float: density 0, as under a diagonal covariance; a NaN row stays NaN
            q[lost & ~np.isnan(x).any(1)] = np.inf
        out[:, k] = q + const
    out *= -0.5
    return out


def initial(cv: np.ndarray, covariance_type: str, n_states: int) -> Any:
    """The pooled covariance ``cv`` ``(d, d)`` given to every state, in the type's layout."""
    return {
        "full": np.repeat(cv[None], n_states, 0),
        "diag": np.repeat(np.diag(cv)[None], n_states, 0),
        "spherical": np.full(n_states, np.diag(cv).mean()),
        "tied": cv,
    }[covariance_type]


def floor_eig(C: np.ndarray, floor: float) -> Any:
    """Symmetrise ``C``; if it is singular to rounding (its smallest eigenvalue at most
    ``8 d eps`` of its largest: a state collapsed onto a subspace, possible without the
    covariance prior), lift its eigenvalues to at least ``floor`` (``min_covar``)."""
    C = 0.5 * (C + C.T)
    w = np.linalg.eigvalsh(C)
    if not w[0] > 8.0 * C.shape[0] * np.finfo(np.float64).eps * abs(w[-1]):
        C = C + (floor - w[0]) * np.eye(C.shape[0])
    return C
