"""Conformance check of an emission (the body of :func:`pyjl.testing.check_emission`)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from scipy.stats import norm

from .._warn import quiet
from ..exceptions import NumericalWarning
from ._em import add_stats, has_stats
from ._settings import PROTOCOL, missing_members

__all__ = ["check_emission"]

#: draws per state for the density checks (``n`` where larger).  A correct density's mass
#: beyond the range of N draws exceeds 5e-4 on a side with probability (1 - 5e-4)^N ~ e^-25,
#: so integrating over that range loses under 1e-3; and see ``ALPHA`` for the power.
N_DENSITY = 50_000
#: the levels of the draws' quantiles at which their CDF is compared with the density's
LEVELS = np.array(
    [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99]
)
#: Under a correct emission each CDF gap over its standard error is ~N(0, 1) (the draws'
#: CDF at a point is binomial; the density's, where importance-sampled, has its delta-method
#: variance added), so by the union bound over states, projections and levels the check
#: fails a correct emission with probability at most ALPHA (critical value ~5.6 for one
#: 2-state 1-D emission).  A Laplace sampler with its scale off by 10 % moves the CDF at the
#: 95 % level by 0.011, 0.05 standard deviations of one draw's indicator: 11.6 standard
#: errors with N_DENSITY draws; scale off by 5 %: 6.
ALPHA = 1e-6


def _as2d(x: np.ndarray) -> Any:
    x = np.asarray(x, dtype=np.float64)
    return x.reshape(-1, 1) if x.ndim == 1 else x


def _ll(e: Any, x: np.ndarray, one_d: bool) -> Any:
    return np.asarray(e.log_likelihood(x[:, 0] if one_d else x), dtype=np.float64)


def _reference(e: Any, k: int, x: np.ndarray, one_d: bool, discrete: bool, rng: Any) -> Any:
    """State ``k``'s density over the box its draws ``x`` ``(N, d)`` cover, as weighted
    points ``(points (m, d), weights (m,), sampled)``: ``weights.sum()`` is its integral there.

    Counts: the box's integer points weighted by the probabilities (exact; ``None`` where
    there are over 2 million).  1-D: the trapezoid rule on a grid even in ``x`` and in the
    draws' quantiles (dense where the mass is); in ``log x`` for positive draws spanning
    over three decades, where a density may grow without bound at 0.  d-D (``sampled``):
    importance sampling from independent Cauchy densities with the draws' medians and
    quartiles, truncated to the box (so the weights are bounded wherever the density is).
    """
    (N, d), lo, hi = x.shape, x.min(0), x.max(0)
    if discrete:
        axes = [np.arange(a, b + 1.0) for a, b in zip(lo, hi, strict=True)]
        if np.prod([a.size for a in axes]) > 2_000_000:
            return None
        pts = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, d)
        return pts, np.exp(_ll(e, pts, one_d)[:, k]), False
    if d == 1:
        xs = np.sort(x[:, 0])
        quantiles = np.interp(np.linspace(0, N - 1, 100_001), np.arange(N), xs)
        if lo[0] > 0 and hi[0] > 1e3 * lo[0]:
            # positive draws over decades: the rule in u = log x, on p(x) x, which stays
            # bounded where p grows without bound at 0 (a Gamma of shape < 1)
            u = np.unique(
                np.r_[np.linspace(np.log(lo[0]), np.log(hi[0]), 100_001), np.log(quantiles)]
            )
            g, h = np.exp(u), np.diff(u)
            w = np.exp(_ll(e, g[:, None], one_d)[:, k] + u) * (np.r_[h, 0.0] + np.r_[0.0, h]) / 2
            return g[:, None], w, False
        g = np.unique(np.r_[np.linspace(lo[0], hi[0], 100_001), quantiles])
        h = np.diff(g)
        w = np.exp(_ll(e, g[:, None], one_d)[:, k]) * (np.r_[h, 0.0] + np.r_[0.0, h]) / 2
        return g[:, None], w, False
    c, s = np.median(x, 0), np.subtract(*np.quantile(x, [0.75, 0.25], 0)) / 2
    s = np.where(s > 0, s, (hi - lo) / 2)
    a, b = np.arctan((lo - c) / s), np.arctan((hi - c) / s)
    m = 4 * N
    y = c + s * np.tan(rng.uniform(a, b, size=(m, d)))
    z = (y - c) / s
    log_q = -np.sum(np.log(s * (b - a)) + np.log1p(z * z), axis=1)
    return y, np.exp(_ll(e, y, one_d)[:, k] - log_q) / m, True


def _directions(x: np.ndarray, discrete: bool) -> Any:
    """The projections whose CDFs are compared, ``(d, d*d)``, and their names: each
    coordinate and, for ``d > 1``, the sum and the difference of each pair (scaled by their
    interquartile ranges, which a correlation shifts; integer for counts, whose ties must
    stay exact)."""
    d = x.shape[1]
    s = np.ones(d) if discrete else np.subtract(*np.quantile(x, [0.75, 0.25], 0))
    s = np.where(s > 0, s, 1.0)
    V, names = np.eye(d) / s, [f"x[{i}]" if d > 1 else "x" for i in range(d)]
    for i in range(d):
        for j in range(i + 1, d):
            for sign, op in ((1.0, "+"), (-1.0, "-")):
                V = np.c_[V, (np.eye(d)[i] / s[i] + sign * np.eye(d)[j] / s[j])[:, None]]
                names.append(f"x[{i}]/{s[i]:.3g} {op} x[{j}]/{s[j]:.3g}")
    return V, names


def _cdf_gaps(x: np.ndarray, ref: Any, V: np.ndarray) -> Any:
    """The draws' CDF and the density's (from ``_reference``) at the ``LEVELS`` quantiles of
    the draws' projections ``x @ V``, and their gaps in standard errors; each ``(L, r)``."""
    points, weights, sampled = ref
    N, w = x.shape[0], weights / weights.sum()
    z, ecdf, F = (np.empty((LEVELS.size, V.shape[1])) for _ in range(3))
    for j in range(V.shape[1]):
        xs = np.sort(x @ V[:, j])
        t = np.quantile(xs, LEVELS)
        ecdf[:, j] = np.searchsorted(xs, t, side="right") / N
        pv = points @ V[:, j]
        o = np.argsort(pv, kind="stable")
        i = np.searchsorted(pv[o], t, side="right")
        F[:, j] = f = np.r_[0.0, np.cumsum(w[o])][i]
        var = np.maximum(f * (1 - f), 1.0 / N) / N
        if sampled:  # the self-normalised estimate's own variance (delta method)
            w2 = np.r_[0.0, np.cumsum(w[o] ** 2)]
            var = var + w2[i] * (1 - f) ** 2 + (w2[-1] - w2[i]) * f**2
        z[:, j] = np.abs(ecdf[:, j] - f) / np.sqrt(var)
    return z, ecdf, F


