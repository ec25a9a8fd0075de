"""The trial handle an objective may take: report intermediate values, ask the pruner.

An objective of :func:`~pyjl.bo.minimize`, :func:`~pyjl.bo.random_search` and
:func:`~pyjl.bo.grid_search` is called ``func(params)``, or ``func(params, trial)``
when it takes two positional parameters or more (decided once, from
:func:`inspect.signature`): ``trial`` is a :class:`TrialHandle`.  Each
:meth:`~TrialHandle.report` is stored at once through the study's storage, so
:meth:`~TrialHandle.should_prune` -- which asks the study's pruner with every trial's
values, read back from the storage -- sees what other workers and processes reported.
``raise TrialPruned`` ends the trial as ``pruned``, its value the last one reported.

>>> from pyjl.bo import MedianPruner, Real, Space, TrialPruned, minimize
>>> def objective(params, trial):
...     loss = 1.0
...     for step in range(10):
...         loss = loss * 0.9 + (params["x"] - 0.3) ** 2 / 10
...         trial.report(step, loss)
...         if trial.should_prune():
...             raise TrialPruned(f"pruned at step {step}")
...     return loss
>>> res = minimize(objective, Space({"x": Real(0.0, 1.0)}), n_calls=12, n_initial=6,
...                pruner=MedianPruner(n_startup_trials=3), seed=0, progress=False)
>>> sorted(set(res.history["state"])), len(res.history)
(['complete', 'pruned'], 12)
"""

from __future__ import annotations

import inspect
import numbers
import os
import uuid
import weakref
from collections.abc import Callable
from typing import Any

from .. import _validate
from ..exceptions import TrialPruned
from . import ending
from .direction import loss_trials
from .pruners import Pruner, StoredCurves
from .trial import TrialState

__all__ = [
    "TrialHandle",
    "TrialPruned",
    "takes_trial",
    "in_memory_error",
    "report",
    "should_prune",
    "last_value",
]


def in_memory_error() -> Exception:
    """The refusal of an in-memory study reported to from another process."""
    return _validate.error(
        "storage",
        "must be a file or a database for an objective that runs in another process to "
        "report to it",
        "an in-memory study",
        "pass storage='sqlite:///study.db', or use threads (n_workers, no executor)",
    )


