"""The ``"auto"`` resource of ASHA and Hyperband, fixed once per study.

Optuna estimates ``min_resource="auto"`` (successive halving) and ``max_resource="auto"``
(Hyperband) from the completed trials' last steps when the pruner is first asked after one
completed; the rung values are recorded from then on, when trials ask (so the trials that
had ended take no part in the rungs).  Here the estimate is noted with the trial whose
question fixed it (:meth:`MappingCurves.mark`), so that another worker, or a process
resuming the study, uses the same rungs instead of estimating anew from a study that has
grown since.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .curves import MappingCurves
from .trial import Trial, TrialState

__all__ = ["settle"]

#: the trial attribute holding ``{"resource": int}``, one per pruner kind (``"asha"``,
#: ``"hyperband"``)
KEY = "pyjl.{kind}.auto"


def settle(
    kind: str,
    trials: Sequence[Trial],
    curves: MappingCurves,
    number: int,
    estimate: Callable[[int], int],
) -> int | None:
    """The study's ``"auto"`` resource: read from the study's notes where an earlier
    question fixed it, else fixed now by ``estimate(the completed trials' last step)`` and
    noted with trial ``number``; ``None`` while no completed trial has reported."""
    if not any(t.state == TrialState.COMPLETE for t in trials):
        return None  # none could have been fixed: it takes a completed trial
    key = KEY.format(kind=kind)
    for notes in curves.marks().values():
        if key in notes:
            return int(notes[key]["resource"])
    intermediate = curves.all()
    done = [t for t in trials if t.state == TrialState.COMPLETE]
    steps = [max(intermediate[t.number]) for t in done if intermediate.get(t.number)]
    if not steps:
        return None
    resource = estimate(max(steps))
    curves.mark(number, {key: {"resource": resource}})
    return resource
