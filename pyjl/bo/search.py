""":class:`BayesSearchCV`: tune a scikit-learn estimator's hyperparameters by Bayesian
optimisation of its cross-validated score.

A scikit-learn meta-estimator in the manner of ``GridSearchCV``: the same ``cv``,
``scoring``, ``refit``, ``error_score`` and ``return_train_score``, the same
``cv_results_`` layout, and the best estimator's methods after ``fit``.  Candidates come
from a pyjl study (:class:`~pyjl.bo.Optimizer`, asked ``n_points`` at a time) that is told
each candidate's mean test score, negated (pyjl minimises); each fold is scored as
scikit-learn scores it (:mod:`pyjl.bo._search_cv`), the folds in parallel on the
executors of :func:`~pyjl.bo.minimize`.
"""

from __future__ import annotations

import time

import numpy as np
from sklearn import get_config
from sklearn.base import BaseEstimator, MetaEstimatorMixin, is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils.validation import indexable

from .. import _validate
from ..exceptions import NotFittedError
from . import _search_args as checks
from . import _search_cv as cvtools
from . import _search_results as report
from . import _search_resume as resume
from . import _search_routing as routing
from ._refitted import BestEstimatorMethods
from .executors import beating, executor_of
from .loop import warn_exhausted
from .optimizer import Optimizer
from .runner import study_result
from .samplers import require_engine
from .space import SpaceExhausted
from .storage import open_storage
from .trial import TrialState

__all__ = ["BayesSearchCV"]

#: the trial attribute that keeps a candidate's fold records (scores, times, errors)
_FOLDS = "cv_folds"