def _check_rng(emission: Any, name: str, one_d: bool) -> None:
    """``sample`` draws from the generator it is given, not from NumPy's global one
    (``HMM.sample(random_state=...)`` is reproducible only then)."""
    state = np.random.get_state()  # noqa: NPY002 (the global state a sampler may misuse)
    try:
        draws = []
        for global_seed in (1, 2):
            np.random.seed(global_seed)  # noqa: NPY002
            draws.append(_as2d(emission.sample(0, 16, np.random.default_rng(12345))))
    finally:
        np.random.set_state(state)  # noqa: NPY002
    assert np.array_equal(draws[0], draws[1]), (
        f"{name}.sample(state, n, rng) gave other draws from the same rng: it must draw "
        "from rng (not numpy.random's global state)"
    )


def _check_fit_moves(
    emission: Any, X: Any, test: list[Any], n: int, one_d: bool, rtol: float, name: str
) -> None:
    """A fit of state ``j`` to the draws of state ``j + 1`` moves it towards them: it
    closes at least half the held-out log-likelihood gap between state ``j`` and state
    ``j + 1`` there (a fit that changes nothing closes none; an emission whose fit is one
    EM step of its own, as a mixture's, closes most)."""
    K = len(test)
    if K < 2:
        return
    nxt = (np.arange(K) + 1) % K
    moved = copy.deepcopy(emission)
    moved.fit(X[:, 0] if one_d else X, np.kron(np.eye(K)[:, nxt], np.ones((n, 1))))
    d = test[0].shape[1]
    for j in range(K):
        x, k = test[nxt[j]], nxt[j]
        L = _ll(emission, x, one_d)
        target, before = L[:, k].mean(), L[:, j].mean()
        after = _ll(moved, x, one_d)[:, j].mean()
        if target - before > rtol * max(1.0, d):
            assert after - before >= 0.5 * (target - before), (
                f"{name}: fitting state {j} to the draws of state {k} left it where it "
                f"was (held-out log-likelihood {before:.4f} before, {after:.4f} after, "
                f"{target:.4f} under state {k}): fit must estimate every state's "
                "parameters from X and its weights"
            )


