"""Helpers shared by the built-in emissions: input checks, k-means, empty states."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validate import column_labels, describe, error, position, real, row, row_index, row_labels
from .._warn import warn
from ..exceptions import InputTypeError, NotFittedError, NumericalWarning

__all__ = [
    "as_obs",
    "as_int_obs",
    "kmeans",
    "empty_states",
    "warn_empty",
    "per_state",
    "min_covar",
    "check_values",
    "check_rows_sum_to_one",
    "drawn_from",
    "check_prob_rows",
    "gaussian_range",
    "gaussian_finite",
    "covars_map",
    "covars_log_prior",
    "emission_states",
    "INIT_ROWS",
]

#: rows used at most by data-driven initialisation (k-means on a subsample)
INIT_ROWS = 20_000


def as_obs(
    X: Any, name: str = "X", ndim: tuple[int, ...] = (1, 2), finite: bool = True
) -> np.ndarray:
    """Float64 observations as a 2-D ``(T, d)`` array (``(T,)`` → ``(T, 1)``), finite
    unless ``finite=False`` (used inside the EM loop on rows already validated: NaN then
    propagates to the log-likelihoods, which the HMM checks)."""
    if (
        finite is False
        and isinstance(X, np.ndarray)
        and X.dtype == np.float64
        and X.flags.c_contiguous
        and X.ndim in ndim
        and X.size
    ):
        x = X
    else:
        from ..data import as_array

        x = as_array(X, name=name, dtype=np.float64, ndim=ndim, finite=finite)
    return x.reshape(-1, 1) if x.ndim == 1 else x


def value_at(x: np.ndarray, i: int, X: Any = None, integer: bool = False) -> str:
    """``x.flat[i]`` and where it is in the user's ``X`` (what ``x`` was read from), for a
    message: ``"-2.0 at row 1, column 0"``, a table's column by its label (``column
    'sym'``), a pandas row by its label too, a 1-D input's place as an index (``integer``:
    a whole number without its ``.0``, for data that should hold integers)."""
    labels = column_labels(X)
    if labels is not None and len(labels) != (x.shape[1] if x.ndim == 2 else 1):
        labels = None
    v = float(x.flat[i])
    shown = repr(int(v)) if integer and v.is_integer() else repr(v)
    flat = X is not None and np.ndim(X) == 1 and x.ndim == 2 and x.shape[1] == 1
    shape = (x.shape[0],) if flat else x.shape
    with row_labels(row_index(X)):
        return f"{shown} at {position(int(i), shape, labels)}"


def _textual(X: Any) -> bool:
    """Whether ``X`` holds text or categories (symbols the user has not coded as
    integers): a NumPy string or object array, or pandas text, object or category
    columns."""
    dtypes = list(X.dtypes) if hasattr(X, "dtypes") and not hasattr(X, "dtype") else None
    if dtypes is None:
        dtype = getattr(X, "dtype", None)
        if dtype is None and isinstance(X, (list, tuple)):
            try:
                dtype = np.asarray(X).dtype
            except (ValueError, TypeError):
                return False
        dtypes = [] if dtype is None else [dtype]
    names = ("category", "object", "string", "str")
    return any(str(d) in names or getattr(d, "kind", "") in "USO" for d in dtypes)


def as_int_obs(
    X: Any, name: str, *, what: str, low: int = 0, high: int | None = None
) -> np.ndarray:
    """Non-negative integer observations (float64 holding integers), ``(T, d)``.

    Raises :class:`InputError` naming ``name`` for negatives, non-integers or
    values ``>= high`` with the first bad index."""
    try:
        x = as_obs(X, name)
    except InputTypeError as exc:
        if not _textual(X):  # a sparse matrix, None, ...: the data layer's words and fix
            raise
        got = str(exc).split("; got ", 1)[-1].rsplit(". Fix: ", 1)[0]
        raise error(
            name,
            f"must hold integer {what}",
            got,
            "encode them as integers first, e.g. codes = pandas.factorize(x)[0]"
            if what == "symbols"
            else "convert them to numbers first, e.g. pandas.to_numeric(x)",
            wrong_type=True,
        ) from None
    bad = np.flatnonzero((x < low).ravel())
    if bad.size:
        raise error(
            name,
            f"must hold {what} >= {low}",
            value_at(x, bad[0], X, integer=True),
            f"pass non-negative integer {what}",
        )
    bad = np.flatnonzero((x != np.floor(x)).ravel())
    if bad.size:
        raise error(
            name,
            f"must hold integers ({what})",
            value_at(x, bad[0], X),
            "round or encode the values as integers",
        )
    if high is not None:
        bad = np.flatnonzero((x >= high).ravel())
        if bad.size:
            raise error(
                name,
                f"must hold symbols in [0, {high})",
                value_at(x, bad[0], X, integer=True),
                "raise n_symbols or re-encode X",
            )
    return x


def min_covar(value: Any) -> float:
    """A Gaussian emission's ``min_covar`` checked: a finite number > 0."""
    return real(
        value,
        "min_covar",
        low=0,
        low_open=True,
        fix="pass a positive variance floor in the data's squared units, e.g. 1e-3",
    )


