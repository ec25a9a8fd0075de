"""Ending a trial by its number: only a pending trial (or an abandoned one, told late)
ends, once; a trial that has ended, or that the study does not hold, is refused."""

from __future__ import annotations

from typing import Any

from .. import _validate
from ..exceptions import InputError
from .trial import TrialState

__all__ = ["number", "no_trial", "end"]


def number(value: Any) -> int:
    """A trial number: a whole number ``>= 0`` that storage keeps (below ``2**63``)."""
    return _validate.integer(
        value,
        "number",
        low=0,
        high=_validate.SEED_MAX,
        fix="pass a trial number that ask_trials returned",
    )


def no_trial(n: int, study: str, n_trials: int) -> InputError:
    """The error for trial number ``n`` of a study that holds ``n_trials``."""
    return _validate.error(
        "number",
        f"must be a trial of study {study!r}",
        f"{n}, but the study holds {n_trials} trials",
        "pass a trial number that ask_trials returned",
    )


def end(
    opt: Any,
    n: Any,
    state: TrialState,
    value: float | None = None,
    noise_var: float | None = None,
    error: str | None = None,
) -> None:
    """End pending (or abandoned) trial ``n`` of ``opt``'s study in ``state``, in one
    transaction of its storage; raise :class:`~pyjl.exceptions.InputError` for a trial
    that has ended (it stays as it is) or that the study does not hold."""
    n = number(n)
    before = opt.storage.finish(opt._study_id, n, state, value, noise_var, error)
    if before is None:
        raise no_trial(n, opt.study_name, len(opt.trials))
    if before not in (TrialState.RUNNING, TrialState.ABANDONED):
        raise _validate.error(
            "number",
            "must be a trial still being evaluated: one that has ended cannot be changed",
            f"trial {n}, which is {before.value}",
            "record another evaluation of its point with tell(params, value), which adds a trial",
        )
