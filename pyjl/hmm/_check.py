"""Conformance check of an emission (the body of :func:`pyjl.testing.check_emission`)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.special import logsumexp

__all__ = ["check_emission"]


def _as2d(x: np.ndarray) -> Any:
    x = np.asarray(x, dtype=np.float64)
    return x.reshape(-1, 1) if x.ndim == 1 else x


def _ll(e: Any, x: np.ndarray, one_d: bool) -> Any:
    return np.asarray(e.log_likelihood(x[:, 0] if one_d else x), dtype=np.float64)


def check_emission(
    emission: Any, *, n: int = 4000, random_state: Any = 0, rtol: float = 0.05
) -> Any:
    """Check ``emission`` (parameters set: they are the truth) against the protocol.

    1. shapes: ``log_likelihood(X)`` is finite ``(T, K)``, ``sample`` returns
       ``n`` draws, ``n_parameters`` is a positive integer;
    2. the density normalises: for each state ``∫ p_k = 1`` (1-D: a sum over the
       integers for discrete samples, else the trapezoid rule on a wide grid;
       d-D: importance sampling with a widened Gaussian proposal);
    3. sampling matches the density: the empirical CDF of the draws at their
       quartiles equals the CDF integrated from the density (1-D), or the
       sample mean, standard deviations and correlations equal the
       importance-sampled ones (d-D continuous);
    4. weighted fit recovers the parameters: a copy fitted with one-hot
       weights to draws of all states (other states' rows weighted 0) gives
       held-out log-likelihoods within ``rtol`` nats/observation of the truth;
    5. weights act as counts: fitting with integer weights equals fitting
       the rows repeated that many times.

    Raises ``AssertionError`` naming the failed check; returns a dict of the
    measured discrepancies.
    """
    rng = np.random.default_rng(random_state)
    name = type(emission).__name__
    probe = _as2d(emission.sample(0, 8, rng))
    one_d = np.ndim(emission.sample(0, 2, rng)) == 1
    K = np.asarray(emission.log_likelihood(probe[:, 0] if one_d else probe)).shape[1]
    assert int(emission.n_parameters) > 0, f"{name}.n_parameters must be a positive integer"
    draws = [_as2d(emission.sample(k, n, rng)) for k in range(K)]
    for k, x in enumerate(draws):
        assert x.shape[0] == n, f"{name}.sample({k}, {n}) returned {x.shape[0]} draws"
        L = _ll(emission, x, one_d)
        assert L.shape == (n, K), f"{name}.log_likelihood must be ({n}, {K}); got {L.shape}"
        assert np.isfinite(L[:, k]).all(), f"{name}.log_likelihood is not finite at own draws"
    out = {"normalisation": 0.0, "sampling": 0.0, "fit": 0.0, "weights_as_counts": 0.0}
    discrete = all(np.all(x == np.round(x)) for x in draws)
    d = draws[0].shape[1]
    for k, x in enumerate(draws):
        if d == 1:
            lo, hi = np.min(x), np.max(x)
            at: Callable[[np.ndarray], np.ndarray]  # the CDF integrated from the density
            if discrete:
                grid = np.arange(min(lo, 0.0), 2 * hi + 20.0 + 5 * np.sqrt(max(hi, 1.0)))[:, None]
                p = np.exp(_ll(emission, grid, one_d)[:, k])
                total, cdf = p.sum(), np.cumsum(p)
                at = lambda q: cdf[np.searchsorted(grid[:, 0], q, side="right") - 1]  # noqa
            else:
                w = hi - lo
                if 0 < lo < w:  # draws reaching towards 0: integrate in log x (x -> 0)
                    u = np.linspace(np.log(lo) - 12.0, np.log(hi) + 3.0, 200_001)
                    grid = np.exp(u)[:, None]
                    p = np.exp(_ll(emission, grid, one_d)[:, k] + u)
                    dx = np.diff(u)
                else:  # on the draws' own scale (a density far from 0 is narrow in log x)
                    a = max(lo - 2 * w, 0.5 * lo) if lo > 0 else lo - 2 * w
                    grid = np.linspace(a, hi + 2 * w, 200_001)[:, None]
                    p = np.exp(_ll(emission, grid, one_d)[:, k])
                    dx = np.diff(grid[:, 0])
                cdf = np.concatenate([[0.0], np.cumsum((p[1:] + p[:-1]) / 2 * dx)])
                total = cdf[-1]
                at = lambda q: np.interp(q, grid[:, 0], cdf)  # noqa
            assert abs(total - 1.0) < 1e-3, (
                f"{name}: state {k} density integrates to {total:.6f}, not 1"
            )
            qs = np.quantile(x[:, 0], [0.25, 0.5, 0.75])
            ecdf = np.array([(x[:, 0] <= q).mean() for q in qs])
            gap = np.max(np.abs(ecdf - at(qs)))
            # five standard errors of an empirical CDF at a quartile (sqrt(3/16 n) < 0.5 /
            # sqrt(n)): a sampler off by 0.2 sd, or given the variance as the scale, fails
            assert gap < 2.5 / np.sqrt(n) + (0.02 if discrete else 0.0), (
                f"{name}: draws of state {k} do not follow its density (CDF gap {gap:.4f})"
            )
        else:
            mu, C = x.mean(0), np.atleast_2d(np.cov(x.T)) * 4.0 + 1e-9 * np.eye(d)
            m = 20 * n
            q = rng.multivariate_normal(mu, C, size=m)
            Lc = np.linalg.cholesky(C)
            z = np.linalg.solve(Lc, (q - mu).T)
            logq = -0.5 * (z * z).sum(0) - np.log(np.diag(Lc)).sum() - d / 2 * np.log(2 * np.pi)
            if discrete:
                total, gap = 1.0, 0.0  # no proposal for multivariate counts
            else:
                lw = _ll(emission, q, one_d)[:, k] - logq
                total = float(np.exp(logsumexp(lw) - np.log(m)))
                assert abs(total - 1.0) < 0.05, (
                    f"{name}: state {k} density integrates to {total:.4f}, not 1"
                )
                wts = np.exp(lw - logsumexp(lw))
                sd = np.sqrt(np.diag(C) / 4)  # the draws' own
                mean_p = wts @ q
                gap = float(np.max(np.abs(mean_p - mu) / sd))
                assert gap < 0.15, f"{name}: draws of state {k} do not match its density mean"
                # second moments: each coordinate's spread, and every correlation
                cov_p = (wts[:, None] * (q - mean_p)).T @ (q - mean_p)
                sd_p = np.sqrt(np.diag(cov_p))
                spread = float(np.max(np.abs(np.log(sd_p / sd))))
                corr = float(
                    np.max(np.abs(cov_p / np.outer(sd_p, sd_p) - C / np.outer(sd, sd) / 4))
                )
                tol = max(0.1, 5.0 / np.sqrt(n))  # ~7 standard errors of a sample sd
                assert spread < tol and corr < tol, (
                    f"{name}: draws of state {k} do not match its density's spread "
                    f"(log sd ratio {spread:.3f}, correlation gap {corr:.3f})"
                )
                gap = max(gap, spread, corr)
        out["normalisation"] = max(out["normalisation"], float(abs(total - 1.0)))
        out["sampling"] = max(out["sampling"], float(gap))
    # weighted fit recovers the truth
    X = np.concatenate(draws)
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
    return out