def gaussian_range(x: np.ndarray, name: str = "X") -> np.ndarray:
    """Refuse observations too large for a Gaussian fit in double precision: the
    weighted sums of squares over ``T`` rows overflow once ``|x|`` nears
    ``sqrt(max_double / T)`` (~1.3e154 / sqrt(T)).  Raises :class:`InputError` naming the
    first such row."""
    limit = np.sqrt(np.finfo(np.float64).max / max(x.shape[0], 1)) / 4.0
    big = np.flatnonzero((np.abs(x) > limit).any(1))
    if big.size:
        t = int(big[0])
        raise error(
            name,
            f"must stay below {limit:.3g} in magnitude to fit a Gaussian "
            f"emission to {x.shape[0]} rows (its sums of squares overflow beyond)",
            f"row {row(t)} = {np.array2string(x[t], precision=6)}",
            "rescale X (e.g. divide each feature by its standard deviation) or remove the outlier",
        )
    return x


def gaussian_finite(var: np.ndarray, name: str = "X") -> None:
    """Refuse a fitted variance that overflowed (the data's second moments are not
    representable)."""
    bad = np.flatnonzero(~np.isfinite(np.asarray(var)).reshape(np.shape(var)[0], -1).all(1))
    if bad.size:
        raise error(
            name,
            "must have second moments within the double range to fit a Gaussian emission",
            f"a non-finite variance in state {int(bad[0])}",
            "rescale X (e.g. divide each feature by its standard deviation) or remove the outlier",
        )


def _at(name: str, shape: tuple[int, ...], flat: int) -> str:
    """``name[i]`` / ``name[i, j]`` for flat index ``flat`` of an array of ``shape``."""
    idx = np.unravel_index(int(flat), shape) if shape else ()
    return f"{name}[{', '.join(str(int(i)) for i in idx)}]" if idx else name


def _numbers(value: Any, name: str, fix: str) -> np.ndarray:
    """``value`` as float64; strings, booleans and other non-numbers refused."""
    try:
        a = np.asarray(value)
        if a.dtype.kind not in "iuf":
            raise TypeError
        return a.astype(np.float64, copy=False)
    except (TypeError, ValueError):
        raise error(name, "must be an array of numbers", describe(value), fix) from None


def check_values(value: Any, name: str, ok: Any, rule: str, fix: str) -> np.ndarray:
    """``value`` as a float64 array, checked element-wise: finite, then ``ok(a)``.

    Raises :class:`InputError` naming the first offending element (``name[2]``,
    ``name[1, 0]``), the rule, its value and ``fix``."""
    a = _numbers(value, name, fix)
    if np.isfinite(a).all() and np.all(ok(a)):
        return a  # the common case, without locating an offender
    for bad, why in ((~np.isfinite(a), "must be finite"), (~ok(a), rule)):
        hit = np.flatnonzero(bad.ravel()) if np.ndim(bad) else np.flatnonzero([bad])
        if hit.size:
            raise error(_at(name, a.shape, hit[0]), why, repr(float(a.flat[hit[0]])), fix)
    return a


#: how far from 1 a row of probabilities may sum (``np.allclose``'s default, hmmlearn's)
SUM_TOL = 1e-8 + 1e-5


