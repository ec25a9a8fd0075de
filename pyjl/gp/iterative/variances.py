"""Predictive variances under ``solver="cg"``: the variance cache, checked and grown.

Every prediction checks the cache (:class:`~pyjl.gp.iterative.VarianceCache`) on
:data:`CHECK_POINTS` test points against exact solves of those points: the points where
the cache says the data reduce the variance most, and a spread of others
(:func:`~pyjl.gp.iterative.predict.check_rows`); a cache variance below 0 or above the
prior is wrong at its point whatever the check found, and is solved exactly.  Where a
point is off by more than :data:`VAR_RTOL` of its variance, the cache grows and is
checked again against the same solves, doubling until it holds (with the margin
:data:`GROW_TO`) or reaches :data:`CACHE_ENTRIES`; then the grown cache picks its own
check points, solved exactly in turn, until a check grows nothing (a small cache may rate
as well known the very points it is most wrong at).  The grown cache is kept for later
calls (whose check still runs).

The growth order -- first the pivoted Cholesky's columns, then the Lanczos vectors -- is
by cost.  Per float64 held, both parts shrink the error about alike (docs/gp.md), but a
pivoted column costs one kernel row and ``O(n rank)`` BLAS-3 work, where a Lanczos block
costs a product with ``A`` (``n^2`` kernel entries): at ``n`` in the 10,000s the columns
are the cheaper by the factor ``n / rank``.  The columns stop growing once they resolve
the kernel (its remaining trace below :data:`CACHE_TRACE` of the noise: then ``P`` is
``A`` to within that), past which only the Lanczos vectors can add.

Where the cache cannot hold within the cap (a kernel of high numerical rank against a
small noise; up to ``factor_up_to`` points the cap is ``n / 4`` columns, where the exact
factor becomes the cheaper per test point), the variances of the call come from local
neighbourhoods (:mod:`pyjl.gp.iterative.local`: each test point conditioned on its ``m``
most correlated training points, an upper bound that falls to the variance as ``m``
grows), checked on the same points against the same exact solves, ``m`` doubling until it
holds with the margin :data:`GROW_TO` or reaches its cap; the ``m`` that held is kept for
later calls (covariances, ``return_cov=True``, skip this path).  Where that cannot hold
either, every variance of the call comes from exact solves: by a kept Cholesky factor up
to ``factor_up_to`` training points, above by block CG preconditioned with the grown cache
(``P^-1`` plus the Lanczos part: a deflated preconditioner) and started from the cache's
own ``C k*``, so the solves start where the cache left off; each variance is solved until
a bound on its error is within its share (:meth:`Variances.quads`).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_triangular

from ... import engines
from ..._threads import thread_limit
from ..._warn import warn
from ...exceptions import NumericalWarning
from ..interface import writable
from ..likelihood import blas_threads
from .cg import mbcg
from .local import LocalVariances
from .operator import KernelOperator
from .pivoted_cholesky import Preconditioner, pivoted
from .predict import VarianceCache, check_errors, check_rows, implausible

__all__ = ["CACHE_ENTRIES", "CHECK_POINTS", "VAR_BLOCK", "VAR_RTOL", "Variances"]

#: Columns per block Lanczos step of the variance cache, and its starting Lanczos vectors.
CACHE_BLOCK, CACHE_LANCZOS = 10, 50
#: The variance cache's pivoted Cholesky stops once the trace it leaves out is below this
#: fraction of the smallest noise variance (then ``P`` is within that of ``A``).
CACHE_TRACE = 1e-3
#: The grown cache's size cap: ``n`` times its columns (pivots plus Lanczos vectors) at
#: most this many entries (256 MiB of float64 per factor, as the preconditioner's cap).
CACHE_ENTRIES = 1 << 25
#: Every prediction checks the variance cache on this many test points against exact
#: solves (the points where the data reduce the variance most, and a spread of others:
#: :func:`~pyjl.gp.iterative.predict.check_rows`); a point off by more than ``VAR_RTOL``
#: of its variance (plus ``1e-9`` of the prior variance) grows the cache, and past the cap
#: sends all points of that call to exact solves, ``VAR_BLOCK`` columns at a time.
CHECK_POINTS, VAR_RTOL, VAR_BLOCK = 8, 1e-2, 64
#: Exact solves by the kept factor do not warn while the call's test points times
#: ``n^2`` stay within this many multiply-adds (a few seconds): the factor already exists
#: for the check, and its variances are exact.
EXACT_CHEAP = 1 << 34
#: A cache that fails its check grows until the checked points are within this fraction
#: of ``VAR_RTOL`` (or the cap), so that the test points between them hold too.
GROW_TO = 0.25
#: Kernel values per block of test rows (16 MiB) and the fewest rows per block: the
#: variance cache multiplies each block by ``(n, rank)`` factors, and BLAS runs such
#: products fastest with hundreds of rows or more per call.
_ROWS, _MIN_ROWS = 1 << 21, 128
#: Test points per block of exact solves by the kept factor (a (n, rows) triangular solve).
_FACTOR_ROWS = 1024
#: The most CG runs per block of exact solves (each from where the last stopped), and the
#: least relative residual asked (about what float64 residuals can show).
_ROUNDS, _TOL_FLOOR = 4, 1e-12


def next_size(p: int, r: int, n: int, *, resolved: bool, exhausted: bool, cap: int):
    """``(pivots, lanczos)`` of the next cache after ``(p, r)``, or ``None`` at the cap.

    Pivots double first (to ``n``, or until they resolve the kernel), then the Lanczos
    vectors (until the Krylov space ends); ``n (pivots + lanczos) <= cap`` throughout.

    Examples
    --------
    >>> next_size(256, 50, 20_000, resolved=False, exhausted=False, cap=1 << 25)
    (512, 50)
    >>> next_size(1024, 50, 20_000, resolved=False, exhausted=False, cap=1 << 25)
    (1627, 50)
    >>> next_size(300, 50, 20_000, resolved=True, exhausted=False, cap=1 << 25)
    (300, 100)
    >>> next_size(1627, 50, 20_000, resolved=False, exhausted=False, cap=1 << 25) is None
    True
    """
    room = cap // max(n, 1)
    if not resolved and p < n:
        p2 = min(n, max(2 * p, 2 * CACHE_BLOCK), room - r)
        if p2 > p:
            return p2, r
    if not exhausted:
        r2 = min(max(2 * r, CACHE_BLOCK), n - p, room - p)
        if r2 > r:
            return p, r2
    return None


class Variances:
    """The variance cache of a fitted state, grown where its check fails.

    Parameters
    ----------
    op : KernelOperator
        ``A = K + noise`` at the fitted hyperparameters.
    P : Preconditioner
        The fit's preconditioner (its leading columns start the cache).
    start : ndarray of shape (n, CACHE_BLOCK)
        The standard normal draws starting the cache's Krylov space.
    pred_rank : int
        The starting cache's most pivoted-Cholesky columns.
    settings : Settings
        The solver's settings (``cg_tol``, ``max_cg_iter``).
    factor_up_to : int
        Exact solves by a Cholesky factor up to this many training points, by CG above.
    warn : callable
        ``warn(CGResult)``: the caller's warning for a CG run that did not converge.
    tol : float
        The relative residual of the exact solves.

    Attributes
    ----------
    cache : VarianceCache
        The cache now in use (grown by :meth:`holds`).
    info : dict
        ``"pred_rank"`` (the cache's pivots plus Lanczos vectors) and, after a check,
        ``"variance_path"`` (``"cache"``, ``"local"`` for neighbourhood variances, then
        ``"local_neighbours"``: the ``m`` kept, or ``"cg"`` for exact solves).
    """

    def __init__(self, op, P, start, pred_rank, settings, factor_up_to, warn, tol):
        self.kernel, self.X, self.noise = op.kernel, op.X, op.noise
        self.start, self.settings, self.tol = start, settings, tol
        self.factor_up_to, self.warn = factor_up_to, warn
        self.precond_rank, self.pivots = P.rank, P.pivots
        self.lanczos, self.resolved, self._warned = CACHE_LANCZOS, False, False
        self._factor = self._fit_P = None  # the fit's preconditioner: kept during a call
        if pred_rank <= P.rank:  # the leading pivots: the pivoted Cholesky of that rank
            P = P if pred_rank == P.rank else Preconditioner(P.L[:, :pred_rank].copy(), P.D)
        else:
            P = self._preconditioner(op, pred_rank)
        self.cache = VarianceCache(op, P, self.lanczos, start)
        self.local = LocalVariances(self.kernel, self.X, self.noise)
        self.info = {"pred_rank": self.cache.n_pivots + self.cache.rank}

    @property
    def by_factor(self) -> bool:
        """Whether exact solves come from a kept Cholesky factor (up to ``factor_up_to``
        training points), else from CG."""
        return bool(self.X.shape[0] <= self.factor_up_to)

    def __getstate__(self) -> dict:
        """The state without the kept exact factor (``8 n^2`` bytes: a pickled model
        makes it again when a prediction needs it)."""
        return {**self.__dict__, "_factor": None}

    def _preconditioner(self, op, rank: int, search: bool = True) -> Preconditioner:
        """The pivoted Cholesky of ``rank`` columns on the fit's pivots, searched on past
        them (``search``) until it resolves the kernel (then :attr:`resolved`)."""
        if not search:
            L, _ = pivoted(op.kernel_diag(), op.kernel_rows, rank, order=self.pivots)
            return Preconditioner(L, op.noise)
        L, piv = pivoted(
            op.kernel_diag(), op.kernel_rows, rank,
            abs_tol=CACHE_TRACE * float(np.min(op.noise)), order=self.pivots,
        )  # fmt: skip
        if piv.size > (0 if self.pivots is None else self.pivots.size):
            self.pivots = piv
        self.resolved = self.resolved or L.shape[1] < rank
        return Preconditioner(L, op.noise)

    def _grow(self) -> bool:
        """Replace the cache by the next size up; ``False`` at the cap: ``CACHE_ENTRIES``,
        and up to ``factor_up_to`` points ``n / 4`` columns, past which a test point costs
        the cache (two ``n x pivots`` products) more than the kept Cholesky factor (an
        ``n x n`` triangular solve), which is exact."""
        c, n = self.cache, self.X.shape[0]
        cap = min(CACHE_ENTRIES, n * n // 4) if self.by_factor else CACHE_ENTRIES
        size = next_size(
            c.n_pivots, self.lanczos, n, resolved=self.resolved,
            exhausted=c.rank < self.lanczos, cap=cap,
        )  # fmt: skip
        if size is None:
            return False
        p, self.lanczos = size
        if p >= self.precond_rank:  # the cache preconditions the solves from now on
            self._fit_P = None
        op = KernelOperator(self.kernel, self.X, self.noise)
        with thread_limit(1):  # as the fit's cache (CGState): small products only
            P = self._preconditioner(op, p)
            self.cache = None  # its factors may go before the next are built
            self.cache = VarianceCache(op, P, self.lanczos, self.start)
        return True

    def holds(
        self, Kc: np.ndarray, prior: np.ndarray, local: bool = True, points: int = 0
    ) -> tuple[str, np.ndarray]:
        """``(path, exact)``: ``"cache"`` where the cache -- grown as needed -- gives the
        variances of the check rows ``Kc`` ``(c, n)`` (prior variances ``prior``) within
        :data:`VAR_RTOL`, else (with ``local``) ``"local"`` where the neighbourhood
        variances (``m`` grown as needed) do so within ``GROW_TO`` of it, else ``"cg"``;
        ``exact``: their ``k*^T A^-1 k*`` by exact solves.  Warns (once per state) on
        ``"cg"``, unless the kept factor answers the call's ``points`` test points
        cheaply (:data:`EXACT_CHEAP`)."""
        quad = self.cache.quad(Kc)
        exact = self.quads(Kc.T, prior, quad, want_x=False)[1]
        err = check_errors(quad, exact, prior, VAR_RTOL)
        if np.any(err > 1.0):  # grown with a margin: the points between are not checked
            while np.any(err > GROW_TO) and self._grow():
                err = check_errors(self.cache.quad(Kc), exact, prior, VAR_RTOL)
        path = "cache" if np.all(err <= 1.0) else "cg"
        self.info["pred_rank"] = self.cache.n_pivots + self.cache.rank
        cap = self.local.cap(self.X.shape[0], self.factor_up_to)
        if path == "cg" and local and self.local.check(Kc, prior, exact, cap, GROW_TO * VAR_RTOL):
            path = "local"
            self.info["local_neighbours"] = self.local.m
        self.info["variance_path"] = path
        cheap = self.by_factor and points * self.X.shape[0] ** 2 <= EXACT_CHEAP
        if path == "cg" and not cheap and not self._warned:
            self._warned = True
            worst = float(np.max(err)) * VAR_RTOL
            also = (
                f", and so are local variances from up to {cap} most correlated training "
                "points per test point"
                if local
                else ""
            )
            what = "variances" if local else "covariances"
            warn(
                f"the low-rank variance cache, grown to its cap (rank "
                f"{self.info['pred_rank']}), is off by up to {worst:.3g} of the predictive "
                "variance on checked test points (a kernel of high numerical rank against "
                f"a small noise){also}, so the {what} are computed by exact solves (a "
                f"Cholesky factor up to {self.factor_up_to} points, a preconditioned CG "
                "solve per test point above: slow for many points)",
                NumericalWarning,
            )
        return path, exact

    def quads(self, B: np.ndarray, prior: np.ndarray, guess, want_x: bool = True):
        """``(X, q)``: ``X ~ A^-1 B`` and ``q`` ``(k,)``, each column's ``b^T A^-1 b``, to
        :data:`VAR_RTOL` / 4 of its variance ``prior - q`` (``prior``, ``guess``: ``(k,)``,
        the prior variances and the cache's ``b^T C b``, which only the CG path reads:
        ``None`` where :attr:`by_factor`).  Without ``want_x`` the factor's ``X`` is
        ``None``.

        Up to ``factor_up_to`` points by a kept Cholesky factor (``q = |L^-1 b|^2``).
        Above, by CG preconditioned and started by the cache, and ``q`` by the variational
        estimate ``2 b^T x - x^T A x = b^T x + x^T r``, whose error ``r^T A^-1 r`` is at
        most ``r^T P^-1 r <= |r|^2 / noise`` (``A >= P``).  A variance is a small
        difference of large terms where the noise is small against the kernel, so it
        needs a relative residual far below the mean's: each column starts at the one
        the last bound asks for the cache's variance, and the columns whose bound still
        exceeds their share are solved on from where they stopped, tolerances tightened
        by what the bound says."""
        n = self.X.shape[0]
        if self.by_factor:
            if self._factor is None:  # the engine's: OpenBLAS's own crashes in some builds
                A = writable(self.kernel, self.kernel(self.X))
                A[np.diag_indices_from(A)] += self.noise
                with blas_threads(n):
                    self._factor = np.asarray(engines.current().cholesky(A, 0.0))
                del A
            with blas_threads(n):
                W = solve_triangular(self._factor, B, lower=True, check_finite=False)
                X = (
                    solve_triangular(self._factor, W, lower=True, trans=1, check_finite=False)
                    if want_x
                    else None
                )
            return X, np.einsum("ij,ij->j", W, W)
        op, c = KernelOperator(self.kernel, self.X, self.noise), self.cache
        floor = 1e-9 * np.abs(prior)
        share = 0.25 * VAR_RTOL * float(np.min(self.noise))
        bnorm = np.maximum(np.linalg.norm(B, axis=0), np.finfo(float).tiny)
        v = prior - guess  # the cache's variances; one far below the others may be its error,
        typical = np.median(v[v > floor]) if np.any(v > floor) else 0.0  # so a round tells
        tol = np.sqrt(share * np.clip(v, np.maximum(floor, 0.5 * typical), np.abs(prior))) / bnorm
        tol = np.clip(tol, _TOL_FLOOR, self.tol)
        X = c.apply(B)
        M, Pinv = c.apply, c.p_solve
        if c.n_pivots < self.precond_rank:  # the fit's preconditioner is the stronger
            if self._fit_P is None:
                self._fit_P = self._preconditioner(op, self.precond_rank, search=False)
            M = Pinv = self._fit_P.solve
        with thread_limit(1):
            for _ in range(_ROUNDS):
                res = mbcg(op.__matmul__, B, M, tol, self.settings.max_cg_iter, x0=X)
                X = res.x
                R = B - op @ X
                q = np.einsum("ij,ij->j", B + R, X)
                bound = np.einsum("ij,ij->j", R, Pinv(R))
                short = bound > 0.25 * VAR_RTOL * np.maximum(prior - q - bound, floor)
                if not short.any() or not res.converged.all():
                    break
                want = 0.25 * VAR_RTOL * np.maximum(prior - q, floor)  # from var's upper end
                step = 0.5 * np.sqrt(want[short] / bound[short])
                tol[short] = np.maximum(res.residual[short] * np.clip(step, 1e-3, 0.5), _TOL_FLOOR)
        self.warn(res)
        return X, q

    def predict(self, Xs: np.ndarray, alpha: np.ndarray, want: str):
        """``(mean, var or cov)`` in model units (``want``: ``"std"`` or ``"cov"``)."""
        prior_of = self.kernel.diag if want == "std" else self.kernel
        try:
            return self._predict(Xs, alpha, want, prior_of)
        finally:
            self._fit_P = None

    def _sweep(self, Xs, alpha, prior, exact: bool):
        """``(mean or None, quad)`` over row blocks of ``k(Xs, X)``: the means (where
        ``alpha`` is given) and each row's ``k*^T A^-1 k*``, by the cache or (``exact``)
        by exact solves (``prior``: the rows' prior variances)."""
        m, n = Xs.shape[0], self.X.shape[0]
        mean = None if alpha is None else np.empty((m,) + alpha.shape[1:])
        quad = np.empty(m)
        rows = int(max(1, min(max(m, 1), max(_MIN_ROWS, _ROWS // max(n, 1)))))
        if exact:  # the factor's triangular solves run fastest on many columns at once
            rows = _FACTOR_ROWS if self.by_factor else VAR_BLOCK
        with blas_threads(n):  # the cache's products are (rows, n) x (n, rank) GEMMs
            for s in range(0, m, rows):
                b = slice(s, s + rows)
                Ks = np.asarray(self.kernel(Xs[b], self.X), dtype=np.float64)
                if mean is not None:
                    mean[b] = Ks @ alpha
                if not exact:
                    quad[b] = self.cache.quad(Ks)
                else:
                    guess = None if self.by_factor else self.cache.quad(Ks)
                    quad[b] = self.quads(Ks.T, prior[b], guess, want_x=False)[1]
        return mean, quad

    def _predict(self, Xs, alpha, want, prior_of):
        """The cache's estimates first, then the check on the points they say are the
        most informative (:func:`check_rows`), then the path the check found; points
        whose cache variance is below 0 or above the prior (:func:`implausible`) are
        solved exactly whatever the check found."""
        m = Xs.shape[0]
        if want == "cov":  # "local" gives variances only: covariances by exact solves
            Ks = np.asarray(self.kernel(Xs, self.X), dtype=np.float64)
            cov = np.asarray(prior_of(Xs), dtype=np.float64)
            prior = np.diag(cov).copy()
            quad, path = self.cache.quad(Ks), "cache"
            if m:
                path, quad = self._settle(
                    quad, prior, lambda pick: Ks[pick], lambda: self.cache.quad(Ks), False, m
                )[:2]
            if path == "cache" and not np.any(implausible(quad, prior)):
                return Ks @ alpha, cov - self.cache.inner(Ks)
            X, q = self.quads(Ks.T, prior, quad)
            inner = Ks @ X
            inner = 0.5 * (inner + inner.T)
            inner[np.diag_indices_from(inner)] = q
            return Ks @ alpha, cov - inner
        prior = np.asarray(prior_of(Xs), dtype=np.float64)
        mean, quad = self._sweep(Xs, alpha, prior, exact=False)
        if not m:
            return mean, prior - quad
        path, quad, known = self._settle(
            quad,
            prior,
            lambda pick: np.asarray(self.kernel(Xs[pick], self.X), dtype=np.float64),
            lambda: self._sweep(Xs, None, prior, exact=False)[1],
            True,
            m,
        )
        if path == "local":
            for g in self.local.groups(Xs):
                Ks = np.asarray(self.kernel(Xs[g], self.X), dtype=np.float64)
                quad[g] = prior[g] - self.local.variances(Ks, prior[g])
        elif path == "cg":
            quad = self._sweep(Xs, None, prior, exact=True)[1]
        else:
            bad = np.flatnonzero(implausible(quad, prior))
            if bad.size:  # wrong there whatever the checked points say
                Kb = np.asarray(self.kernel(Xs[bad], self.X), dtype=np.float64)
                guess = None if self.by_factor else quad[bad]
                quad[bad] = self.quads(Kb.T, prior[bad], guess, want_x=False)[1]
        quad[list(known)] = list(known.values())
        return mean, prior - quad

    def _settle(self, quad, prior, rows_of, again, local: bool, points: int):
        """``(path, quad, known)``: :meth:`holds` on the test points the cache's estimates
        ``quad`` pick (:func:`check_rows`; ``rows_of(pick)``: their kernel rows), checked
        again on the points the grown cache picks (``again()``: every point's estimate from
        it) until a check grows nothing -- a small cache may rate as well known the very
        points it is most wrong at, which only the grown one picks; ``known``: the exact
        ``k*^T A^-1 k*`` of every checked point, by index."""
        known: dict[int, float] = {}
        while True:
            cache = self.cache
            pick = check_rows(quad, prior, CHECK_POINTS)
            path, exact = self.holds(rows_of(pick), prior[pick], local, points)
            known.update(zip(pick.tolist(), exact.tolist()))
            if self.cache is cache or path != "cache":  # held, or past the cache's cap
                return path, quad, known
            quad = again()  # grown by the check: every point from the new cache
