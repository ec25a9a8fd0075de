"""The GP posterior along one parameter: the one computation behind
:func:`pyjl.bo.plots.posterior_1d`, :func:`pyjl.bo.plots.animate` and the dashboard's
posterior plot (:mod:`pyjl.bo.dashboard`).

:func:`posterior_line` evaluates the surrogate of an :class:`~pyjl.bo.Optimizer` along
one parameter, the others held at the best point: the posterior median (mean without an
output warp) and its ± 2σ band in the objective's units, the acquisition and its
maximiser on that line, and the observations. :func:`replay` builds an in-memory
optimizer from stored trials (a snapshot: reading it never touches the study's storage).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _validate
from .direction import best_index, sign
from .optimizer import Optimizer
from .space import Categorical, Integer, Space
from .storage import MemoryStorage
from .surrogate import model_values
from .trial import Trial, TrialState

__all__ = ["PosteriorLine", "posterior_line", "replay", "N_GRID_MAX"]

#: the most points :func:`posterior_line` evaluates the posterior at
N_GRID_MAX = 100_000


@dataclasses.dataclass
class PosteriorLine:
    """The posterior of a surrogate along parameter ``name`` (``n`` points of the line).

    Attributes
    ----------
    name : str
        The parameter.
    kind : {"real", "integer", "categorical"}
        Its type; a categorical line has one point per choice.
    log : bool
        Whether the parameter is on a log scale.
    x : ndarray of shape (n,)
        The parameter's values along the line (a categorical's choice indices).
    labels : list of str or None
        A categorical's choices (``None`` otherwise).
    lower, centre, upper : ndarray of shape (n,)
        The posterior's 2.3 % quantile (``mu - 2 sd``), median and 97.7 % quantile in the
        objective's units, clipped to ``window``.
    acquisition : ndarray of shape (n,)
        The acquisition along the line.
    acquisition_name : str
        Its class name (``"ExpectedImprovement"``, ...).
    next : object
        The parameter's value where the acquisition is largest on the line.
    next_index : int
        Its index in ``x``.
    obs_x, obs_y : ndarray of shape (m,)
        The completed trials' values of the parameter (a categorical's choice indices)
        and their objective values (clipped to ``window`` as drawn; ``values`` unclipped).
    values : ndarray of shape (m,)
        The completed trials' objective values.
    window : tuple of float
        The observed values' range widened by its width on each side: the curves are
        clipped to it.
    clipped : bool
        Whether the band or median was clipped.
    centre_name : str
        ``"posterior mean"``, or ``"posterior median"`` through an output warp.
    """

    name: str
    kind: str
    log: bool
    x: np.ndarray
    labels: list[str] | None
    lower: np.ndarray
    centre: np.ndarray
    upper: np.ndarray
    acquisition: np.ndarray
    acquisition_name: str
    next: object
    next_index: int
    obs_x: np.ndarray
    obs_y: np.ndarray
    values: np.ndarray
    window: tuple[float, float]
    clipped: bool
    centre_name: str

    @property
    def n_outside(self) -> int:
        """How many observations lie beyond :attr:`window` (drawn at its edge)."""
        lo, hi = self.window
        return int(np.sum((self.values < lo) | (self.values > hi)))


def _window(values: np.ndarray) -> tuple[float, float]:
    """The observed values' range widened by its width on both sides; values far from
    the rest (±1e308, say) count as the surrogate sees them (:func:`model_values`)."""
    seen = model_values(values)[0] if values.size else np.zeros(1)
    low, high = float(np.min(seen)), float(np.max(seen))
    width = high - low if high > low else max(abs(high), 1.0)
    return low - width, high + width


def _band(opt: Optimizer, mu: np.ndarray, sd: np.ndarray, window: tuple[float, float]):
    """``((lo, mid, hi), cut)``: the posterior median and ± 2σ band in the objective's
    units, each clipped to ``window``; ``cut`` says whether anything was clipped.

    Through the inverse output warp a Gaussian quantile outside the warp's
    :attr:`~pyjl.bo.surrogate.OutputWarp.domain` has no finite objective value (the band
    is unbounded there) and one near its edge an astronomically large one; both are drawn
    at the window's edge instead.  The surrogate models losses (minus the values of a
    maximised study), so there the upper quantile of the loss is the lower value."""
    warp = opt.output_warp
    s = sign(opt.direction)
    out = []
    for q in (mu - 2 * sd, mu, mu + 2 * sd):
        v = np.asarray(opt.to_objective(q), dtype=float)
        if warp is not None:
            below, above = warp.domain
            v = np.where(q <= below, -s * np.inf, np.where(q >= above, s * np.inf, v))
        out.append(v)
    if s < 0:
        out.reverse()
    cut = any(bool(np.any((v < window[0]) | (v > window[1]))) for v in out)
    return [np.clip(v, *window) for v in out], cut


def check_name(space: Space, name: object) -> str:
    """``name`` if it is a parameter of ``space``; else the :class:`InputError`."""
    if not isinstance(name, str) or name not in space.dimensions:
        raise _validate.error(
            "name",
            f"must be a parameter of the space, one of {space.names}",
            _validate.describe(name),
            "pass one of the parameter names",
        )
    return name


def posterior_line(opt: Optimizer, name: str, n_grid: int = 200) -> PosteriorLine:
    """The posterior of ``opt``'s surrogate along parameter ``name`` at ``n_grid`` points
    of its range (1 to 100,000; a categorical: one per choice), the other parameters at
    the best point.

    Examples
    --------
    >>> from pyjl.bo import Optimizer, Real, Space
    >>> from pyjl.bo.posterior import posterior_line
    >>> opt = Optimizer(Space({"x": Real(-2.0, 2.0)}), n_initial=3, seed=0)
    >>> for _ in range(4):
    ...     p = opt.ask()
    ...     _ = opt.tell(p, (p["x"] - 0.5) ** 2)
    >>> line = posterior_line(opt, "x", n_grid=50)
    >>> line.x.shape, bool((line.lower <= line.centre).all() and (line.centre <= line.upper).all())
    ((50,), True)
    """
    if not isinstance(opt, Optimizer):
        raise _validate.error(
            "opt",
            "must be an Optimizer",
            _validate.describe(opt),
            "pass the Optimizer, e.g. a minimize result's .optimizer",
        )
    space = opt.space
    check_name(space, name)
    n_grid = _validate.integer(n_grid, "n_grid", low=1, high=N_GRID_MAX)
    done = [t for t in opt.trials if t.state == TrialState.COMPLETE]
    if len(done) < 2:
        raise _validate.error(
            "opt",
            "must hold at least 2 completed trials (the surrogate needs them)",
            f"{len(done)}",
            "tell more values before plotting",
        )
    gp = opt.surrogate()
    acq = opt.acquisition_function(gp)
    best = done[best_index(done, opt.direction)]
    base = space.round(space.encode(best.params)[None, :])[0]
    dim, s = space.dimensions[name], space.slices[name]
    labels = None
    if isinstance(dim, Categorical):
        labels = [str(c) for c in dim.choices]
        U = np.repeat(base[None, :], len(labels), axis=0)
        U[:, s] = np.eye(len(labels))
        xs = np.arange(len(labels), dtype=float)
        obs_x = np.array([dim.index(t.params[name]) for t in done], dtype=float)
    else:
        U = np.repeat(base[None, :], n_grid, axis=0)
        U[:, s.start] = np.linspace(0.0, 1.0, n_grid)
        U = space.round(U)
        xs = np.array([space.decode(u)[name] for u in U], dtype=float)
        obs_x = np.array([t.params[name] for t in done], dtype=float)
    mu, sd = gp.predict(U, return_std=True)
    mu, sd = np.asarray(mu).reshape(-1), np.asarray(sd).reshape(-1)
    values = np.array([t.value for t in done], dtype=float)
    window = _window(values)
    (lo, mid, hi), cut = _band(opt, mu, sd, window)
    a = np.asarray(acq(U), dtype=float).reshape(-1)
    j = int(np.argmax(a))
    kind = (
        "categorical"
        if isinstance(dim, Categorical)
        else "integer"
        if isinstance(dim, Integer)
        else "real"
    )
    return PosteriorLine(
        name=name,
        kind=kind,
        log=bool(getattr(dim, "log", False)),
        x=xs,
        labels=labels,
        lower=lo,
        centre=mid,
        upper=hi,
        acquisition=a,
        acquisition_name=type(acq).__name__,
        next=space.decode(U[j])[name],
        next_index=j,
        obs_x=obs_x,
        obs_y=np.clip(values, *window),
        values=values,
        window=window,
        clipped=cut,
        centre_name="posterior mean" if opt.output_warp is None else "posterior median",
    )


def replay(
    space: Space,
    seed: int,
    trials: Sequence[Trial],
    like: Optimizer | None = None,
    direction: str = "minimize",
) -> Optimizer:
    """An in-memory :class:`Optimizer` over ``space`` holding ``trials`` (their numbers,
    states, values, errors and workers), with the settings of ``like`` (default: the
    defaults, and ``direction``); the source of the trials is never written to.

    Examples
    --------
    >>> from pyjl.bo import Real, Space
    >>> from pyjl.bo.trial import Trial
    >>> space = Space({"x": Real(0.0, 1.0)})
    >>> opt = replay(space, 0, [Trial(0, {"x": 0.2}, "complete", 1.0),
    ...                         Trial(1, {"x": 0.7}, "failed", error="boom")])
    >>> [(t.number, str(t.state), t.error) for t in opt.trials]
    [(0, 'complete', None), (1, 'failed', 'boom')]
    """
    settings: dict[str, Any] = {"direction": direction}
    if like is not None:
        settings = {
            "acquisition": like.acquisition,
            "n_initial": like.n_initial,
            "batch": like.batch,
            "liar": like.liar,
            "fit": like.fit_method,
            "xi": like.xi,
            "kappa": like.kappa,
            "prior": like.prior,
            "warp_y": like.warp_y,
            "gls_mean": like.gls_mean,
            "initial": like.initial,
            "n_candidates": like.n_candidates,
            "pruned_as": like.pruned_as,
            "direction": like.direction,
        }
    opt = Optimizer(space, storage=MemoryStorage(), seed=seed, **settings)
    storage, sid = opt.storage, opt._study_id
    for t in sorted(trials, key=lambda t: t.number):
        storage.add_trial(
            sid, json.dumps(t.params), t.state, t.value, t.noise_var, t.error, t.worker
        )
    return opt
