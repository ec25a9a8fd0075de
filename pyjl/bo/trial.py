"""A trial of a study and the states it goes through.

A trial is asked (``running``: its point is being evaluated somewhere) and ends
in one of four states: ``complete`` (it has a value), ``failed`` (the objective
raised or returned no finite number; the message is in ``error``),
``abandoned`` (its worker died, went silent, or the study was interrupted or
stopped before the evaluation ended; ``error`` says why, and its point may be
asked again) or ``pruned`` (stopped early by its objective on a pruner's advice,
:mod:`pyjl.bo.pruners`; ``value`` is the last intermediate value it reported).

The state strings are what storages keep and what :meth:`Optimizer.history`
shows; ``running`` is stored as ``"pending"``, its name since the first study.
A study written before ``abandoned`` was a state of its own kept such a trial as
``failed`` with an error starting ``"abandoned: "`` (and an SQLite file of that age
keeps a pruned trial as ``"pruned: "``); :func:`decode_state` reads it as
``abandoned`` (``pruned``) with the rest of the message as ``error``.

>>> TrialState.RUNNING == "pending", str(TrialState.ABANDONED)
(True, 'abandoned')
>>> decode_state("failed", "abandoned: interrupted")
(<TrialState.ABANDONED: 'abandoned'>, 'interrupted')
>>> decode_state("failed", "pruned: ")
(<TrialState.PRUNED: 'pruned'>, None)
"""

from __future__ import annotations

import dataclasses
import enum

__all__ = ["TrialState", "Trial", "decode_state", "LEGACY_PREFIX"]

#: how a study written before ``abandoned`` was a state marked such a trial's error
LEGACY_PREFIX = "abandoned: "
#: and a pruned trial's, in an SQLite file of that age
_PRUNED_PREFIX = "pruned: "


class TrialState(enum.StrEnum):
    """The state of a trial; each member equals the string storages keep.

    Examples
    --------
    >>> from pyjl.bo import TrialState
    >>> [s.value for s in TrialState]
    ['pending', 'complete', 'failed', 'abandoned', 'pruned']
    >>> TrialState("failed").is_finished()
    True
    """

    RUNNING = "pending"
    COMPLETE = "complete"
    FAILED = "failed"
    ABANDONED = "abandoned"
    PRUNED = "pruned"

    def is_finished(self) -> bool:
        """Whether the trial has ended (any state but ``RUNNING``)."""
        return self is not TrialState.RUNNING


def decode_state(state: str, error: str | None) -> tuple[TrialState, str | None]:
    """``(state, error)`` of a stored trial, the old ``"abandoned: "`` marking read as
    :attr:`TrialState.ABANDONED`."""
    if state == TrialState.FAILED and (error or "").startswith(LEGACY_PREFIX):
        return TrialState.ABANDONED, (error or "")[len(LEGACY_PREFIX) :]
    if state == TrialState.FAILED and (error or "").startswith(_PRUNED_PREFIX):
        return TrialState.PRUNED, (error or "")[len(_PRUNED_PREFIX) :] or None
    return TrialState(state), error


@dataclasses.dataclass
class Trial:
    """One evaluation of a study, as a storage keeps it.

    Attributes
    ----------
    number : int
        Its number in the study: 0, 1, ... in the order trials were created.
    params : dict
        The parameters ``{name: value}``.
    state : TrialState
        Where it stands (a ``str``: ``"pending"``, ``"complete"``, ``"failed"``,
        ``"abandoned"`` or ``"pruned"``).
    value : float or None
        The objective's value (``complete`` trials), or the last intermediate value
        reported (``pruned`` trials).
    noise_var : float or None
        The value's known noise variance, if one was told.
    error : str or None
        Why it failed or was abandoned.
    created, finished : float or None
        Unix times it was asked and it ended.
    worker : str or None
        ``host:pid`` of the process that asked for it.
    heartbeat : float or None
        Unix time its worker last said it was still evaluating it.

    Examples
    --------
    >>> t = Trial(0, {"x": 0.5}, "failed", error="abandoned: cancelled")
    >>> t.state, t.error, t.abandoned
    (<TrialState.ABANDONED: 'abandoned'>, 'cancelled', True)
    """

    number: int
    params: dict
    state: TrialState
    value: float | None = None
    noise_var: float | None = None
    error: str | None = None
    created: float | None = None
    finished: float | None = None
    worker: str | None = None
    heartbeat: float | None = None

    def __post_init__(self) -> None:
        self.state, self.error = decode_state(self.state, self.error)

    @property
    def abandoned(self) -> bool:
        """Whether the trial was abandoned (its point may be asked again)."""
        return self.state is TrialState.ABANDONED