def check_rows_sum_to_one(a: np.ndarray, name: str, fix: str) -> np.ndarray:
    """Rows (last axis) of the non-negative ``a`` sum to 1 within hmmlearn's tolerance
    (``np.allclose``: ``1e-8 + 1e-5``), so that parameters rounded to six digits or kept
    in float32 are taken as hmmlearn takes them."""
    sums = a.sum(-1)
    bad = np.flatnonzero(~(np.abs(np.atleast_1d(sums) - 1.0) <= SUM_TOL))
    if bad.size:
        where = name if a.ndim == 1 else _at(name, a.shape[:-1], bad[0])
        raise error(
            where,
            "must sum to 1",
            f"values summing to {float(np.atleast_1d(sums)[bad[0]])!r}",
            fix,
        )
    return a


def drawn_from(p: Any) -> np.ndarray:
    """A probability row ``p`` as NumPy's samplers take it: normalised, since a row is
    accepted within :func:`check_rows_sum_to_one`'s tolerance of 1 (a six-digit or float32
    table) and ``choice`` or ``multinomial`` allow about 1e-8."""
    row = np.asarray(p, dtype=np.float64)
    out: np.ndarray = row / row.sum()
    return out


def check_prob_rows(value: Any, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """A probability vector / row-stochastic matrix of ``shape``: finite, >= 0, rows
    summing to 1."""
    fix = "pass non-negative probabilities and normalise each row: p / p.sum(-1, keepdims=True)"
    a = check_values(value, name, lambda a: a >= 0, "must be >= 0 (a probability)", fix)
    if a.shape != tuple(shape):
        raise error(
            name,
            f"must have shape {tuple(shape)}",
            f"shape {a.shape}",
            "give one probability per state"
            + (" and one row per state" if len(shape) == 2 else ""),
        )
    return check_rows_sum_to_one(a, name, fix)


def count_log_dot(x: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``x @ log(p).T`` for counts ``x`` ``(T, d)`` and per-state probabilities or rates
    ``p`` ``(K, d)``, ``>= 0``: a zero of ``p`` takes no count (a factor 1 for a count of
    0, ``-inf`` for any other), the rule of the Poisson and multinomial densities.

    >>> count_log_dot(np.array([[0.0, 2.0], [1.0, 0.0]]), np.array([[0.0, 0.5]])).tolist()
    [[-1.3862943611198906], [-inf]]
    """
    zero = p == 0
    with np.errstate(divide="ignore"):
        out = x @ np.where(zero, 0.0, np.log(p)).T
    if zero.any():
        out[((x != 0).astype(np.float64) @ zero.T) > 0] = -np.inf
    return out


def check_prob_table(value: Any, name: str, what: str) -> np.ndarray:
    """``(n_states, n_<what>s)`` per-state probabilities of ``what`` (symbols, categories):
    2-D and row-stochastic (:func:`check_prob_rows`)."""
    P = np.asarray(value, dtype=np.float64)
    if P.ndim != 2:
        raise error(
            name,
            f"must be (n_states, n_{what}s)",
            f"shape {P.shape}",
            f"give one row of {what} probabilities per state",
        )
    return check_prob_rows(P, name, P.shape)


def floor_collapsed(var: np.ndarray, mean_square: np.ndarray, floor: float) -> Any:
    """The M-step's variances kept as they are (hmmlearn's update), but those that are
    zero to rounding -- at most ``8 eps`` of the state's weighted mean square
    ``mean_square`` of the (shifted) data, or not a number: a state collapsed onto equal
    values, possible without the covariance prior -- raised to ``floor`` (``min_covar``)."""
    return np.where(var > 8.0 * np.finfo(np.float64).eps * mean_square, var, floor)


def covars_map(
    cov: np.ndarray, N: np.ndarray, prior: Any, weight: Any, offset: Any, shape: tuple[int, ...]
) -> Any:
    """hmmlearn's covariance M-step with its prior (``means_weight = 0``):
    ``(covars_prior + c_n) / max(max(covars_weight - offset, 0) + N, 1e-5)`` with
    ``c_n = N cov`` the weighted scatter (``offset``: 1 for variances, ``d`` for
    matrices).  ``covars_prior = 0, covars_weight <= offset`` is the MLE ``cov``
    itself (returned unchanged)."""
    got = _covars_prior(prior, weight, offset, shape)
    if got is None:
        return cov
    prior, c = got
    return (prior + N * cov) / np.maximum(c + N, 1e-5)


def _covars_prior(prior: Any, weight: Any, offset: Any, shape: tuple[int, ...]) -> Any:
    """``(covars_prior broadcast to shape, max(covars_weight - offset, 0))``, checked:
    entries ``>= 0`` for variances, symmetric positive semi-definite matrices (an
    inverse-Wishart scale, hmmlearn's scalar meaning that number in every entry) for a
    ``(K, d, d)`` shape; ``None`` where there is no prior (``covars_prior = 0,
    covars_weight <= offset``)."""
    matrices = len(shape) == 3
    prior = check_values(
        prior,
        "covars_prior",
        (lambda a: np.ndim(a) >= 2 or a >= 0) if matrices else (lambda a: a >= 0),
        "must be >= 0",
        "pass 0 (no prior) or hmmlearn's 1e-2",
    )
    weight = real(weight, "covars_weight", low=0, fix="pass 1 (no prior) or a prior weight")
    if not np.any(prior) and weight <= offset:
        return None
    try:
        prior = np.broadcast_to(prior, shape)
    except ValueError:
        raise error(
            "covars_prior",
            f"must be a scalar or broadcast to {shape}",
            f"shape {prior.shape}",
            "pass a scalar such as 1e-2",
        ) from None
    if matrices and prior.ndim >= 2:
        _check_scale_matrices(prior)
    return prior, max(weight - offset, 0.0)


def _check_scale_matrices(P: np.ndarray) -> None:
    """Refuse prior matrices ``(K, d, d)`` that are not symmetric positive semi-definite
    (to rounding): they would make the M-step's covariances indefinite."""
    size = max(float(np.abs(P).max()), 1e-300)
    asym = np.abs(P - np.swapaxes(P, 1, 2)).max(axis=(1, 2))
    low = np.linalg.eigvalsh(0.5 * (P + np.swapaxes(P, 1, 2))).min(axis=1)
    bad = np.flatnonzero((asym > 1e-12 * size) | (low < -1e-12 * size))
    if bad.size:
        k = int(bad[0])
        raise error(
            "covars_prior",
            "must hold symmetric positive semi-definite matrices (an inverse-Wishart "
            "scale) for full or tied covariances",
            f"matrix {k} with asymmetry {asym[k]:.3g} and smallest eigenvalue {low[k]:.3g}",
            "pass a scalar such as 1e-2, or e.g. 1e-2 * np.eye(d)",
        )


def covars_log_prior(cov: np.ndarray, prior: Any, weight: Any, kind: str, d: int) -> float:
    """The log-density, up to a constant, of the prior whose mode :func:`covars_map`
    takes, at the covariances ``cov`` of ``kind``: variances ``(K, d)`` ("diag", and
    ``Normal``'s), one per state ``(K,)`` ("spherical"), matrices ``(K, d, d)`` ("full")
    or one ``(d, d)`` ("tied").  With ``P`` the prior and ``c = max(weight - offset, 0)``:
    ``-(c/2) log v - P / (2 v)`` per variance (inverse gamma; a spherical variance
    stands for its ``d`` features), ``-(c/2) log|S| - tr(P S^-1) / 2`` per matrix
    (inverse Wishart).  What EM with that M-step increases is the log-likelihood plus
    this, so the convergence monitor checks that sum for decreases."""
    matrices = kind in ("full", "tied")
    K = 1 if kind == "tied" else len(cov)
    shape = (K, d, d) if matrices else (K, d)
    got = _covars_prior(prior, weight, d if matrices else 1, shape)
    if got is None:
        return 0.0
    P, c = got
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if matrices:
            S = np.reshape(cov, (K, d, d))
            sign, logdet = np.linalg.slogdet(S)
            if not np.all(sign > 0):  # singular or indefinite: outside the prior's support
                return -np.inf
            trace = np.einsum("kij,kji->k", P, np.linalg.inv(S))
            value = np.sum(-0.5 * c * logdet - 0.5 * trace)
        else:
            v = np.asarray(cov, dtype=np.float64)
            if not np.all(v > 0):
                return -np.inf
            if kind == "spherical":  # one variance standing for d features
                value = np.sum(-0.5 * d * c * np.log(v) - P.sum(1) / (2.0 * v))
            else:
                value = np.sum(-0.5 * c * np.log(v) - P / (2.0 * v))
    return float(value)


def per_state(value: Any, n_states: int | None, d: int | None, name: str) -> np.ndarray:
    """A per-state parameter as ``(K, d)`` float64 (``(K,)`` accepted when ``d == 1``)."""
    a = _numbers(value, name, f"pass {name} as numbers, one per state (and feature)")
    if a.ndim == 1:
        a = a.reshape(-1, 1) if d in (None, 1) else a.reshape(-1, 1).repeat(d, 1)
    if a.ndim != 2 or (n_states is not None and a.shape[0] != n_states):
        raise error(
            name,
            "must be (n_states,) or (n_states, n_features)",
            f"shape {np.shape(value)}",
            "give one value per state",
        )
    return a


def kmeans(
    X: np.ndarray, k: int, rng: np.random.Generator, n_init: int = 3, max_iter: int = 100
) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd's k-means with k-means++ seeding (Arthur & Vassilvitskii 2007).

    ``X`` is ``(n, d)``; returns ``(centers (k, d), labels (n,))``.  Empty
    clusters are re-seeded at the point farthest from its center."""
    X = np.asarray(X, dtype=np.float64)
    if X.shape[0] > INIT_ROWS:
        X = X[rng.choice(X.shape[0], INIT_ROWS, replace=False)]
    n = X.shape[0]
    # powers of two per column first: the std of data near 1e200 overflows and of data
    # near 1e-200 underflows, where the clustering must not depend on the units
    top = np.abs(X).max(axis=0, initial=0.0)
    unit = np.exp2(np.floor(np.log2(np.where((top > 0) & np.isfinite(top), top, 1.0))))
    X = X / unit
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    Z = (X - X.mean(axis=0)) / scale
    best: tuple[float, Any, Any] = (np.inf, None, None)
    for _ in range(n_init):
        c = np.empty((k, Z.shape[1]))
        c[0] = Z[rng.integers(n)]
        d2 = ((Z - c[0]) ** 2).sum(1)
        for j in range(1, k):
            p = d2 / d2.sum() if d2.sum() > 0 else np.full(n, 1.0 / n)
            c[j] = Z[rng.choice(n, p=p)]
            d2 = np.minimum(d2, ((Z - c[j]) ** 2).sum(1))
        for _ in range(max_iter):
            dist = (Z**2).sum(1)[:, None] - 2 * Z @ c.T + (c**2).sum(1)[None, :]
            lab = dist.argmin(1)
            new = np.zeros_like(c)
            cnt = np.bincount(lab, minlength=k).astype(float)
            np.add.at(new, lab, Z)
            for j in np.flatnonzero(cnt == 0).tolist():
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
    centers = (best[1] * scale + X.mean(axis=0)) * unit
    order = np.argsort(centers[:, 0], kind="stable")  # deterministic state order
    centers = centers[order]
    lab = np.argsort(order)[best[2]]
    return centers, lab


#: a state whose posterior weight is at most this keeps its parameters (absolute: a
#: weight of 1e-5 from 200,000 steps updates them, as hmmlearn's)
EMPTY_WEIGHT = 1e-10


def empty_states(N: np.ndarray) -> np.ndarray:
    """Mask of states whose total weight is negligible (``<= EMPTY_WEIGHT``)."""
    N = np.asarray(N, dtype=np.float64)
    mask: np.ndarray = ~(N > EMPTY_WEIGHT)
    return mask


def warn_empty(mask: np.ndarray, family: str, action: str) -> None:
    if mask.any():
        warn(
            f"{family}: state(s) {np.flatnonzero(mask).tolist()} received no "
            f"posterior weight (at most {EMPTY_WEIGHT:g}); their parameters were {action}.",
            NumericalWarning,
        )


def hard_weights(labels: np.ndarray, k: int) -> np.ndarray:
    """One-hot ``(n, k)`` weights of cluster labels."""
    W = np.zeros((labels.size, k))
    W[np.arange(labels.size), labels] = 1.0
    return W


def emission_states(em: Any) -> Any:
    """The number of states the emission's parameters describe, or ``None``."""
    try:
        n = em.n_states
    except (NotFittedError, AttributeError, TypeError, ValueError):
        weights = getattr(em, "weights", None)
        n = np.shape(weights)[0] if weights is not None and np.ndim(weights) == 2 else None
    return n if isinstance(n, (int, np.integer)) else None
