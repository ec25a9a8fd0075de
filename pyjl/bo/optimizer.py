"""The ask/tell optimiser: the trials of a study, and a sampler that proposes points.

:class:`Optimizer` keeps the book: each ``ask`` runs inside one storage transaction
(so concurrent processes never collide), abandons the pending trials of workers
that died or went silent (:mod:`pyjl.bo.liveness`), asks its sampler
(:mod:`pyjl.bo.samplers`) for points and registers them as pending trials; each
``tell`` completes or fails one.  How points are chosen is the sampler's job: by
default the :class:`~pyjl.bo.samplers.GPSampler` (a GP surrogate on the unit cube,
fantasies for pending points, an acquisition maximised by
:func:`pyjl.bo.optimize_acqf.maximize`).  A point already evaluated, pending or
chosen is never returned.  What the study says back (:attr:`~Optimizer.trials`,
:attr:`~Optimizer.best`, :meth:`~Optimizer.surrogate`, ...) comes from its base
:class:`~pyjl.bo.views.StudyViews`, what it is told (:meth:`~Optimizer.tell`, ...) goes
through its base :class:`~pyjl.bo.telling.StudyTells`; opening the study, from
:func:`pyjl.bo.study.open_study`.
"""

from __future__ import annotations

import copy
import json
import math
import time
from collections.abc import Mapping
from typing import Any

from .. import _validate
from .._threads import thread_limit
from .direction import loss_curves, loss_trials
from .fidelity import PRUNED_AS
from .liveness import abandon_reason, check_stale_after, worker_id
from .pruners import check_pruner
from .samplers import GPSampler, GridSampler, RandomSampler, Sampler
from .samplers.base import seen_keys
from .space import Space, SpaceExhausted
from .study import open_study
from .telling import StudyTells
from .trial import Trial, TrialState
from .views import StudyViews, propose

__all__ = ["Optimizer"]

#: the most points one ``ask(n)`` proposes: each is fantasised into the GP in turn
ASK_MAX = 4096


def _own(obj: Any) -> Any:
    """A deep copy of a sampler or pruner object given to a study: its state (a GP's warm
    start, ``n_initial`` set for the space, ASHA's "auto" rungs) is that study's, and the
    caller's object stays as given.  An object that cannot be copied is used as is."""
    try:
        return copy.deepcopy(obj)
    except Exception:  # noqa: BLE001 - a lock, a connection: then it is shared
        return obj


def _sampler(sampler: Any, model: GPSampler) -> Sampler:
    """The sampler object ``Optimizer(sampler=...)`` names; ``model`` is its GP sampler."""
    if isinstance(sampler, str):
        named: dict[str, Sampler] = {"gp": model, "random": RandomSampler()}
        return named[_validate.choice(sampler, "sampler", tuple(named))]
    if hasattr(sampler, "propose"):
        return _own(sampler)
    return GridSampler(sampler)


