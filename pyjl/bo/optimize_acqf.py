"""The acquisition optimiser: the unit-cube point where an acquisition is largest.

:func:`maximize` scores a dense scrambled-Sobol candidate set (plus points
near the best observations), then polishes the best few, each with its own
L-BFGS-B over the continuous coordinates within ``[0, 1]`` (scaled by the
model's lengthscales), and a neighbour search over integer and categorical
values; every point it returns is rounded (:meth:`Space.round`) and none is one
of the points it is told to exclude.

>>> import numpy as np
>>> from pyjl.bo import ExpectedImprovement, Real, Space
>>> class Model:                      # a toy posterior: mu = (x - 0.3)^2, sigma = 0.1
...     def predict(self, X, return_std=False):
...         return (X[:, 0] - 0.3) ** 2, np.full(len(X), 0.1)
>>> u, _ = maximize(ExpectedImprovement(Model(), best=0.0), Space({"x": Real(0.0, 1.0)}),
...                 np.random.default_rng(0))
>>> round(float(u[0]), 3)
0.3
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from .. import _validate
from ._sobol import sobol_rows
from .acquisition import Acquisition
from .space import Categorical, Integer, Space

__all__ = ["maximize", "N_CANDIDATES_MAX", "LOCAL_SCALES"]

#: the most candidates :func:`maximize` scores at once (``n_candidates``): 2**20
N_CANDIDATES_MAX = 2**20


def _neighbours(space: Space, u: np.ndarray) -> np.ndarray:
    """Points differing from rounded ``u`` in one integer (±1) or one categorical value."""
    out = []
    for name, dim in space.dimensions.items():
        s = space.slices[name]
        if isinstance(dim, Integer):
            v = dim.decode(u[s])
            for w in (v - 1, v + 1):
                if dim.lo <= w <= dim.hi:
                    p = u.copy()
                    p[s] = dim.encode(w)
                    out.append(p)
        elif isinstance(dim, Categorical):
            cur = int(np.argmax(u[s]))
            for j in range(dim.n_encoded):
                if j != cur:
                    p = u.copy()
                    p[s] = 0.0
                    p[s.start + j] = 1.0
                    out.append(p)
    return np.array(out).reshape(-1, len(u))


def _lengthscales(acq: Acquisition, space: Space) -> np.ndarray:
    """The model's ARD lengthscales on the continuous coordinates (ones if it has none)."""
    k = space.continuous.size
    try:
        ls = np.asarray(acq.model.kernel_.lengthscale, dtype=np.float64).reshape(-1)
        ls = np.broadcast_to(ls, (space.n_encoded,))[space.continuous]
    except (AttributeError, TypeError, ValueError):
        return np.ones(k)
    return np.clip(np.where(np.isfinite(ls), ls, 1.0), 1e-3, 1e3)


def _polish(f, space: Space, starts: np.ndarray, maxiter: int, ls: np.ndarray) -> np.ndarray:
    """L-BFGS-B from each start on its own, over the continuous coordinates scaled by the
    lengthscales ``ls`` (``z = x / l``: a Matérn posterior is then equally curved along
    every axis — the preconditioning of Optuna's GPSampler); central-difference
    gradients, one model call per gradient."""
    cont = space.continuous
    if cont.size == 0 or maxiter <= 0:
        return starts
    k, h = cont.size, 1e-5
    shifts = np.vstack([np.zeros((1, k)), np.eye(k) * h, -np.eye(k) * h])
    out = starts.copy()
    for i, x0 in enumerate(starts):
        P = np.repeat(x0[None, :], 2 * k + 1, axis=0)

        def fun(z, P=P):
            P[:, cont] = (z[None, :] + shifts) * ls
            v = f(P)
            v = np.where(np.isfinite(v), v, -1e300)
            g = (v[1 : k + 1] - v[k + 1 :]) / (2 * h)
            return -float(v[0]), -np.where(np.abs(g) < 1e250, g, 0.0)

        with np.errstate(all="ignore"):  # per thread, unlike warnings.catch_warnings
            res = optimize.minimize(
                fun,
                x0[cont] / ls,
                jac=True,
                method="L-BFGS-B",
                bounds=[(0.0, 1.0 / l) for l in ls],
                options={"maxiter": maxiter, "gtol": 1e-5},
            )
        out[i, cont] = np.clip(res.x * ls, 0.0, 1.0)
    return out