def takes_trial(func: Callable) -> bool:
    """Whether ``func`` takes a trial handle: two positional parameters or more (or
    ``*args``).  A callable without a signature is called ``func(params)``."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return False
    kinds = [p.kind for p in sig.parameters.values()]
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(k in positional for k in kinds) >= 2 or inspect.Parameter.VAR_POSITIONAL in kinds


def report(storage, study_id: int, number: int, step: Any, value: Any) -> None:
    """Check and store the intermediate ``value`` of trial ``number`` at ``step``."""
    if isinstance(step, numbers.Real) and not isinstance(step, numbers.Integral):
        # report(0.0, 5) in Optuna's order (value, step) would store 5 at step 0
        raise _validate.error(
            "step",
            "must be an integer (a float step is refused: pyjl's report takes the step "
            "first, report(step, value), where Optuna's takes report(value, step))",
            step,
            "call trial.report(step, value), or by keyword: report(value=..., step=...)",
            wrong_type=True,
        )
    step = _validate.integer(
        step, "step", low=0, high=_validate.SEED_MAX, fix="pass a whole number in [0, 2**63)"
    )
    number = ending.number(number)
    v = _validate.finite(
        value,
        "value",
        fix="report a float (e.g. the validation loss)",
        finite_fix=f"report a finite loss at step {step}, or raise TrialPruned to stop the trial",
    )
    with storage.transaction("report"):
        state = _known(storage, study_id, number, "report for")
        if state in (TrialState.PRUNED, TrialState.FAILED):  # Optuna's UpdateFinishedTrialError
            raise _validate.error(
                "number",
                "must be a trial that is running, complete or abandoned (a pruned or "
                "failed trial's curve is final: a pruned one's value is its last report)",
                f"{number}, which is {state.value}",
                "report before ending the trial; a new evaluation asks a new trial",
            )
        done = storage.intermediate_curve(study_id, number)
        if done and step <= max(done):
            raise _validate.error(
                "step",
                f"must increase strictly within a trial (trial {number} already "
                f"reported step {max(done)})",
                step,
                f"report steps in increasing order: the next one must be > {max(done)}",
            )
        storage.report(study_id, number, step, v)


def should_prune(
    storage, study_id: int, number: int, pruner: Pruner, direction: str = "minimize"
) -> bool:
    """The pruner's verdict on trial ``number``, from the stored trials and values as
    losses (:mod:`pyjl.bo.direction`; a pruner with ``prune_stored`` reads only the
    values it needs)."""
    number = ending.number(number)
    _known(storage, study_id, number, "ask about")
    curves = StoredCurves(storage, study_id, direction)
    trials = loss_trials(storage.trials(study_id), direction)
    if hasattr(pruner, "prune_stored"):  # reads only what it needs
        return bool(pruner.prune_stored(trials, curves, number))
    return bool(pruner.prune(trials, curves.all(), number))


def _known(storage, study_id: int, number: int, verb: str) -> TrialState:
    """The state of trial ``number``, refusing a number the study does not hold."""
    state = storage.state_of(study_id, number)
    if state is None:
        raise _validate.error(
            "number",
            "must be a trial of the study",
            f"{number}, which it does not hold",
            f"{verb} a trial number that ask_trials or tell returned",
        )
    return TrialState(state)


def last_value(storage, study_id: int, number: int) -> float | None:
    """The value trial ``number`` reported at its last step (None: none reported)."""
    curve = storage.intermediate_curve(study_id, number)
    return float(curve[max(curve)]) if curve else None


#: in-memory storages whose handles were pickled, by a token of their own (not ``id()``,
#: which a later storage may reuse): an executor that pickles its tasks but runs them in
#: this process (Dask with processes=False) finds them here
_IN_PROCESS: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()


#: ``id(storage) -> token`` while the storage lives (a copy of it is another object)
_TOKENS: dict[int, str] = {}


def _token(storage: Any) -> str:
    """The token an in-memory storage is found by in :data:`_IN_PROCESS`."""
    key = id(storage)
    token = _TOKENS.get(key)
    if token is None:
        token = _TOKENS[key] = uuid.uuid4().hex
        weakref.finalize(storage, _TOKENS.pop, key, None)  # before the id can be reused
    return token


class TrialHandle:
    """A running trial, as its objective sees it: ``func(params, trial)``.

    Built by the study's loop (or by :meth:`pyjl.bo.Optimizer.handle` for ask/tell
    users); it can be pickled to a worker process when the study is stored in a file or
    a database (it reopens the storage there by its URL).

    Attributes
    ----------
    number : int
        The trial's number in the study.
    params : dict
        Its parameters.

    Examples
    --------
    >>> from pyjl.bo import MedianPruner, Optimizer, Real, Space
    >>> opt = Optimizer(Space({"x": Real(0.0, 1.0)}), seed=0, pruner=MedianPruner())
    >>> [(number, params)] = opt.ask_trials(1)
    >>> trial = opt.handle(number, params)
    >>> trial.report(0, 0.75)
    >>> trial.should_prune()
    False
    >>> opt.intermediate_values()
    {0: {0: 0.75}}
    """

    def __init__(
        self,
        storage,
        study_id: int,
        number: int,
        params: dict,
        pruner: Pruner,
        direction: str = "minimize",
    ):
        self.number, self.params = int(number), dict(params)
        self._direction = direction
        # the URL to reopen the storage by in another process: a storage whose .url is
        # redacted for messages (a password) keeps the full one as _reopen_url
        self._storage, self._url = storage, getattr(storage, "_reopen_url", storage.url)
        self._study_id, self._pruner = study_id, pruner

    def report(self, step: int, value: float) -> None:
        """Store ``value`` (finite) at ``step`` (an integer ``>= 0``, larger than any
        step this trial reported before); :class:`~pyjl.exceptions.InputError` otherwise.
        The step comes first, where Optuna's ``report(value, step)`` has it second: a
        float step is refused, so a call in Optuna's order fails instead of storing the
        step as the value."""
        report(self._open(), self._study_id, self.number, step, value)

    def should_prune(self) -> bool:
        """Whether the study's pruner says to stop this trial now (then ``raise
        TrialPruned``)."""
        return should_prune(
            self._open(), self._study_id, self.number, self._pruner, self._direction
        )

    def _open(self):
        if self._storage is None and self._url == "memory":  # a copy in this process?
            pid, key = getattr(self, "_memory", (None, None))
            self._storage = _IN_PROCESS.get(key) if pid == os.getpid() else None
        if self._storage is None:
            if self._url == "memory":
                raise in_memory_error()
            from .storage import open_storage

            self._storage = open_storage(self._url)
        return self._storage

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_storage"] = None  # reopened by URL in the process it is sent to
        if self._url == "memory" and self._storage is not None:  # found again in this one
            token = _token(self._storage)
            _IN_PROCESS[token] = self._storage
            state["_memory"] = (os.getpid(), token)
        return state

    def __copy__(self) -> TrialHandle:
        return self  # a handle names one trial of one study: copies would be the same

    def __deepcopy__(self, memo) -> TrialHandle:
        return self

    def __repr__(self) -> str:
        return f"TrialHandle(number={self.number}, params={self.params!r})"
