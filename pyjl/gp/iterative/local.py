"""Predictive variances from local neighbourhoods: where the low-rank cache cannot hold.

A test point ``x*`` is conditioned on the ``m`` training points most correlated with it,
``N``::

    var_m(x*) = k(x*, x*) - k_N^T (K_NN + diag(noise_N))^-1 k_N.

Conditioning on a subset of the data never lowers a Gaussian's variance, so
``var_m(x*) >= var(x*)`` exactly, and ``var_m`` falls to ``var`` as ``N`` grows: the error
is one-sided, and any superset of ``N`` is at least as close.  The neighbours are the
largest squared correlations ``k(x*, x_i)^2 / (k(x*, x*) k(x_i, x_i))`` -- the rows of
``k(X*, X)`` that the predictive mean needs anyway -- not the nearest points in space:
correlation is what screens a point from the rest of the data, and it is defined for any
kernel (sums, products, periodic and non-stationary kernels, where the nearest points in
space need not be the most informative).  This is the ordering of correlation-based
Vecchia approximations (Kang & Katzfuss 2023, "Correlation-based sparse inverse Cholesky
factorization for fast Gaussian-process inference").

Nearby test points share most of their neighbours, so they share one factorisation: test
points are grouped around seeds (each group the unassigned points most correlated with its
seed), a group conditions on the union of its points' neighbour sets, factorised once,
and each point then costs one triangular solve.  Sharing pays while the union's
factorisation costs less than the group's points factorising their own neighbours
(``u^3 <= k m^3`` for ``k`` points of union ``u``): in few dimensions a group of
:data:`LOCAL_BLOCK` nearby points shares a union of a few ``m``, in more the union grows
as the ``d``-th power of the group's spread.  A group that costs more (or whose factor
would exceed :data:`LOCAL_ENTRIES`) is split in two around two far-apart points until it
pays, down to single points, which factorise their own ``m`` neighbours; so every point
conditions on a superset of its own ``m`` neighbours: the variance of a point computed
from its own ``m`` neighbours alone bounds the error of every point's variance in its
group, and that is what :meth:`LocalVariances.check` compares with the exact solves.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import LinAlgError, cholesky, solve_triangular

from ..._warn import warn
from ...exceptions import NumericalWarning
from ..interface import writable
from ..likelihood import JITTERS, blas_threads
from .predict import check_errors

__all__ = ["LOCAL_MAX", "LOCAL_START", "LocalVariances", "neighbours"]

#: The first neighbourhood size tried, doubling on a failed check up to ``LOCAL_MAX`` (and
#: a quarter of the training points; see :meth:`LocalVariances.cap`).
LOCAL_START, LOCAL_MAX = 256, 4096
#: Test points per group, and the most entries of a group's factor (512 MiB of float64).
LOCAL_BLOCK, LOCAL_ENTRIES = 64, 1 << 26


def neighbours(Ks: np.ndarray, train_diag: np.ndarray, m: int) -> np.ndarray:
    """``(k, m)``: each row's ``m`` training points of largest squared correlation.

    ``Ks`` ``(k, n)``: ``k(X*, X)``; ``train_diag`` ``(n,)``: ``k(x_i, x_i)`` (a row's own
    prior variance scales its correlations alike, so it does not change their order).

    Examples
    --------
    >>> import numpy as np
    >>> Ks = np.array([[0.1, 0.9, -0.95, 0.2], [0.5, 0.1, 0.0, 0.4]])
    >>> np.sort(neighbours(Ks, np.ones(4), 2), axis=1)
    array([[1, 2],
           [0, 3]])
    """
    n = Ks.shape[1]
    score = Ks * Ks / np.maximum(train_diag, np.finfo(float).tiny)
    if m >= n:
        return np.broadcast_to(np.arange(n), (Ks.shape[0], n))
    return np.argpartition(-score, m - 1, axis=1)[:, :m]


def conditioned(kernel, X, noise, Ks, prior, idx) -> np.ndarray:
    """``(k,)``: ``k(x*, x*) - k_N^T (K_NN + diag(noise_N))^-1 k_N`` for the rows of
    ``Ks`` ``(k, n)`` (prior variances ``prior``), all conditioned on ``X[idx]``.

    The matrix is factorised in place as the upper factor of its (equal) transpose, which
    is Fortran-ordered: LAPACK then needs no copy of it.  Where it does not factorise
    (noise at round-off against the kernel), the jitter ladder of
    :data:`pyjl.gp.likelihood.JITTERS` adds to the noise, with a
    :class:`~pyjl.NumericalWarning`: more noise conditions less, so the result stays an
    upper bound of the variance (and the check against exact solves still judges it)."""
    err: LinAlgError | None = None
    for rel in JITTERS:
        A = writable(kernel, kernel(X[idx]))
        jitter = rel * float(np.mean(np.diag(A)))
        A[np.diag_indices_from(A)] += noise[idx] + jitter
        try:
            R = cholesky(A.T, lower=False, overwrite_a=True, check_finite=False)
        except LinAlgError as exc:  # the next, larger jitter
            err = exc
            continue
        if rel:
            warn(
                f"a neighbourhood's kernel matrix factorised only with a jitter of {jitter:.3g} "
                "added to its noise; its variances are upper bounds as before",
                NumericalWarning,
            )
        break
    else:
        raise LinAlgError(f"a neighbourhood's kernel matrix does not factorise ({err})")
    W = solve_triangular(R, Ks[:, idx].T, trans=1, check_finite=False)
    return prior - np.einsum("ij,ij->j", W, W)


class LocalVariances:
    """Neighbourhood variances of one fitted state, their ``m`` kept between calls.

    Parameters
    ----------
    kernel : Kernel
        The fitted kernel.
    X : ndarray of shape (n, d)
        The training inputs.
    noise : ndarray of shape (n,)
        The noise variance of each training point.

    Attributes
    ----------
    m : int or None
        The neighbourhood size that last held its check (``None``: none yet).

    Examples
    --------
    >>> import numpy as np
    >>> from pyjl.gp import Matern52
    >>> rng = np.random.default_rng(0)
    >>> X, Xs, k = rng.uniform(0, 1, (600, 2)), rng.uniform(0, 1, (50, 2)), Matern52(0.1)
    >>> local = LocalVariances(k, X, np.full(600, 1e-2))
    >>> Ks, prior = k(Xs, X), k.diag(Xs)
    >>> W = np.linalg.solve(np.linalg.cholesky(k(X) + 1e-2 * np.eye(600)), Ks.T)
    >>> exact = prior - np.einsum("ij,ij->j", W, W)
    >>> local.check(Ks[:8], prior[:8], prior[:8] - exact[:8], cap=512, margin=0.0025)
    True
    >>> var = local.variances(Ks, prior)
    >>> bool(np.all(var >= exact - 1e-12)), bool(np.all(var <= exact * 1.01))
    (True, True)
    """

    def __init__(self, kernel, X: np.ndarray, noise: np.ndarray):
        self.kernel, self.X, self.noise = kernel, X, noise
        self.m: int | None = None
        self._diag: np.ndarray | None = None

    @property
    def train_diag(self) -> np.ndarray:
        """``(n,)``: ``k(x_i, x_i)``, computed once."""
        if self._diag is None:
            self._diag = np.asarray(self.kernel.diag(self.X), dtype=np.float64)
        return self._diag

    def cap(self, n: int, factor_up_to: int) -> int:
        """The largest ``m`` tried for ``n`` training points.

        Up to ``factor_up_to`` points the exact variances come from a kept Cholesky
        factor, ``2 n^2`` per test point, against about ``0.08 m^3`` for a point's share
        of its group's factor (a union of ``2.5 m`` among 64 points): there ``m`` stops at
        ``3 n^(2/3)``, where the two meet.

        Examples
        --------
        >>> lv = LocalVariances(None, None, None)
        >>> lv.cap(2_000, 8_000), lv.cap(8_000, 8_000), lv.cap(20_000, 8_000)
        (477, 1200, 4096)
        """
        cap = min(LOCAL_MAX, n // 4)
        return int(min(cap, 3 * round(n ** (2 / 3))) if n <= factor_up_to else cap)

    def check(self, Kc, prior, exact, cap: int, margin: float) -> bool:
        """Whether some ``m`` up to ``cap`` gives the check rows ``Kc`` ``(c, n)`` their
        variances within ``margin`` of ``prior - exact`` (``exact``: their ``k*^T A^-1
        k*``), each point from its own ``m`` neighbours; ``m`` doubles from the kept one
        (or :data:`LOCAL_START`) and the one that held is kept."""
        m = min(self.m or LOCAL_START, cap)
        while m >= 1:
            with blas_threads(m):
                var = np.array([
                    conditioned(self.kernel, self.X, self.noise, row[None], p[None], idx)[0]
                    for row, p, idx in zip(Kc, prior, neighbours(Kc, self.train_diag, m))
                ])  # fmt: skip
            if np.all(check_errors(prior - var, exact, prior, margin) <= 1.0):
                self.m = m
                return True
            if m >= cap:
                return False
            m = min(2 * m, cap)
        return False

    def groups(self, Xs: np.ndarray) -> list[np.ndarray]:
        """The test points in groups of :data:`LOCAL_BLOCK`: each a seed (the first point
        not yet grouped) and the ungrouped points of largest squared correlation with it."""
        left = np.arange(Xs.shape[0])
        prior = np.maximum(np.asarray(self.kernel.diag(Xs), dtype=np.float64), 1e-300)
        out = []
        while left.size:
            seed = left[0]
            if left.size <= LOCAL_BLOCK:
                out.append(left)
                break
            k = np.asarray(self.kernel(Xs[seed : seed + 1], Xs[left]), dtype=np.float64)[0]
            take = np.argpartition(-(k * k) / prior[left], LOCAL_BLOCK - 1)[:LOCAL_BLOCK]
            mask = np.zeros(left.size, dtype=bool)
            mask[take] = True
            mask[0] = True  # the seed, should ties have left it out
            out.append(left[mask][:LOCAL_BLOCK] if mask.sum() > LOCAL_BLOCK else left[mask])
            left = left[~np.isin(left, out[-1])]
        return out

    def _group(self, Ks: np.ndarray, prior: np.ndarray, m: int) -> np.ndarray:
        """The variances of one group's rows ``Ks``, split while its union is too large."""
        nb = neighbours(Ks, self.train_diag, m)
        union = np.unique(nb)
        u, k = union.size, Ks.shape[0]
        if k == 1 or (u**3 <= k * m**3 and u * u <= LOCAL_ENTRIES):
            return conditioned(self.kernel, self.X, self.noise, Ks, prior, union)
        C = Ks[:, union]  # the rows' cosines on the union: split around two far-apart rows
        C = C / np.maximum(np.linalg.norm(C, axis=1, keepdims=True), np.finfo(float).tiny)
        S = C @ C.T
        side = S[:, int(np.argmin(S[0]))] > S[:, 0]
        if side.all() or not side.any():
            side = np.arange(Ks.shape[0]) >= Ks.shape[0] // 2
        var = np.empty(Ks.shape[0])
        for part in (side, ~side):
            var[part] = self._group(Ks[part], prior[part], m)
        return var

    def variances(self, Ks: np.ndarray, prior: np.ndarray, m: int | None = None) -> np.ndarray:
        """``(k,)``: the variances of the rows ``Ks`` ``(k, n)`` of one group (prior
        variances ``prior``), at the kept ``m`` unless given."""
        m = int(m or self.m or LOCAL_START)
        with blas_threads(m):
            return self._group(Ks, prior, m)