class Optimizer(StudyViews, StudyTells):
    """Ask/tell Bayesian optimisation over a :class:`Space` (minimisation).

    The constructor opens (or resumes) the study in ``storage``; :meth:`ask`
    proposes parameters, :meth:`tell` records their value.  See the module
    docstring for what one ``ask`` does.

    Parameters
    ----------
    space : Space or dict or None, default None
        The search space (a dict ``{name: Real(...) | Integer(...) |
        Categorical(...)}`` is passed to :class:`Space`); ``None`` loads the space
        of an existing study.
    acquisition : {"ei", "logei", "pi", "ucb"}, default "ei"
        Expected improvement, its logarithm (no underflow far from the incumbent),
        probability of improvement, or the confidence bound ``mu - kappa * sigma``.
    n_initial : int or None, default None
        Points drawn before the first GP fit, ``>= 1``; ``None`` means
        ``max(5, min(10, n_encoded + 4))`` with ``n_encoded`` the space's unit-cube
        width (:attr:`Space.n_encoded`).
    batch : {"kriging_believer", "constant_liar"}, default "kriging_believer"
        How pending trials and the points already chosen for a batch are
        fantasised: at the posterior mean, or at the value ``liar`` says.
    storage : None or str or path-like, default None
        ``None`` keeps the trials in memory; ``"sqlite:///file.db"`` or a plain
        path keeps them in an SQLite file that several processes of one host can share;
        ``"postgresql://user@host/db"`` in a PostgreSQL database that workers on several
        machines share.
    study : str or None, default None
        The study's name in ``storage`` (``None``: ``"default"``); an existing
        study resumes, and its stored space and seed win.
    seed : int or None, default None
        Seed of the study's draws, in ``[0, 2**63)``; ``None`` draws one.  Used
        only when the study is created.
    liar : {"min", "mean", "max"}, default "min"
        With ``batch="constant_liar"``: the statistic of the observed values each
        fantasy takes.
    fit : {"ml", "loo"}, default "ml"
        How the GP's hyperparameters are fitted: maximum marginal likelihood or
        leave-one-out predictive likelihood.
    xi : float, default 0.0
        Margin of EI and PI, ``>= 0`` as in scikit-optimize and BoTorch.
    kappa : float, default 2.0
        Width of UCB in posterior standard deviations, ``>= 0``.
    prior : bool, default True
        Weak priors on the GP's hyperparameters (see :mod:`pyjl.bo.surrogate`).
    warp_y : bool, default True
        The GP models the values through a fitted monotone power transform,
        :class:`~pyjl.bo.surrogate.OutputWarp`, unless trials carry a known
        ``noise_var``.
    gls_mean : bool, default True
        The GP's constant prior mean is its generalised least-squares estimate at
        the fitted hyperparameters (:meth:`~pyjl.gp.GaussianProcess.recentre`), not
        the sample mean, which the search's crowding around good points drags down.
    initial : {"random", "sobol"}, default "random"
        The initial points: uniform draws, or a scrambled Sobol sequence.
    sampler : "gp" or "random" or list of dict or Sampler, default "gp"
        ``"gp"`` for Bayesian optimisation (:class:`~pyjl.bo.samplers.GPSampler` with
        the settings above), ``"random"`` for uniform draws only, the parameter dicts to
        ask in order (grid search), or a sampler object (:mod:`pyjl.bo.samplers`; a
        ``GPSampler``'s own settings replace the ones above; the study keeps a copy, so
        one object can serve several studies).  Its points are checked: inside the
        space, distinct, none a trial's (an ``InputError`` names the sampler).
    stale_after : float or None, default None
        Seconds without a heartbeat after which another worker's pending trial is
        abandoned, and its point asked again (``> 0``); ``None``: only the trials of
        dead processes on this host are.  A study's loop beats every
        :data:`~pyjl.bo.liveness.HEARTBEAT_S` (5) seconds for each trial it evaluates;
        below three beats a :class:`~pyjl.exceptions.PyjlWarning` says that live trials
        may be abandoned.  A worker waiting for the storage's lock cannot beat, so
        allow for that too (a minute or more is safe).
    n_candidates : int or None, default None
        Sobol candidates the acquisition is scored on before polishing, 1 to
        ``2**20``; ``None`` means 2048.
    pruner : Pruner or None, default None
        What :meth:`should_prune` asks (:mod:`pyjl.bo.pruners`: ``MedianPruner``,
        ``SuccessiveHalvingPruner``; the study keeps a copy); ``None`` never prunes.
    pruned_as : {"rank", "mean"}, default "rank"
        What the surrogate makes of a pruned trial: ``"rank"`` fantasises it at the
        quantile of its rank among the completed trials where it stopped (for learning
        curves, whose early values are biased); ``"mean"`` fits it as an observation of
        its final value with extra noise, for reports that are running means of
        exchangeable pieces such as folds (:mod:`pyjl.bo.fidelity`).  Not stored: a
        resumed study may use either.
    direction : {"minimize", "maximize"} or None, default None
        Which way to optimise the values told (Optuna's ``direction``): ``"maximize"``
        for a score such as accuracy or AUC, reported as is (to the trial handle too).
        Stored with a new study (``None``: ``"minimize"``); ``None`` resumes a stored
        study in its own direction, and any other direction than the stored one is
        refused.  A maximised study runs exactly as the minimisation of minus its values
        (:mod:`pyjl.bo.direction`); values and best values stay the objective's own.

    Attributes
    ----------
    space : Space
        The study's search space (the stored one when resuming).
    study_name : str
        The study's name in ``storage``.
    storage : MemoryStorage or SQLiteStorage or PostgreSQLStorage
        The open storage of the trials (its ``url`` says where).
    seed : int
        The study's seed (the stored one when resuming).
    direction : str
        ``"minimize"`` or ``"maximize"`` (the stored one when resuming).
    n_initial : int
        Points drawn before the first GP fit.
    sampler : str
        The sampler's name: ``"gp"``, ``"random"``, ``"grid"`` (a list of dicts was
        given) or the ``name`` of the sampler object given.
    acquisition, batch, liar, initial, xi, kappa, prior, warp_y, gls_mean, n_candidates
        The parameters of the same names, checked (a ``GPSampler`` given as ``sampler``:
        its own); ``xi`` and ``kappa`` as floats, ``n_candidates`` an int or ``None``.
    fit_method : str
        The constructor's ``fit``, checked: ``"ml"`` or ``"loo"``.
    stale_after : float or None
        ``stale_after`` as a float, or ``None``.
    pruner : Pruner
        The pruner (``NopPruner()`` for ``None``).
    pruned_as : str
        ``pruned_as`` as given, checked.
    trials : list of Trial
        Every trial of the study, in order, read from ``storage``.
    best : tuple of (dict or None, float or None)
        ``(params, value)`` of the lowest observed value (the highest, maximising);
        ``(None, None)`` before any.
    best_mean : tuple of (dict or None, float or None)
        ``(params, posterior mean)`` of the evaluated point with the best posterior
        mean, the best to report when evaluations are noisy.
    output_warp : OutputWarp or None
        The transform the surrogate sees the losses through (``None``: the losses
        themselves; a loss is the value, or minus it when maximising).

    Examples
    --------
    >>> from pyjl.bo import Optimizer, Space, Real
    >>> opt = Optimizer(Space({"x": Real(-2.0, 2.0)}), n_initial=3, seed=0)
    >>> for _ in range(8):
    ...     p = opt.ask()
    ...     _ = opt.tell(p, (p["x"] - 0.5) ** 2)
    >>> abs(opt.best[0]["x"] - 0.5) < 0.1, len(opt.trials)
    (True, 8)
    """

    def __init__(
        self,
        space: Space | Mapping | None = None,
        acquisition: str = "ei",
        n_initial: int | None = None,
        batch: str = "kriging_believer",
        storage=None,
        study: str | None = None,
        seed: int | None = None,
        *,
        liar: str = "min",
        fit: str = "ml",
        xi: float = 0.0,
        kappa: float = 2.0,
        prior: bool = True,
        warp_y: bool = True,
        gls_mean: bool = True,
        initial: str = "random",
        sampler="gp",
        stale_after: float | None = None,
        n_candidates: int | None = None,
        pruner=None,
        pruned_as: str = "rank",
        direction: str | None = None,
    ):
        self.pruner = check_pruner(_own(pruner))
        self.pruned_as = _validate.choice(pruned_as, "pruned_as", PRUNED_AS)
        model = GPSampler(
            acquisition,
            n_initial,
            batch,
            liar=liar,
            fit=fit,
            xi=xi,
            kappa=kappa,
            prior=prior,
            warp_y=warp_y,
            gls_mean=gls_mean,
            initial=initial,
            n_candidates=n_candidates,
        )
        self._sampler = _sampler(sampler, model)
        # the GP of best_mean, surrogate(), acquisition_function(): the sampler, if a GP one
        model = self._model = self._sampler if isinstance(self._sampler, GPSampler) else model
        self.sampler = getattr(self._sampler, "name", type(self._sampler).__name__)
        seed = _validate.seed(seed)
        self.stale_after = check_stale_after(stale_after)
        st = open_study(storage, study, space, seed, direction)
        self.storage, self.study_name, self._study_id = st.storage, st.name, st.id
        self.space, self.seed, self.direction = st.space, st.seed, st.direction
        model.check(self.space)
        if hasattr(self._sampler, "check"):  # optional for a sampler of one's own
            self._sampler.check(self.space)
        assert model.n_initial is not None
        self.n_initial: int = model.n_initial
        self.acquisition, self.batch, self.liar = model.acquisition, model.batch, model.liar
        self.fit_method, self.initial = model.fit_method, model.initial
        self.xi, self.kappa, self.n_candidates = model.xi, model.kappa, model.n_candidates
        self.prior, self.warp_y, self.gls_mean = model.prior, model.warp_y, model.gls_mean
        self._worker_as: str | None = None  # another worker's id (tests stand in for one)
        self._queue: list[dict] = []  # points to ask first (enqueue)

    @property
    def _worker(self) -> str:
        """``host:pid`` of the process using this optimiser now, so that a pickled or
        forked copy asks and tells under its own process's id."""
        return self._worker_as or worker_id()

    # --- ask and tell ------------------------------------------------------------
    def ask(self, n: int | None = None):
        """One parameter dict, or (``ask(n)``) a list of ``n`` distinct dicts
        (``n`` at most :data:`ASK_MAX`, 4096; fewer where a finite space has fewer unseen
        points left).  Raises :class:`~pyjl.bo.SpaceExhausted` when none is left."""
        if n is not None:
            n = _validate.integer(
                n, "n", low=1, high=ASK_MAX, fix=f"pass None or a whole number in 1..{ASK_MAX}"
            )
        got = self.ask_trials(1 if n is None else n)
        params = [p for _, p in got]
        return params[0] if n is None else params

    def ask_trials(self, n: int, budget: int | None = None) -> list[tuple[int, dict]]:
        """Propose and register up to ``n`` pending trials: ``[(number, params), ...]``.

        With ``budget``, stop when the study holds that many trials (complete, failed or
        pending; abandoned ones not counted): the list may then be shorter, or empty.
        Raises :class:`~pyjl.bo.SpaceExhausted` when no unseen point is left."""
        with self.storage.transaction("ask"):
            trials = self.trials
            if self._reap(trials):
                trials = self.trials
            if budget is not None:
                n = min(n, budget - sum(t.state != TrialState.ABANDONED for t in trials))
            if n <= 0:
                return []
            seen = seen_keys(self.space, trials)  # once: the count left and the check
            n = self._unseen_left(seen, n)
            got = [(self._add_running(p), p) for p in self._dequeue(seen, n)]
            if len(got) == n:
                return got
            if got:  # the queued points are pending trials for the sampler
                trials = self.trials
                seen = seen_keys(self.space, trials)
            # the GP matrices are small: BLAS threads competing with each other (or with
            # the objective's) cost more than they save
            with thread_limit(1):
                points = propose(
                    self._sampler,
                    self.space,
                    loss_trials(trials, self.direction),
                    n - len(got),
                    self.seed,
                    lambda: loss_curves(self.intermediate_values(), self.direction),
                    self.pruned_as,
                    seen,
                )
            return got + [(self._add_running(p), p) for p in points]

    def enqueue(self, params) -> None:
        """Have ``params`` (a dict, or a list of them) asked before any point the sampler
        proposes, in order (Optuna's ``enqueue_trial``, scikit-optimize's ``x0``).  The
        queue is this optimiser's (not stored); a queued point the study holds by the time
        it is due (another worker asked it, or a resumed study has it) is skipped."""
        many = isinstance(params, (list, tuple))
        items = list(params) if many else [params]
        self._queue.extend(
            self.space.validate(p, f"params[{i}]" if many else "params")
            for i, p in enumerate(items)
        )

    def _dequeue(self, seen: set[str], n: int) -> list[dict]:
        """Up to ``n`` queued points not among the keys ``seen``, taken off the queue
        (the seen ones dropped)."""
        out: list[dict] = []
        keys = set()
        while self._queue and len(out) < n:
            p = self._queue.pop(0)
            key = self.space.key(p)
            if key not in seen and key not in keys:
                out.append(p)
                keys.add(key)
        return out

    def _add_running(self, params: dict) -> int:
        """Register a pending trial of ``params`` for this worker; its number."""
        return self.storage.add_trial(
            self._study_id, json.dumps(params), TrialState.RUNNING, worker=self._worker
        )

    def _unseen_left(self, seen: set[str], n: int) -> int:
        """``n``, or fewer where a finite space has fewer unseen points left than the keys
        ``seen`` leave (a batch larger than what is left gets what is left);
        :class:`SpaceExhausted` when none is."""
        size = self.space.size()
        if math.isfinite(size) and size < 2**53:
            left = int(size) - len(seen)
            if left <= 0:
                raise SpaceExhausted(
                    f"all {int(size)} points of {self.space!r} have been asked already"
                )
            n = min(n, left)
        return n

    # --- internals ---------------------------------------------------------------
    def _reap(self, trials: list[Trial]) -> bool:
        """Abandon the pending trials of workers that died or went silent."""
        now, reaped = time.time(), False
        for t in trials:
            why = abandon_reason(t, self._worker, self.stale_after, now)
            if why is not None:
                self.abandon(t.number, why)
                reaped = True
        return reaped
