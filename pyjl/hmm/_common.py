"""Helpers shared by the built-in emissions: input checks, k-means, empty states."""

from __future__ import annotations

import warnings

import numpy as np

from ..exceptions import InputError, NumericalWarning

__all__ = ["as_obs", "as_int_obs", "kmeans", "empty_states", "warn_empty", "per_state",
           "gaussian_estep", "INIT_ROWS"]

#: rows used at most by data-driven initialisation (k-means on a subsample)
INIT_ROWS = 20_000


def as_obs(X, name="X", ndim=(1, 2), finite=True) -> np.ndarray:
    """Float64 observations as a 2-D ``(T, d)`` array (``(T,)`` → ``(T, 1)``), finite
    unless ``finite=False`` (used inside the EM loop on rows already validated: NaN then
    propagates to the log-likelihoods, which the HMM checks)."""
    if finite is False and isinstance(X, np.ndarray) and X.dtype == np.float64 \
            and X.flags.c_contiguous and X.ndim in ndim and X.size:
        x = X
    else:
        from ..data import as_array
        x = as_array(X, name=name, dtype=np.float64, ndim=ndim, finite=finite)
    return x.reshape(-1, 1) if x.ndim == 1 else x


def as_int_obs(X, name, *, what, low=0, high=None) -> np.ndarray:
    """Non-negative integer observations (float64 holding integers), ``(T, d)``.

    Raises :class:`InputError` naming ``name`` for negatives, non-integers or
    values ``>= high`` with the first bad index."""
    x = as_obs(X, name)
    bad = np.flatnonzero((x < low).ravel())
    if bad.size:
        i = bad[0]
        raise InputError(f"`{name}` must hold {what} >= {low}; got {float(x.flat[i])!r} at flat "
                         f"index {i}. Fix: pass non-negative integer counts.")
    bad = np.flatnonzero((x != np.floor(x)).ravel())
    if bad.size:
        i = bad[0]
        raise InputError(f"`{name}` must hold integers ({what}); got {float(x.flat[i])!r} at flat "
                         f"index {i}. Fix: round or encode the values as integers.")
    if high is not None:
        bad = np.flatnonzero((x >= high).ravel())
        if bad.size:
            i = bad[0]
            raise InputError(f"`{name}` must hold symbols in [0, {high}); got {float(x.flat[i])!r} "
                             f"at flat index {i}. Fix: raise n_symbols or re-encode X.")
    return x


def per_state(value, n_states, d, name) -> np.ndarray:
    """A per-state parameter as ``(K, d)`` float64 (``(K,)`` accepted when ``d == 1``)."""
    a = np.asarray(value, dtype=np.float64)
    if a.ndim == 1:
        a = a.reshape(-1, 1) if d in (None, 1) else a.reshape(-1, 1).repeat(d, 1)
    if a.ndim != 2 or (n_states is not None and a.shape[0] != n_states):
        raise InputError(f"`{name}` must be (n_states,) or (n_states, n_features); got shape "
                         f"{np.shape(value)}. Fix: give one value per state.")
    return a


def kmeans(X: np.ndarray, k: int, rng: np.random.Generator, n_init: int = 3,
           max_iter: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd's k-means with k-means++ seeding (Arthur & Vassilvitskii 2007).

    ``X`` is ``(n, d)``; returns ``(centers (k, d), labels (n,))``.  Empty
    clusters are re-seeded at the point farthest from its center."""
    X = np.asarray(X, dtype=np.float64)
    if X.shape[0] > INIT_ROWS:
        X = X[rng.choice(X.shape[0], INIT_ROWS, replace=False)]
    n = X.shape[0]
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    Z = (X - X.mean(axis=0)) / scale
    best = (np.inf, None, None)
    for _ in range(n_init):
        c = np.empty((k, Z.shape[1]))
        c[0] = Z[rng.integers(n)]
        d2 = ((Z - c[0]) ** 2).sum(1)
        for j in range(1, k):
            p = d2 / d2.sum() if d2.sum() > 0 else np.full(n, 1.0 / n)
            c[j] = Z[rng.choice(n, p=p)]
            d2 = np.minimum(d2, ((Z - c[j]) ** 2).sum(1))
        for _ in range(max_iter):
            dist = (Z ** 2).sum(1)[:, None] - 2 * Z @ c.T + (c ** 2).sum(1)[None, :]
            lab = dist.argmin(1)
            new = np.zeros_like(c)
            cnt = np.bincount(lab, minlength=k).astype(float)
            np.add.at(new, lab, Z)
            for j in np.flatnonzero(cnt == 0):
                far = dist[np.arange(n), lab].argmax()
                new[j] = Z[far]
                cnt[j] = 1.0
                lab[far] = j
            new /= cnt[:, None]
            if np.allclose(new, c, rtol=0, atol=1e-10):
                c = new
                break
            c = new
        inertia = dist[np.arange(n), lab].sum()
        if inertia < best[0]:
            best = (inertia, c.copy(), lab.copy())
    centers = best[1] * scale + X.mean(axis=0)
    order = np.argsort(centers[:, 0], kind="stable")       # deterministic state order
    centers = centers[order]
    lab = np.argsort(order)[best[2]]
    return centers, lab


def empty_states(N: np.ndarray) -> np.ndarray:
    """Mask of states whose total weight is negligible (``<= 1e-10`` of the total)."""
    N = np.asarray(N, dtype=np.float64)
    return ~(N > 1e-10 * max(N.sum(), 1e-300))


def warn_empty(mask: np.ndarray, family: str, action: str) -> None:
    if mask.any():
        warnings.warn(f"{family}: state(s) {np.flatnonzero(mask).tolist()} received no "
                      f"posterior weight; their parameters were {action}.",
                      NumericalWarning, stacklevel=4)


def hard_weights(labels: np.ndarray, k: int) -> np.ndarray:
    """One-hot ``(n, k)`` weights of cluster labels."""
    W = np.zeros((labels.size, k))
    W[np.arange(labels.size), labels] = 1.0
    return W


def gaussian_estep(x, mean, var, shift, lengths, log_pi, log_A):
    """``estep_stats`` of a diagonal Gaussian (``mean``/``var`` ``(K, d)``): the engine's
    fused ``gaussian_estep``, its moments returned as the emission's ``suff_stats``."""
    from .. import engines
    c = np.ascontiguousarray
    ll, start, xi, N, S1, S2 = engines.current().gaussian_estep(
        log_pi, log_A, x, c(mean, dtype=np.float64), c(var, dtype=np.float64),
        c(shift, dtype=np.float64), lengths)
    return ll, start, xi, (N, S1, S2)
