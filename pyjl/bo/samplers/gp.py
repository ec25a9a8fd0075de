"""The GP sampler: Bayesian optimisation on a surrogate, with fantasies for pending points."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ... import _validate, engines
from ..._warn import quiet
from ...exceptions import NumericalWarning
from .. import acquisition as acq_mod
from ..optimize_acqf import N_CANDIDATES_MAX, maximize
from ..space import Space
from ..surrogate import Surrogate, encode
from ..trial import Trial, TrialState
from .base import Sampler, point_rng, random_unseen, seen_keys, sobol_unseen

__all__ = ["GPSampler"]

BATCH = ("kriging_believer", "constant_liar")
#: the noise variance (model units) at which kriging believer fantasises a pending point
_BELIEVED_NOISE = 1e-6
LIARS = ("min", "mean", "max")
FITS = ("ml", "loo")


def require_engine(sampler: Any = "gp") -> None:
    """Resolve the engine now where ``sampler`` fits GPs (``"gp"``, the default, or a
    :class:`GPSampler`): a ``PYJL_BACKEND`` that names no engine, or one that cannot run
    here, is refused before a study is opened and the initial design spends its calls
    (the GP's first fit found it only after them)."""
    if (isinstance(sampler, str) and sampler == "gp") or isinstance(sampler, GPSampler):
        engines.current()


class GPSampler(Sampler):
    """Bayesian optimisation: an initial design, then the maximiser of an acquisition.

    While fewer than ``n_initial`` trials exist (or fewer than 2 are complete), a
    uniform draw or the next point of the study's scrambled Sobol sequence
    (``initial``).  Then: fit the :class:`~pyjl.bo.surrogate.Surrogate` to the
    completed trials, *fantasise* every pending trial and every point already chosen
    for this batch (``batch="kriging_believer"``: at the posterior mean;
    ``"constant_liar"``: at ``min``/``mean``/``max`` of the observed values, ``liar``;
    Ginsbourger, Le Riche & Carraro 2010), every failed trial at the worst value seen (so
    the search moves away from it) and every pruned trial at the ``q``-quantile of the
    completed values, ``q`` its rank in ``pruned`` (:func:`pyjl.bo.fidelity.pruned_ranks`,
    which the Optimizer passes; the worst value without one) -- or, given ``partial``
    (:func:`pyjl.bo.fidelity.partial_means`, ``Optimizer(pruned_as="mean")``), fit the
    pruned trials with the completed ones, each at its estimated final value with extra
    noise -- and maximise the acquisition (:func:`~pyjl.bo.optimize_acqf.maximize`).  The
    parameters are those of :class:`~pyjl.bo.Optimizer`, checked the same way.

    Parameters
    ----------
    acquisition : {"ei", "logei", "pi", "ucb"}, default "ei"
        The acquisition function (:data:`pyjl.bo.acquisition.ACQUISITIONS`).
    n_initial : int or None, default None
        Points of the initial design; ``None``: ``max(5, min(10, space.n_encoded + 4))``,
        set by :meth:`check`.
    batch : {"kriging_believer", "constant_liar"}, default "kriging_believer"
        How pending and already chosen points are fantasised.
    liar : {"min", "mean", "max"}, default "min"
        The value a constant liar's fantasy takes.
    fit : {"ml", "loo"}, default "ml"
        The evidence the surrogate's hyperparameters maximise.
    xi : float, default 0.0
        Margin of EI and PI, ``>= 0``.
    kappa : float, default 2.0
        Width of UCB in posterior standard deviations, ``>= 0``.
    prior : bool, default True
        Weak priors on the hyperparameters (a MAP fit).
    warp_y : bool, default True
        The GP models the values through an output warp.
    gls_mean : bool, default True
        The GP's constant mean is its generalised least-squares estimate.
    initial : {"random", "sobol"}, default "random"
        Uniform draws or a scrambled Sobol sequence for the initial design.
    n_candidates : int or None, default None
        Sobol candidates the acquisition is scored on (``None``: 2048).

    Attributes
    ----------
    surrogate : Surrogate
        The GP of the completed trials and its cache.
    fit_method : str
        ``fit`` as given, checked.

    Examples
    --------
    >>> from pyjl.bo import Real, Space
    >>> from pyjl.bo.samplers import GPSampler
    >>> g = GPSampler(n_initial=3)
    >>> g.check(Space({"x": Real(0.0, 1.0)}))
    >>> g.n_initial, g.fit_method, g.batch
    (3, 'ml', 'kriging_believer')
    """

    name = "gp"

    def __init__(
        self,
        acquisition: str = "ei",
        n_initial: int | None = None,
        batch: str = "kriging_believer",
        *,
        liar: str = "min",
        fit: str = "ml",
        xi: float = 0.0,
        kappa: float = 2.0,
        prior: bool = True,
        warp_y: bool = True,
        gls_mean: bool = True,
        initial: str = "random",
        n_candidates: int | None = None,
    ):
        self.acquisition = _validate.choice(
            acquisition, "acquisition", tuple(acq_mod.ACQUISITIONS)
        )
        self.batch = _validate.choice(batch, "batch", BATCH)
        self.liar = _validate.choice(liar, "liar", LIARS)
        self.fit_method = _validate.choice(fit, "fit", FITS)
        self.initial = _validate.choice(initial, "initial", ("sobol", "random"))
        # xi >= 0 as in scikit-optimize and BoTorch: a negative margin rewards points
        # predicted worse than the incumbent
        self.xi = _validate.real(xi, "xi", low=0.0)
        self.kappa = _validate.real(kappa, "kappa", low=0.0)
        self.prior = _validate.boolean(prior, "prior")
        self.warp_y = _validate.boolean(warp_y, "warp_y")
        self.gls_mean = _validate.boolean(gls_mean, "gls_mean")
        self.n_candidates = (
            None
            if n_candidates is None
            else _validate.integer(
                n_candidates,
                "n_candidates",
                low=1,
                high=N_CANDIDATES_MAX,
                fix=f"pass a whole number in 1..{N_CANDIDATES_MAX:,}, or None",
            )
        )
        self.n_initial = (
            None
            if n_initial is None
            else _validate.integer(
                n_initial, "n_initial", low=1, fix="pass a whole number >= 1, or None"
            )
        )
        self.surrogate = Surrogate(self.fit_method, self.prior, self.warp_y, self.gls_mean)

    def check(self, space: Space) -> None:
        """Set the default ``n_initial`` from the width of ``space``."""
        if self.n_initial is None:
            self.n_initial = max(5, min(10, space.n_encoded + 4))

    def fit(self, space: Space, done: Sequence[Trial], seed: int, extra: np.ndarray | None = None):
        """``(gp, X, y)`` of the surrogate fitted to the completed trials ``done``
        (``extra``: per-trial noise variances added, see ``Surrogate.fit``)."""
        return self.surrogate.fit(
            space, list(done), seed=seed, n_initial=self.n_initial or 1, extra=extra
        )

    def acquisition_function(self, gp, Xall: np.ndarray, y: np.ndarray | None = None):
        """The acquisition on ``gp``; ``Xall`` = the observed points (values ``y``) then the
        fantasised ones.  The incumbent of EI/PI is the best observed value (Jones et al.
        1998) — or, with known per-trial noise, the lowest posterior mean, since observed
        values are then noisy — and never above a fantasised (pending) point's mean."""
        cls = acq_mod.ACQUISITIONS[self.acquisition]
        if self.acquisition == "ucb":
            return cls(gp, kappa=self.kappa)
        mu = np.asarray(gp.predict(Xall)).reshape(-1)
        if y is not None and len(y) and getattr(gp, "noise_", None) is not None:
            best = float(min(np.min(y), np.min(mu[len(y) :], initial=np.inf)))
        else:
            best = float(np.min(mu))
        return cls(gp, best=best, xi=self.xi)

    def propose(
        self,
        space: Space,
        trials: Sequence[Trial],
        n: int,
        seed: int,
        *,
        pruned: Mapping[int, float] | None = None,
        partial: Mapping[int, tuple[float, float]] | None = None,
    ) -> list[dict]:
        self.check(space)
        assert self.n_initial is not None
        seen = seen_keys(space, trials)
        done = [t for t in trials if t.state == TrialState.COMPLETE]
        if partial:  # pruned trials fitted as noisy observations (fidelity.partial_means)
            done += [
                Trial(t.number, t.params, TrialState.COMPLETE, partial[t.number][0])
                for t in trials
                if t.state == TrialState.PRUNED and t.number in partial
            ]
        out: list[dict] = []
        believed = None  # (gp with the fantasies, its points, y, anchors)
        for i in range(n):
            number = len(trials) + i
            rng = point_rng(seed, number)
            if number < self.n_initial or len(done) < 2:
                p = (
                    sobol_unseen(space, seed, number, rng, seen)
                    if self.initial == "sobol"
                    else random_unseen(space, rng, seen)
                )
            else:
                if believed is None:
                    believed = self._believe(space, trials, done, seed, pruned, partial)
                gp, Xall, y, anchors = believed
                u, _ = maximize(
                    self.acquisition_function(gp, Xall, y),
                    space,
                    rng,
                    exclude=seen,
                    anchors=anchors,
                    n_candidates=self.n_candidates,
                )
                p = space.decode(u)
                if i + 1 < n:
                    believed = (
                        self._fantasise(gp, u[None, :], y),
                        np.vstack([Xall, u[None, :]]),
                        y,
                        anchors,
                    )
            seen.add(space.key(p))
            out.append(p)
        return out

    def _believe(
        self,
        space: Space,
        trials: Sequence[Trial],
        done: list[Trial],
        seed: int,
        pruned: Mapping[int, float] | None = None,
        partial: Mapping[int, tuple[float, float]] | None = None,
    ):
        """The surrogate with the pending, failed and pruned trials fantasised into a copy
        (the pruned ones in ``partial`` are in ``done``, observations with extra noise)."""
        partial = partial or {}
        extra = (
            np.array([partial[t.number][1] if t.number in partial else 0.0 for t in done])
            if partial
            else None
        )
        gp, X, y = self.fit(space, done, seed, extra)
        gp = copy.deepcopy(gp)
        Xp = encode(space, [t.params for t in trials if t.state == TrialState.RUNNING])
        if len(Xp):
            gp = self._fantasise(gp, Xp, y)
        # a failed point counts as the worst value seen, so its neighbourhood is not
        # retried; a pruned one at the quantile of its rank (its own value is from a
        # shorter run: not fitted, see bo.md), the worst value without one
        stopped = [
            t
            for t in trials
            if t.state == TrialState.FAILED
            or (t.state == TrialState.PRUNED and t.number not in partial)
        ]
        Xf = encode(space, [t.params for t in stopped])
        if len(Xf):
            ranks = pruned or {}
            q = [ranks.get(t.number, 1.0) if t.state == "pruned" else 1.0 for t in stopped]
            yf = np.quantile(y, q)
            gp = self._fantasise(gp, Xf, y, values=yf)
        return gp, np.vstack([X, Xp, Xf]), y, X[np.argsort(y)[:5]]

    def _fantasise(self, gp, Xf: np.ndarray, y: np.ndarray, values: np.ndarray | None = None):
        if values is not None:
            yf = values
        elif self.batch == "kriging_believer":
            yf = np.asarray(gp.predict(Xf)).reshape(-1)
        else:
            stats = {"min": np.min(y), "mean": np.mean(y), "max": np.max(y)}
            yf = np.full(len(Xf), stats[self.liar])
        nv = None if gp.noise_ is not None else np.full(len(Xf), self.surrogate.fantasy_nv)
        if values is None and self.batch == "kriging_believer" and gp.noise_ is not None:
            # a believed point is exact (Ginsbourger et al. 2010): its variance collapses,
            # so the next points of the batch leave it; at the learned noise they bunch
            believed = min(float(gp.noise_), _BELIEVED_NOISE) * gp._y_std**2  # in y's units
            nv = np.full(len(Xf), believed)
        with quiet(NumericalWarning):
            gp.update(Xf, yf, noise_var=nv)
        return gp