#: standard deviations (unit cube) of the extra candidates drawn around the anchors
LOCAL_SCALES = (0.1, 0.02)


def maximize(
    acq: Acquisition,
    space: Space,
    rng: np.random.Generator,
    *,
    exclude: set | None = None,
    anchors: np.ndarray | None = None,
    n_candidates: int | None = None,
    n_starts: int = 10,
    maxiter: int = 100,
    n_neighbour_rounds: int = 3,
) -> tuple[np.ndarray, float]:
    """Return the rounded unit-cube point ``(n_encoded,)`` maximising ``acq`` and its value.

    ``exclude`` holds :meth:`Space.key` texts of points that must not be returned
    (evaluated, pending or already chosen); ``anchors`` ``(m, n_encoded)`` are good
    points around which extra local candidates are drawn.  When every candidate is
    excluded, an unseen point of :func:`~pyjl.bo.samplers.random_unseen` (which raises
    :class:`~pyjl.bo.SpaceExhausted` when none is left).
    """
    d = space.n_encoded
    exclude = exclude or set()
    n_candidates = (
        2048
        if n_candidates is None
        else _validate.integer(n_candidates, "n_candidates", low=1, high=N_CANDIDATES_MAX)
    )
    cand = [sobol_rows(d, rng, 0, n_candidates)]
    if anchors is not None and len(anchors):
        for scale in LOCAL_SCALES:
            reps = max(1, 128 // len(anchors))
            local = np.repeat(anchors, reps, axis=0) + rng.normal(
                0.0, scale, (len(anchors) * reps, d)
            )
            cand.append(1.0 - np.abs(1.0 - np.abs(local) % 2.0))  # reflect into [0, 1]
    C = space.round(np.vstack(cand))
    f = acq.objective
    vals = f(C)
    vals = np.where(np.isfinite(vals), vals, -np.inf)
    order = np.argsort(-vals, kind="stable")
    # starts: the best candidate, the incumbent (anchors[0]) and a roulette draw weighted by
    # exp(objective - max) (the objective is log-scaled for EI and PI)
    chosen = [int(order[0])]
    w = np.exp(np.clip(vals - vals[order[0]], -700.0, 0.0))
    w[order[0]] = 0.0
    n_extra = min(
        n_starts - 1 - (anchors is not None and len(anchors) > 0), int(np.count_nonzero(w > 0))
    )
    if n_extra > 0:
        chosen += list(rng.choice(len(C), size=n_extra, replace=False, p=w / w.sum()))
    starts = C[chosen]
    if anchors is not None and len(anchors):
        starts = np.vstack([starts, space.round(anchors[:1])])
    polished = space.round(_polish(f, space, starts, maxiter, _lengthscales(acq, space)))
    for _ in range(n_neighbour_rounds):
        improved = False
        pv = f(polished)
        for i in range(len(polished)):
            nb = _neighbours(space, polished[i])
            if len(nb):
                nv = f(nb)
                j = int(np.argmax(nv))
                if nv[j] > pv[i]:
                    polished[i], improved = nb[j], True
        if not improved:
            break
    pool = np.vstack([polished, C[order]])
    pv = f(pool[: len(polished)])
    pool_vals = np.concatenate([np.where(np.isfinite(pv), pv, -np.inf), vals[order]])
    best_first = np.argsort(-pool_vals, kind="stable")
    for i in best_first:
        if space.key(space.decode(pool[i])) not in exclude:
            return pool[i], float(acq(pool[i][None, :])[0])
    # every candidate is taken: an unseen point at random (small discrete spaces); imported
    # here because the samplers import this module
    from .samplers.base import random_unseen

    u = space.encode(random_unseen(space, rng, exclude))
    return u, float(acq(u[None, :])[0])