def check_emission(
    emission: Any, *, n: int = 4000, random_state: Any = 0, rtol: float = 0.05
) -> Any:
    """Check ``emission`` (parameters set: they are the truth) against the protocol.

    1. members: everything :class:`~pyjl.hmm.HMM` uses (``log_likelihood``, ``fit``,
       ``sample``, ``n_parameters``, ``initialize``) is there;
    2. shapes: ``log_likelihood(X)`` is finite ``(T, K)`` at each state's own draws,
       ``sample`` returns the draws asked for, ``n_parameters`` is an integer >= 0 (0:
       nothing is free, as a one-category ``Categorical`` or ``Multinomial``, and then no
       weighted ``fit`` may move the parameters);
    3. the density normalises: for each state ``∫ p_k = 1`` within 1e-3 over the range
       its ``max(n, 50_000)`` draws cover (the box in d-D): a density on a bounded or
       periodic range (a von Mises on ``[-pi, pi]``) is integrated over that range
       only.  Counts: a sum over the integers; 1-D: the trapezoid rule; d-D: importance
       sampling (the tolerance widened by its standard error);
    4. sampling matches the density: the CDF of the draws at their 1 %, 2 %, 5 %, 10 %,
       ..., 99 % quantiles equals the density's, in 1-D, and in d-D for each coordinate
       and each pair's sum and difference (which a correlation moves); the largest gap,
       in standard errors, must stay below the critical value at which a correct emission
       fails with probability 1e-6 (a sampler whose scale is off by 10 % fails);
    5. ``initialize(X, K, rng)`` sets parameters for ``K`` states (``log_likelihood``
       is ``(T, K)``, ``n_parameters`` unchanged);
    6. weighted fit recovers the parameters: a copy fitted with one-hot weights to
       ``n`` draws of each state (other states' rows weighted 0) gives held-out
       log-likelihoods within ``rtol`` nats/observation of the truth; fitted to the draws
       of state ``j + 1`` instead, state ``j`` closes at least half its held-out gap to
       state ``j + 1`` (a fit that changes nothing fails); a state whose weights are all
       0 keeps finite log-likelihoods;
    7. weights act as counts: fitting with integer weights equals fitting the rows
       repeated that many times;
    8. ``sample`` draws from the ``rng`` it is given (the same generator state, the same
       draws, whatever NumPy's global state), and ``log_likelihood`` is ``(T, K)``;
    9. the optional statistics (``suff_stats``, ``fit_stats``: what ``HMM.fit`` uses
       where they are there), summed over two halves of the data, fit as ``fit`` does.

    Raises ``AssertionError`` naming the failed check; returns a dict of the measured
    discrepancies (``sampling`` in standard errors).
    """
    rng = np.random.default_rng(random_state)
    name = type(emission).__name__
    missing = missing_members(emission)
    assert not missing, (
        f"{name} lacks {', '.join(missing)}: HMM uses {', '.join(PROTOCOL)} "
        "(see pyjl.hmm.Emission)"
    )
    try:
        n_par = emission.n_parameters
    except Exception as exc:
        raise AssertionError(f"{name}.n_parameters raised {type(exc).__name__}: {exc}") from exc
    assert not callable(n_par), (
        f"{name}.n_parameters must be a number (an attribute or a property), not a method: "
        "decorate it with @property"
    )
    assert not isinstance(n_par, (bool, np.bool_)) and int(n_par) == n_par >= 0, (
        f"{name}.n_parameters must be an integer >= 0; got {n_par!r}"
    )
    probe = _as2d(emission.sample(0, 8, rng))
    one_d = np.ndim(emission.sample(0, 2, rng)) == 1
    shape = np.shape(emission.log_likelihood(probe[:, 0] if one_d else probe))
    assert len(shape) == 2 and shape[0] == 8, (
        f"{name}.log_likelihood must return (T, K), a row per observation; got shape "
        f"{shape} for 8 observations" + (" (transposed?)" if shape[-1:] == (8,) else "")
    )
    K = shape[1]
    _check_rng(emission, name, one_d)
    N = max(n, N_DENSITY)
    draws = [_as2d(emission.sample(k, N, rng)) for k in range(K)]
    for k, x in enumerate(draws):
        assert x.shape[0] == N, f"{name}.sample({k}, {N}) returned {x.shape[0]} draws"
        L = _ll(emission, x, one_d)
        assert L.shape == (N, K), f"{name}.log_likelihood must be ({N}, {K}); got {L.shape}"
        assert np.isfinite(L[:, k]).all(), f"{name}.log_likelihood is not finite at own draws"
    out = {"normalisation": 0.0, "sampling": 0.0, "fit": 0.0, "weights_as_counts": 0.0}
    discrete = all(np.all(x == np.round(x)) for x in draws)
    d = draws[0].shape[1]
    crit = norm.isf(ALPHA / (2 * K * d * d * LEVELS.size))
    for k, x in enumerate(draws):
        lo, hi = x.min(0), x.max(0)
        assert discrete or np.all(hi > lo), f"{name}: draws of state {k} are all equal"
        ref = _reference(emission, k, x, one_d, discrete, rng)
        if ref is None:  # counts in a box of too many points to sum over
            continue
        # sampling first: draws that miss part of the density's mass are the sampler's
        # fault, which the normalisation check would blame on the density
        V, names = _directions(x, discrete)
        z, ecdf, F = _cdf_gaps(x, ref, V)
        i, j = np.unravel_index(np.argmax(z), z.shape)
        assert z[i, j] < crit, (
            f"{name}: draws of state {k} do not follow its density: at their "
            f"{LEVELS[i]:.0%} quantile of {names[j]} the draws' CDF is {ecdf[i, j]:.4f}, the "
            f"density's {F[i, j]:.4f} ({z[i, j]:.1f} standard errors, over {crit:.1f})"
        )
        total = float(ref[1].sum())
        tol = 1e-3 + (crit * float(ref[1].std()) * np.sqrt(ref[1].size) if ref[2] else 0.0)
        span = f"[{lo[0]:.4g}, {hi[0]:.4g}]" if d == 1 else "the box"
        assert abs(total - 1.0) < tol, (
            f"{name}: state {k} density integrates to {total:.6f} over {span} that its "
            "draws cover, not 1 (a density not normalised, or draws that miss its mass)"
        )
        out["normalisation"] = max(out["normalisation"], abs(total - 1.0))
        out["sampling"] = max(out["sampling"], float(z[i, j]))
    X = np.concatenate([x[:n] for x in draws])
    # what HMM's init="kmeans" and "random" call first
    started = copy.deepcopy(emission)
    started.initialize(X[:, 0] if one_d else X, K, rng)
    L = _ll(started, X, one_d)
    assert L.shape == (K * n, K), (
        f"{name}.initialize(X, {K}, rng) must set parameters for {K} states: "
        f"log_likelihood(X) is then {L.shape}, not ({K * n}, {K})"
    )
    assert started.n_parameters == n_par, (
        f"{name}.initialize(X, {K}, rng) changed n_parameters ({n_par} to {started.n_parameters})"
    )
    # weighted fit recovers the truth
    W = np.kron(np.eye(K), np.ones((n, 1)))
    fitted = copy.deepcopy(emission)
    fitted.fit(X[:, 0] if one_d else X, W)
    test = [_as2d(emission.sample(k, n, rng)) for k in range(K)]
    for k, x in enumerate(test):
        true_ll = _ll(emission, x, one_d)[:, k].mean()
        fit_ll = _ll(fitted, x, one_d)[:, k].mean()
        err = abs(true_ll - fit_ll) / max(1.0, d)
        out["fit"] = max(out["fit"], float(err))
        assert err < rtol, (
            f"{name}: weighted fit does not recover state {k} (held-out "
            f"log-likelihood {fit_ll:.4f} vs {true_ll:.4f} under the truth)"
        )
    _check_fit_moves(emission, X, test, n, one_d, rtol, name)
    if n_par == 0:  # nothing free: no fit may move it (else n_parameters undercounts)
        moved = copy.deepcopy(emission)
        moved.fit(X[:, 0] if one_d else X, rng.dirichlet(np.ones(K), size=X.shape[0]))
        assert np.allclose(_ll(moved, X, one_d), _ll(emission, X, one_d), equal_nan=True), (
            f"{name}.n_parameters is 0, but fit moves the parameters: count what fit learns"
        )
    if K > 1:  # a state EM gives no weight (HMM meets them) keeps usable parameters
        W0 = np.kron(np.eye(K), np.ones((n, 1)))
        W0[:, 0] = 0.0
        empty = copy.deepcopy(emission)
        with quiet(NumericalWarning):  # the built-in emissions say they kept the state
            empty.fit(X[:, 0] if one_d else X, W0)
        assert np.isfinite(_ll(empty, test[0], one_d)[:, 0]).all(), (
            f"{name}.fit with no weight on state 0 left its log-likelihood not finite: a "
            "state whose weights are all 0 must keep its parameters (or be reset), not be "
            "divided by its zero weight (see pyjl.hmm.Emission)"
        )
    # weights behave as counts
    m = min(n, 300)
    Xs = np.concatenate([x[:m] for x in draws])
    counts = rng.integers(0, 3, size=(Xs.shape[0], K)).astype(float)
    counts[np.arange(Xs.shape[0]), np.repeat(np.arange(K), m)] += 1.0
    a, b = copy.deepcopy(emission), copy.deepcopy(emission)
    a.fit(Xs[:, 0] if one_d else Xs, counts)
    reps = counts.astype(int)
    rows = np.concatenate([np.repeat(np.arange(Xs.shape[0]), reps[:, k]) for k in range(K)])
    Wr = np.kron(np.eye(K), np.ones((1, 1)))[
        np.concatenate([np.full(reps[:, k].sum(), k) for k in range(K)])
    ]
    b.fit(Xs[rows][:, 0] if one_d else Xs[rows], Wr)
    la, lb = _ll(a, X, one_d), _ll(b, X, one_d)
    diff = float(np.max(np.abs(la - lb) / (1.0 + np.abs(lb))))
    out["weights_as_counts"] = diff
    assert diff < 1e-6, f"{name}: fit with integer weights differs from repeated rows ({diff:.3g})"
    if has_stats(emission):  # the path HMM.fit takes where the members are there
        c, stats, half = copy.deepcopy(emission), None, Xs.shape[0] // 2
        for part in (slice(None, half), slice(half, None)):
            xs = Xs[part][:, 0] if one_d else Xs[part]
            stats = add_stats(stats, c.suff_stats(xs, counts[part]))
        c.fit_stats(stats)
        diff = float(np.max(np.abs(_ll(c, X, one_d) - la) / (1.0 + np.abs(la))))
        out["stats"] = diff
        assert diff < 1e-6, (
            f"{name}: fit_stats of suff_stats summed over two halves of X differs from fit "
            f"on all of X with the same weights ({diff:.3g}): HMM.fit uses the statistics "
            "where an emission has them, so they must give fit's update"
        )
    return out