class BayesSearchCV(BestEstimatorMethods, MetaEstimatorMixin, BaseEstimator):
    """Bayesian optimisation of an estimator's cross-validated score.

    Parameters
    ----------
    estimator : estimator
        A scikit-learn estimator (or ``Pipeline``); cloned for every fit.
    search_spaces : Space or dict or list
        A :class:`~pyjl.bo.Space`, a dict ``{name: Real | Integer | Categorical}`` (a
        ``Pipeline``'s step parameters as ``"step__param"``), or a list of them and of
        ``(space, n_iter)`` pairs: each space is searched in its own study with its own
        budget (``n_iter`` where none is given).  Every name must be a key of
        ``estimator.get_params()``.
    n_iter : int, default 50
        Candidates per space (trials already in a resumed study count).
    cv : int or cross-validation generator or iterable, default 5
        As in ``GridSearchCV`` (``sklearn.model_selection.check_cv``: stratified folds
        for a classifier).
    scoring : str or callable or list or dict or None, default None
        As in ``GridSearchCV``; several metrics need ``refit`` to name the one optimised
        (a dict of scorers, not one callable that returns a dict).
    n_points : int, default 1
        Candidates asked at a time (fantasised as pending, so they differ); their folds
        run together.
    executor : None or "dask" or Executor or dask Client, default None
        Where folds run, as in :func:`~pyjl.bo.minimize`; ``None`` with ``n_jobs > 1``: a
        thread pool.  A clone (``sklearn.base.clone``, nested cross-validation) shares a
        live pool or client; a pickled search leaves it behind and runs on ``n_jobs``.
    n_jobs : int or None, default 1
        Folds in flight (negative ones as joblib's: ``-1`` one per CPU, ``-2`` all CPUs but
        one; ``None``: 1, as in scikit-learn).
    refit : bool or str or callable, default True
        Refit the best candidate on all data (``best_estimator_``); with several metrics
        the name of the one to optimise and refit, required (with one, a name refits as
        ``True``); a callable ``cv_results_ -> index`` picks ``best_index_``; ``False``:
        no refit.
    random_state : int or numpy.random.RandomState or None, default None
        Seed of the study (space ``i`` of a list: ``random_state + i``); a
        ``RandomState`` gives one draw as the seed, as ``RandomizedSearchCV`` takes it.
    storage, study : optional
        Where the study lives and its name, as for :class:`~pyjl.bo.Optimizer`; the same
        ``storage`` and ``study`` resume it (space ``i`` of a list: ``"study[i]"``).
    error_score : "raise" or float, default np.nan
        The score of a fold whose fit fails, as in ``GridSearchCV``; a candidate whose
        mean score is not finite is a failed trial.
    return_train_score : bool, default False
        Also score on the training folds.
    pruner : Pruner or None, default None
        Prunes hopeless candidates across folds (:class:`~pyjl.bo.MedianPruner`,
        :class:`~pyjl.bo.SuccessiveHalvingPruner`): after ``k`` folds the trial reports
        step ``k`` (1, 2, ...: the resource spent, so ``SuccessiveHalvingPruner(1)`` has a
        rung after the first fold), the running mean of its negated test score, and stops
        there if the pruner says so (stored ``pruned``; NaN for the folds it skipped,
        ranked last).
        A candidate's folds then run in order, the ``n_points`` candidates in parallel.
        The reports are means over folds, so the studies fit a pruned candidate as a
        noisy observation of its mean score (``Optimizer(pruned_as="mean")``) instead of
        ranking it; ``optimizer_kwargs={"pruned_as": "rank"}`` ranks it.
    verbose : int or bool, default 0
        ``> 0``: one line per search, ``> 1``: one per candidate.
    optimizer_kwargs : dict or None, default None
        More settings of each study's :class:`~pyjl.bo.Optimizer` (``n_initial``,
        ``acquisition``, ``sampler``, ...; as scikit-optimize's ``optimizer_kwargs``);
        those ``BayesSearchCV`` sets itself (``space``, ``storage``, ``study``, ``seed``,
        ``pruner``) are refused.

    Attributes
    ----------
    cv_results_ : dict of arrays
        ``GridSearchCV``'s layout, one row per finished trial of the studies; the fold
        scores and times are stored with each trial, so a resumed ``fit`` gives the rows
        of the earlier one unchanged (a trial stored without them, by another tool: NaN
        fold scores and times, and its stored mean).  A study whose stored candidates
        another setup scored (another estimator, scoring, folds or
        ``return_train_score``) is refused rather than mixed in.
    best_index_, best_score_, best_params_ : int, float, dict
        The best candidate (by ``rank_test_*`` of the optimised metric).
    best_estimator_ : estimator
        That candidate refitted on all data (``refit`` not False).
    refit_time_ : float
        Seconds the refit took.
    scorer_ : callable or dict
        The scorer(s) used.
    multimetric_ : bool
        Whether several metrics were scored.
    n_splits_ : int
        The number of folds.
    study_ : Optimizer or list of Optimizer
        The study (one per space when ``search_spaces`` is a list of several).
    optimizer_results_ : list of Result
        scikit-optimize's view of the same studies, one per space (``func_vals`` the
        negated scores, as there).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from pyjl.bo import Integer
    >>> from pyjl.bo.search import BayesSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(DecisionTreeClassifier(random_state=0),
    ...                        {"max_depth": Integer(1, 5)}, n_iter=4, cv=3, random_state=0)
    >>> search.fit(X, y).best_score_ > 0.9, len(search.cv_results_["params"])
    (True, 4)
    """

    def __init__(
        self,
        estimator,
        search_spaces,
        n_iter=50,
        cv=5,
        scoring=None,
        n_points=1,
        executor=None,
        n_jobs=1,
        refit=True,
        random_state=None,
        storage=None,
        study=None,
        error_score=np.nan,
        return_train_score=False,
        pruner=None,
        verbose=0,
        optimizer_kwargs=None,
    ):
        self.estimator = estimator
        self.search_spaces = search_spaces
        self.n_iter = n_iter
        self.cv = cv
        self.scoring = scoring
        self.n_points = n_points
        self.executor = executor
        self.n_jobs = n_jobs
        self.refit = refit
        self.random_state = random_state
        self.storage = storage
        self.study = study
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.pruner = pruner
        self.verbose = verbose
        self.optimizer_kwargs = optimizer_kwargs

    # --- copies: a live executor is shared by a clone, and left behind by pickle ------
    def _live_executor(self) -> bool:
        """Whether ``executor`` is a live resource (a pool or a client), not a name."""
        return self.executor is not None and not isinstance(self.executor, str)

    def __sklearn_clone__(self):
        if not self._live_executor():
            return super().__sklearn_clone__()
        executor, self.executor = self.executor, None
        try:
            twin = super().__sklearn_clone__()
        finally:
            self.executor = executor
        twin.executor = executor  # a pool or a client is one resource: not copied
        return twin

    def __getstate__(self):
        state = dict(super().__getstate__())  # scikit-learn's may be our own __dict__
        if self._live_executor():
            state["executor"] = None  # a pool cannot travel: the copy uses n_jobs
        return state

    def get_metadata_routing(self):
        """scikit-learn's metadata routing of the search, ``GridSearchCV``'s: ``fit``'s
        metadata go to the estimator's ``fit``, the scorers and the splitter, as requested
        (with ``sklearn.set_config(enable_metadata_routing=True)``)."""
        scorer, multimetric = checks.scorers(self.estimator, self.scoring)
        return routing.metadata_routing(self, scorer, multimetric)

    # --- fit -------------------------------------------------------------------------
    @property
    def total_iterations(self) -> int:
        """Candidates the search asks for in all: the sum of the spaces' budgets
        (``n_iter`` for a space given without its own), as in scikit-optimize."""
        n_iter = _validate.integer(self.n_iter, "n_iter", low=1)
        return sum(
            budget for _, budget in checks.spaces(self.search_spaces, n_iter, self.estimator)
        )

    @property
    def optimizer_results_(self) -> list:
        """scikit-optimize's name: one :class:`~pyjl.bo.Result` per search space, read from
        its study (``x``, ``fun``, ``x_iters``, ``func_vals``, ``space``, ``history``); as
        in scikit-optimize the values are the negated scores that the study minimises."""
        if not hasattr(self, "study_"):
            raise NotFittedError(
                "this BayesSearchCV is not fitted: call fit(X, y) before optimizer_results_"
            )
        studies = self.study_ if isinstance(self.study_, list) else [self.study_]
        return [study_result(opt, time.monotonic(), with_mean=False) for opt in studies]

    def fit(self, X, y=None, groups=None, callback=None, **fit_params) -> BayesSearchCV:
        """Search the spaces, then refit the best candidate on all of ``X, y``.

        ``groups`` go to the splitter (``GroupKFold``); ``fit_params`` to the
        estimator's ``fit`` (sample-aligned arrays split with the folds), and
        ``sample_weight`` to the scorers that take it too; with scikit-learn's metadata
        routing on, where the requests say (:mod:`pyjl.bo._search_routing`).
        ``callback`` (a callable or a list of them, as in scikit-optimize) is called after
        every ``n_points`` candidates are scored, with the study's
        :class:`~pyjl.bo.Result` (``best_value`` is minus the best mean test score,
        ``history`` one row per trial); one returning True ends the search of the space
        being searched (the next space of a list is still searched).  Returns self."""
        n_iter, n_points, n_jobs, seed = checks.check_args(self)
        stops = checks.callbacks(callback)
        extra = checks.optimizer_kwargs(self.optimizer_kwargs)
        extra.setdefault("pruned_as", "mean")  # the reports are running means over folds
        pairs = checks.spaces(self.search_spaces, n_iter, self.estimator)
        self.scorer_, self.multimetric_ = checks.scorers(self.estimator, self.scoring)
        objective = checks.objective(self.refit, self.scorer_, self.multimetric_)
        X, y, groups = indexable(X, y, groups)
        fit_params, to_split, to_score = routing.routed(
            self, self.scorer_, self.multimetric_, groups, fit_params
        )
        try:
            cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
            splits = list(cv.split(X, y, **to_split))
        except (ValueError, TypeError) as exc:
            raise _validate.error(
                "cv",
                f"must give scikit-learn's cross-validation folds ({exc})",
                _validate.describe(self.cv),
                "pass an int >= 2, a splitter such as KFold(5), or (train, test) pairs",
            ) from None
        if not splits:
            raise _validate.error(
                "cv",
                "must give at least one (train, test) split",
                "no splits",
                "pass an int >= 2, a splitter such as KFold(5), or (train, test) pairs",
            )
        self.n_splits_ = len(splits)
        require_engine(extra.get("sampler", "gp"))
        storage = open_storage(self.storage)
        pool, owned = executor_of(self.executor, n_jobs, workers="n_jobs")
        candidates: list[dict] = []
        folds: list[list[dict] | None] = []
        known: list[float] = []
        args = (X, y, splits, (fit_params, to_score), objective)
        setup = resume.setup_of(self, objective, splits)
        optimizers = []
        try:
            for i, (space, budget) in enumerate(pairs):
                name = self.study if len(pairs) == 1 else f"{self.study or 'default'}[{i}]"
                # the Optimizer keeps its own copy of the pruner and of a sampler object:
                # their state is each study's, and fit leaves the parameters alone
                opt = Optimizer(
                    space,
                    storage=storage,
                    study=name,
                    seed=None if seed is None else (seed + i) % 2**63,
                    pruner=self.pruner,
                    **extra,
                )
                optimizers.append(opt)
                stored = storage.attributes(opt._study_id)
                for t in opt.trials:  # a resumed study: its finished trials count
                    if t.state in (TrialState.COMPLETE, TrialState.FAILED, TrialState.PRUNED):
                        records = stored.get(t.number, {}).get(_FOLDS)
                        resume.check_same(stored.get(t.number, {}), records, setup, opt.study_name)
                        candidates.append(t.params)
                        pruned = t.state == TrialState.PRUNED and records is None
                        folds.append([] if pruned else records)  # stopped early, not failed
                        done = t.state == TrialState.COMPLETE and t.value is not None
                        # without stored folds (a study of another tool), its mean
                        keep = done and records is None
                        known.append(-float(t.value or 0.0) if keep else np.nan)
                if self.verbose > 0:
                    print(f"Fitting {self.n_splits_} folds for each of up to {budget} candidates")
                found = (candidates, folds, known)
                self._search(opt, budget, n_points, pool, args, found, setup, stops)
        finally:
            for close in owned:
                close()
        self.study_ = optimizers[0] if len(optimizers) == 1 else optimizers
        report.warn_failures(folds, self.error_score)
        names = list(self.scorer_) if self.multimetric_ else ["score"]
        self.cv_results_ = report.cv_results(
            candidates,
            folds,
            names,
            bool(self.return_train_score),
            objective,
            known,
            self.n_splits_,
        )
        self._best(objective, X, y, fit_params)
        return self

    def _search(self, opt, budget, n_points, pool, args, found, setup, stops) -> None:
        """Ask, score on every fold, tell, until ``opt``'s study holds ``budget`` trials
        or a callback of ``stops`` returns True."""
        X, y, splits, (fit_params, to_score), objective = args
        candidates, folds, known = found
        t0 = time.monotonic()
        while True:
            try:
                asked = opt.ask_trials(n_points, budget=budget)
            except SpaceExhausted:
                warn_exhausted(opt, budget, "n_iter", "GridSearchCV")
                return
            if not asked:
                return
            jobs = [
                [
                    (self.estimator, X, y, train, test, params, self.scorer_, fit_params)
                    + (to_score, self.error_score, self.return_train_score)
                    for train, test in splits
                ]
                for _, params in asked
            ]
            told: dict[int, float] = {}  # pruned candidates, stored as they stop

            def stopped(i: int, records: list[dict], asked=asked, told=told) -> None:
                # a pruned candidate is stored at once: another's raising later loses none
                told[asked[i][0]] = self._tell(opt, asked[i], records, True, objective, setup)

            try:
                numbers = [number for number, _ in asked]
                with beating(opt, lambda: numbers):  # noqa: B023 - used within this pass
                    results = self._evaluate(opt, pool, asked, jobs, objective, stopped)
            except BaseException as exc:
                # "raise" or an interrupt: nothing half-recorded; the candidate that raised
                # failed, the others still going were cut short (asked again on resume)
                culprit = getattr(exc, cvtools.RAISED_BY, None)
                for number, params in asked:
                    if number in told:
                        continue
                    if not isinstance(exc, Exception):
                        opt.abandon(number, "interrupted")
                    elif culprit is None or params is culprit:  # the same dict: its job's
                        opt.fail_trial(number, f"{type(exc).__name__}: {exc}")
                    else:
                        opt.abandon(number, f"another candidate raised: {type(exc).__name__}")
                raise
            for (number, params), (records, pruned) in zip(asked, results):
                if number in told:
                    mean = told[number]
                else:
                    mean = self._tell(opt, (number, params), records, pruned, objective, setup)
                candidates.append(params)
                folds.append(records)
                known.append(np.nan)
                if self.verbose > 1:
                    state = "pruned" if pruned else f"mean test {objective} {mean:.6g}"
                    print(f"[trial {number}] {params}: {state}")
            if stops:
                result = study_result(opt, t0, False)
                if any([bool(stop(result)) for stop in stops]):  # each called, as skopt does
                    return

    def _tell(self, opt, asked, records, pruned, objective, setup) -> float:
        """Store candidate ``asked = (number, params)``'s fold records and tell its end, in
        one transaction; its mean test score."""
        number, params = asked
        mean = float(np.average([r["test"][objective] for r in records]))
        # the fold records go with the trial, so a resumed fit's cv_results_ has them
        with opt.storage.transaction("tell"):
            opt.storage.set_attributes(
                opt._study_id, number, {_FOLDS: records, resume.SETUP: setup}
            )
            if pruned:
                opt.tell_pruned(number)
            elif np.isfinite(mean):
                opt.tell_trial(number, -mean, params=params)
            else:
                err = next((r["error"] for r in records if r["error"]), None)
                opt.fail_trial(number, err or f"the mean test score is {mean}")
        return mean

    def _evaluate(
        self, opt, pool, asked, jobs, objective, stopped
    ) -> list[tuple[list[dict], bool]]:
        """``[(fold records, pruned), ...]`` of the asked candidates: without a pruner
        every fold is a task of its own; with one, the candidates' folds run in lockstep,
        fold ``k`` of each at once, reported in the asked order, and ``stopped(index,
        records)`` told of each candidate as it is pruned (``cvtools.fit_folds``)."""

        config = get_config()  # a worker's own is the default: metadata routing off

        def run(flat: list[tuple]) -> list[dict]:
            return cvtools.fit_jobs(flat, pool, config)

        if self.pruner is None:
            done = run([job for group in jobs for job in group])
            k = len(jobs[0])
            return [(done[j * k : (j + 1) * k], False) for j in range(len(jobs))]
        return cvtools.fit_folds(opt, asked, jobs, objective, run, stopped)
