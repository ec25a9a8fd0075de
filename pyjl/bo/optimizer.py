"""The ask/tell Bayesian optimiser: a GP surrogate on the unit cube, one acquisition.

Each ``ask`` (inside one storage transaction, so concurrent processes never
collide): (1) while fewer than ``n_initial`` trials exist, a uniform draw (or the
next point of a scrambled Sobol sequence) seeded by the study; (2) otherwise fit a
:class:`pyjl.gp.GaussianProcess` (``1.0 * Matern52`` with one lengthscale per
coordinate, learned noise, ``normalize_y=True``) to the completed trials' values
seen through a fitted monotone power transform (:class:`~pyjl.bo.surrogate.OutputWarp`) —
warm-started from the previous fit — then *fantasise* every pending trial
(asked, not told) and every point already chosen for this batch, and maximise
the acquisition (:func:`pyjl.bo.acquisition.maximize`).  Fantasies: ``batch=
"kriging_believer"`` takes the posterior mean at the point, ``"constant_liar"``
takes ``min``/``mean``/``max`` of the observed values (``liar=``) (Ginsbourger,
Le Riche & Carraro 2010, "Kriging is well-suited to parallelize optimization").
Failed trials are fantasised at the worst value observed, so the search moves
away from them instead of retrying their neighbourhood.  A point already
evaluated, pending or chosen is never returned.

>>> from pyjl.bo import Space, Real
>>> opt = Optimizer(Space({"x": Real(-2.0, 2.0)}), n_initial=3, seed=0)
>>> for _ in range(8):
...     p = opt.ask()
...     _ = opt.tell(p, (p["x"] - 0.5) ** 2)
>>> abs(opt.best[0]["x"] - 0.5) < 0.1
True
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import os
import secrets
import socket
import time
import warnings
from typing import Any, Mapping

import numpy as np

from .. import _validate
from ..exceptions import NotFittedError, NumericalWarning
from . import acquisition as acq_mod
from .space import Space, SpaceExhausted
from .storage import ABANDONED, Trial, open_storage, worker_id
from .surrogate import OutputWarp, fit_surrogate, model_values

__all__ = ["Optimizer"]

BATCH = ("kriging_believer", "constant_liar")
LIARS = ("min", "mean", "max")
FITS = ("ml", "loo")
#: the most points one ``ask(n)`` proposes: each is fantasised into the GP in turn
ASK_MAX = 4096


def _grid(sampler: Any) -> list[dict]:
    """The parameter dicts of a ``sampler`` given as a list (grid search), unvalidated."""
    fix = "pass 'gp', 'random' or a list of parameter dicts"
    if isinstance(sampler, Mapping) or not hasattr(sampler, "__iter__"):
        raise _validate.error("sampler", "must be 'gp', 'random' or a list of parameter dicts",
                              _validate.describe(sampler), fix)
    points = list(sampler)
    for i, p in enumerate(points):
        if not isinstance(p, Mapping):
            raise _validate.error(f"sampler[{i}]", "must be a parameter dict {name: value}",
                                  _validate.describe(p), fix)
    return [dict(p) for p in points]


def _blas_single_thread():
    """Limit BLAS to one thread while proposing: the GP matrices are small, and BLAS threads
    competing with each other (or with the objective's) cost far more than they save.
    Uses threadpoolctl when it is installed (it comes with scikit-learn)."""
    global _CONTROLLER
    if _CONTROLLER is None:
        try:
            from threadpoolctl import ThreadpoolController
            _CONTROLLER = ThreadpoolController()
        except ImportError:
            _CONTROLLER = False
    if not _CONTROLLER:
        return contextlib.nullcontext()
    return _CONTROLLER.limit(limits=1, user_api="blas")


_CONTROLLER = None


def _pid_dead(worker: str | None) -> bool:
    """Whether ``worker`` (``host:pid``) is a process of this host that no longer exists."""
    if not worker or ":" not in worker:
        return False
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        return False
    return False


class Optimizer:
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
        ``max(5, min(10, n_dims + 4))`` with ``n_dims`` the space's unit-cube width.
    batch : {"kriging_believer", "constant_liar"}, default "kriging_believer"
        How pending trials and the points already chosen for a batch are
        fantasised: at the posterior mean, or at the value ``liar`` says.
    storage : None or str or path-like, default None
        ``None`` keeps the trials in memory; ``"sqlite:///file.db"`` or a plain
        path keeps them in an SQLite file that several processes can share.
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
    sampler : "gp" or "random" or list of dict, default "gp"
        ``"gp"`` for Bayesian optimisation, ``"random"`` for uniform draws only,
        or the parameter dicts to ask in order (grid search).
    stale_after : float or None, default None
        Seconds without a heartbeat after which another worker's pending trial is
        marked failed (``> 0``); ``None``: only the trials of dead processes on
        this host are.
    n_candidates : int or None, default None
        Sobol candidates the acquisition is scored on before polishing, 1 to
        ``2**20``; ``None`` means 2048.

    Attributes
    ----------
    space : Space
        The study's search space (the stored one when resuming).
    study_name : str
        The study's name in ``storage``.
    storage : MemoryStorage or SQLiteStorage
        The open storage of the trials (its ``url`` says where).
    seed : int
        The study's seed (the stored one when resuming).
    n_initial : int
        Points drawn before the first GP fit.
    sampler : {"gp", "random", "grid"}
        The sampling strategy; ``"grid"`` when a list of dicts was given.
    acquisition : str
        ``acquisition`` as given, checked.
    batch : str
        ``batch`` as given, checked.
    liar : str
        ``liar`` as given, checked.
    fit : str
        ``fit`` as given, checked.
    initial : str
        ``initial`` as given, checked.
    xi : float
        ``xi`` as a float.
    kappa : float
        ``kappa`` as a float.
    prior : bool
        ``prior`` as given.
    warp_y : bool
        ``warp_y`` as given.
    gls_mean : bool
        ``gls_mean`` as given.
    stale_after : float or None
        ``stale_after`` as a float, or ``None``.
    n_candidates : int or None
        ``n_candidates`` as an int, or ``None`` (2048).
    trials : list of Trial
        Every trial of the study, in order, read from ``storage``.
    best : tuple of (dict or None, float or None)
        ``(params, value)`` of the lowest observed value; ``(None, None)`` before any.
    best_mean : tuple of (dict or None, float or None)
        ``(params, posterior mean)`` of the evaluated point with the lowest posterior
        mean, the best to report when evaluations are noisy.
    output_warp : OutputWarp or None
        The transform the surrogate sees the values through (``None``: the values).

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

    def __init__(self, space: Space | Mapping | None = None, acquisition: str = "ei",
                 n_initial: int | None = None, batch: str = "kriging_believer",
                 storage=None, study: str | None = None, seed: int | None = None, *,
                 liar: str = "min", fit: str = "ml", xi: float = 0.0, kappa: float = 2.0,
                 prior: bool = True, warp_y: bool = True, gls_mean: bool = True,
                 initial: str = "random", sampler="gp",
                 stale_after: float | None = None,
                 n_candidates: int | None = None):
        self.acquisition = _validate.choice(acquisition, "acquisition",
                                            tuple(acq_mod.ACQUISITIONS))
        self.batch = _validate.choice(batch, "batch", BATCH)
        self.liar = _validate.choice(liar, "liar", LIARS)
        self.fit = _validate.choice(fit, "fit", FITS)
        if not isinstance(sampler, str):
            self._grid = _grid(sampler)
            sampler = "grid"
        self.sampler = _validate.choice(sampler, "sampler", ("gp", "random", "grid"))
        self.initial = _validate.choice(initial, "initial", ("sobol", "random"))
        seed = _validate.seed(seed)
        # xi >= 0 as in scikit-optimize and BoTorch: a negative margin rewards points
        # predicted worse than the incumbent
        self.xi = _validate.real(xi, "xi", low=0.0)
        self.kappa = _validate.real(kappa, "kappa", low=0.0)
        self.stale_after = None if stale_after is None else _validate.real(
            stale_after, "stale_after", low=0.0, low_open=True,
            fix="pass a number of seconds > 0, or None")
        self.prior = _validate.boolean(prior, "prior")
        self.warp_y = _validate.boolean(warp_y, "warp_y")
        self.gls_mean = _validate.boolean(gls_mean, "gls_mean")
        self.n_candidates = None if n_candidates is None else _validate.integer(
            n_candidates, "n_candidates", low=1, high=acq_mod.N_CANDIDATES_MAX,
            fix=f"pass a whole number in 1..{acq_mod.N_CANDIDATES_MAX:,}, or None")
        self.storage = open_storage(storage)
        if study is not None and not isinstance(study, str):
            raise _validate.error("study", "must be a study name (a string) or None",
                                  _validate.describe(study), "pass a name such as 'xgb-tuning'")
        self.study_name = "default" if study is None else study
        if space is not None and not isinstance(space, Space):
            space = Space(space)
        info = self.storage.study(self.study_name, None if space is None else space.to_json(),
                                  int(seed) if seed is not None else secrets.randbits(31))
        stored = Space.from_json(info["space"])
        if space is not None and stored != space:
            raise _validate.error("space", f"must match the study (study={self.study_name!r} in "
                                  f"{self.storage.url} was created with the space {stored!r})",
                                  _validate.describe(space), "use the same space, pass "
                                  "space=None to load it, or choose another study name")
        self.space: Space = stored
        self._study_id = info["id"]
        self.seed = int(info["seed"])
        if n_initial is None:
            n_initial = max(5, min(10, self.space.n_dims + 4))
        self.n_initial = _validate.integer(n_initial, "n_initial", low=1,
                                           fix="pass a whole number >= 1, or None")
        if self.sampler == "grid":
            self._grid = [self.space.validate(p, f"sampler[{i}]")
                          for i, p in enumerate(self._grid)]
        self._worker = worker_id()
        self._model = None         # the GP, refitted warm-started from its last optimum
        self._theta = None         # its log hyperparameters
        self._n_fits = 0
        self._gp = None            # ... as last fitted to the completed trials
        self._gp_key = None
        self._warp = None          # the OutputWarp the GP sees y through, or None
        self._gp_y = None          # the values the GP was fitted to (warped)
        self._n_clipped = 0        # how many of them model_values clipped at the last fit

    # --- public API --------------------------------------------------------------
    def ask(self, n: int | None = None):
        """One parameter dict, or (``ask(n)``) a list of ``n`` distinct dicts
        (``n`` at most :data:`ASK_MAX`, 4096)."""
        if n is not None:
            n = _validate.integer(n, "n", low=1, high=ASK_MAX,
                                  fix=f"pass None or a whole number in 1..{ASK_MAX}")
        got = self._ask_trials(1 if n is None else n)
        params = [p for _, p in got]
        return params[0] if n is None else params

    def tell(self, params: Mapping[str, Any], value: float,
             noise_var: float | None = None) -> int:
        """Record ``value = f(params)`` (``noise_var``: its known noise variance); returns
        the trial number.  ``params`` need not have been asked for."""
        params = self.space.validate(params)
        value = self._check_value(value, "value")
        if noise_var is not None:
            noise_var = self._check_value(noise_var, "noise_var")
            if noise_var < 0:
                raise _validate.error("noise_var", "must be >= 0 (a variance)", noise_var,
                                      "pass the evaluation's noise variance, or None")
        with self.storage.keeping(self._study_id, None, params, value):
            return self._finish_params(params, "complete", value, noise_var, None)

    def tell_failed(self, params: Mapping[str, Any], error: str = "") -> int:
        """Record that evaluating ``params`` failed (``error``: the message kept with it)."""
        params = self.space.validate(params)
        return self._finish_params(params, "failed", None, None, str(error))

    @property
    def trials(self) -> list[Trial]:
        """Every trial of this study, in order (read from the storage)."""
        return self.storage.trials(self._study_id)

    @property
    def best(self) -> tuple[dict | None, float | None]:
        """``(params, value)`` of the best observed value (``(None, None)`` before any)."""
        done = [t for t in self.trials if t.state == "complete"]
        if not done:
            return None, None
        t = min(done, key=lambda t: (t.value, t.number))
        return t.params, t.value

    @property
    def best_mean(self) -> tuple[dict | None, float | None]:
        """``(params, posterior mean)`` of the evaluated point with the lowest posterior
        mean: the best to report when evaluations are noisy."""
        done = [t for t in self.trials if t.state == "complete"]
        if len(done) < 2:
            return self.best
        gp, X, _ = self._surrogate(done)
        mu = np.asarray(gp.predict(X)).reshape(-1)
        i = int(np.argmin(mu))
        return done[i].params, float(self.to_objective(mu[i]))

    @property
    def output_warp(self):
        """The :class:`~pyjl.bo.surrogate.OutputWarp` the surrogate sees the values
        through (``None``: the values themselves); set by each refit."""
        return self._warp

    def to_objective(self, values):
        """Surrogate values (posterior means, quantiles) in the objective's units: the
        inverse of the output warp (``warp_y``), or the values themselves."""
        return values if self._warp is None else self._warp.inverse(values)

    def surrogate(self):
        """The GP fitted to the completed trials (inputs: :meth:`Space.round`-ed unit cube)."""
        return self._surrogate(self._completed())[0]

    def acquisition_function(self, model=None):
        """The acquisition object (``acq(X) -> (n,)``) on ``model`` (default: the surrogate)."""
        gp, X, y = self._surrogate(self._completed())
        return self._make_acq(gp if model is None else model, X, y)

    def history(self):
        """A pandas DataFrame, one row per trial (see :func:`pyjl.bo.minimize`)."""
        from .minimize import history_frame
        return history_frame(self.trials, self.space)

    # --- internals ---------------------------------------------------------------
    def _completed(self) -> list[Trial]:
        """The completed trials; :class:`~pyjl.exceptions.NotFittedError` below the 2 the
        surrogate needs."""
        done = [t for t in self.trials if t.state == "complete"]
        if len(done) < 2:
            raise NotFittedError(f"the surrogate needs at least 2 completed trials; got "
                                 f"{len(done)}. Fix: tell more values first.")
        return done

    @staticmethod
    def _check_value(value: Any, name: str) -> float:
        """``value`` as a finite float: a number, a NumPy scalar or anything ``float()``
        takes (a 0-d array, a one-element tensor), but not a string or a bool."""
        rule = "must be a finite real number"
        fix = "report a failed evaluation with tell_failed(params, error)"
        try:
            if isinstance(value, (str, bytes, bool, np.bool_)):
                raise TypeError
            v = float(value)
        except (TypeError, ValueError):
            raise _validate.error(name, rule, f"{_validate.describe(value)} of type "
                                  f"{type(value).__name__}", "pass a float, or " + fix) from None
        if not math.isfinite(v):
            raise _validate.error(name, rule, _validate.describe(value), fix)
        return v

    def _finish_params(self, params: dict, state: str, value, noise_var, error) -> int:
        key = self.space.key(params)
        with self.storage.transaction("tell"):
            trials = self.trials
            match = [t for t in trials if t.state == "pending" and self.space.key(t.params) == key]
            match.sort(key=lambda t: (t.worker != self._worker, t.number))
            if not match:
                match = [t for t in trials if t.abandoned and self.space.key(t.params) == key]
            if match:
                self.storage.finish(self._study_id, match[0].number, state, value, noise_var,
                                    error)
                return match[0].number
            return self.storage.add_trial(self._study_id, json.dumps(params), state, value,
                                          noise_var, error, self._worker)

    def _finish(self, number: int, state: str, value=None, noise_var=None, error=None) -> None:
        self.storage.finish(self._study_id, number, state, value, noise_var, error)

    def _reap(self, trials: list[Trial]) -> bool:
        now, reaped = time.time(), False
        for t in trials:
            if t.state != "pending" or t.worker == self._worker:
                continue
            if _pid_dead(t.worker):
                why = f"{ABANDONED}worker {t.worker} no longer exists"
            elif self.stale_after is not None and (t.heartbeat or 0) < now - self.stale_after:
                why = f"{ABANDONED}no heartbeat from {t.worker} for {self.stale_after:g} s"
            else:
                continue
            self.storage.finish(self._study_id, t.number, "failed", None, None, why)
            reaped = True
        return reaped

    def _ask_trials(self, n: int, budget: int | None = None) -> list[tuple[int, dict]]:
        """Propose and register up to ``n`` pending trials; with ``budget``, stop when the
        study holds that many trials (complete, failed or pending; abandoned not counted)."""
        with self.storage.transaction("ask"):
            trials = self.trials
            if self._reap(trials):
                trials = self.trials
            if budget is not None:
                n = min(n, budget - sum(not t.abandoned for t in trials))
                if n <= 0:
                    return []
            with _blas_single_thread():
                points = self._propose(trials, n)
            return [(self.storage.add_trial(self._study_id, json.dumps(p), "pending",
                                            worker=self._worker), p) for p in points]

    def _propose(self, trials: list[Trial], n: int) -> list[dict]:
        space = self.space
        seen = {space.key(t.params) for t in trials if not t.abandoned}
        done = [t for t in trials if t.state == "complete"]
        pending = [t for t in trials if t.state == "pending"]
        out: list[dict] = []
        gp = None
        for i in range(n):
            number = len(trials) + i
            rng = np.random.default_rng([self.seed, number])
            if self.sampler == "grid":
                p = next((g for g in self._grid if space.key(g) not in seen), None)
                if p is None:
                    raise SpaceExhausted(f"all {len(self._grid)} grid points have been asked")
            elif self.sampler == "random":
                p = self._random_unseen(rng, seen)
            elif number < self.n_initial or len(done) < 2:
                p = (self._sobol(number, rng, seen) if self.initial == "sobol"
                     else self._random_unseen(rng, seen))
            else:
                if gp is None:
                    gp, X, y = self._surrogate(done)
                    gp = copy.deepcopy(gp)
                    Xp = self._encode([t.params for t in pending])
                    if len(Xp):
                        gp = self._fantasise(gp, Xp, y)
                    # failed points count as the worst value seen, so they are not retried
                    Xf = self._encode([t.params for t in trials
                                       if t.state == "failed" and not t.abandoned])
                    if len(Xf):
                        gp = self._fantasise(gp, Xf, y, worst=True)
                    Xall = np.vstack([X, Xp, Xf])
                    anchors = X[np.argsort(y)[:5]]
                u = self._maximise(gp, Xall, y, anchors, rng, seen)
                p = space.decode(u)
                if i + 1 < n:
                    gp = self._fantasise(gp, u[None, :], y)
                    Xall = np.vstack([Xall, u[None, :]])
            seen.add(space.key(p))
            out.append(p)
        return out

    def _random_unseen(self, rng, seen) -> dict:
        for _ in range(1000):
            p = self.space.decode(self.space.round(rng.random((1, self.space.n_dims)))[0])
            if self.space.key(p) not in seen:
                return p
        raise SpaceExhausted(f"no unseen point found in {self.space!r} after 1000 draws: the "
                             f"space has {self.space.size():g} points and {len(seen)} are taken")

    def _sobol(self, number: int, rng, seen) -> dict:
        from scipy.stats import qmc
        sob = qmc.Sobol(self.space.n_dims, scramble=True, seed=self.seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            if number:
                sob.fast_forward(number)
            U = self.space.round(sob.random(16))
        for u in U:
            p = self.space.decode(u)
            if self.space.key(p) not in seen:
                return p
        return self._random_unseen(rng, seen)

    def _surrogate(self, done: list[Trial]):
        """(gp fitted to ``done``, X, y); cached while the completed trials are unchanged."""
        key = tuple((t.number, t.value, t.noise_var) for t in done)
        X = self.space.round(np.array([self.space.encode(t.params) for t in done]))
        y = np.array([t.value for t in done], dtype=np.float64)
        if self._gp is not None and self._gp_key == key:
            return self._gp, X, self._gp_y
        nv = None
        given = [t.noise_var for t in done if t.noise_var is not None]
        if given:   # known noise; trials told without one get the median of the others
            fill = self._fantasy_nv = float(np.median(given))
            nv = np.array([fill if t.noise_var is None else t.noise_var for t in done])
        y = self._model_values(y)
        # a known noise variance is in the objective's units: no warping then
        self._warp = OutputWarp(y) if self.warp_y and nv is None and len(y) >= 3 \
            and np.ptp(y) > 0 else None
        if self._warp is not None:
            y = self._warp(y)
        self._n_fits += 1
        self._model, self._theta = fit_surrogate(
            X, y, nv, method=self.fit, prior=self.prior, theta0=self._theta,
            cold_start=len(done) <= 2 * self.n_initial or self._n_fits % 10 == 0, seed=self.seed)
        gp = self._model
        if self.gls_mean:
            gp.recentre()
        self._gp, self._gp_key, self._gp_y = gp, key, y
        return gp, X, y

    def _model_values(self, y: np.ndarray) -> np.ndarray:
        """``y`` as the GP sees it: extreme values clipped (:func:`model_values`), with a
        warning each time more of them are; the trials keep their true values."""
        y, cut = model_values(y)
        if cut.sum() > self._n_clipped:
            warnings.warn(f"{int(cut.sum())} of {len(y)} values are so far from the others "
                          f"that the surrogate sees them clipped (to {y[cut].min():.4g} .. "
                          f"{y[cut].max():.4g}); the trials keep their true values",
                          NumericalWarning, stacklevel=4)
        self._n_clipped = int(cut.sum())
        return y

    def _encode(self, params: list[dict]) -> np.ndarray:
        return self.space.round(np.array([self.space.encode(p) for p in params])
                                .reshape(-1, self.space.n_dims))

    def _fantasise(self, gp, Xf: np.ndarray, y: np.ndarray, worst: bool = False):
        if worst:
            yf = np.full(len(Xf), np.max(y))
        elif self.batch == "kriging_believer":
            yf = np.asarray(gp.predict(Xf)).reshape(-1)
        else:
            yf = np.full(len(Xf), {"min": np.min, "mean": np.mean, "max": np.max}[self.liar](y))
        nv = None if gp.noise_ is not None else np.full(len(Xf), self._fantasy_nv)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NumericalWarning)
            gp.update(Xf, yf, noise_var=nv)
        return gp

    def _make_acq(self, gp, Xall: np.ndarray, y: np.ndarray | None = None):
        """The acquisition on ``gp``; ``Xall`` = the observed points (values ``y``) then the
        fantasised ones.  The incumbent of EI/PI is the best observed value (Jones et al.
        1998) — or, with known per-trial noise, the lowest posterior mean, since observed
        values are then noisy — and never above a fantasised (pending) point's mean."""
        cls = acq_mod.ACQUISITIONS[self.acquisition]
        if self.acquisition == "ucb":
            return cls(gp, kappa=self.kappa)
        mu = np.asarray(gp.predict(Xall)).reshape(-1)
        if y is not None and len(y) and getattr(gp, "noise_", None) is not None:
            best = float(min(np.min(y), np.min(mu[len(y):], initial=np.inf)))
        else:
            best = float(np.min(mu))
        return cls(gp, best=best, xi=self.xi)

    def _maximise(self, gp, Xall, y, anchors, rng, seen) -> np.ndarray:
        acq = self._make_acq(gp, Xall, y)
        try:
            u, _ = acq_mod.maximize(acq, self.space, rng, exclude=seen, anchors=anchors,
                                    n_candidates=self.n_candidates)
        except acq_mod._Exhausted:
            raise SpaceExhausted(f"every point of {self.space!r} ({self.space.size():g} "
                                 "points) has been asked already") from None
        return u
