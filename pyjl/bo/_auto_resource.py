"""The ``"auto"`` resource of ASHA and Hyperband, fixed once per study.

Optuna estimates ``min_resource="auto"`` (successive halving) and ``max_resource="auto"``
(Hyperband) from the completed trials' last steps when the pruner is first asked after one
completed, and records rung values only from then on: the trials that had ended take no
part in the rungs and those running enter them from their next step.  Optuna keeps the
rung values themselves in the storage; here the estimate and each trial's entry step are
noted with the trial whose question fixed them (:meth:`MappingCurves.mark`), so that
another worker, or a process resuming the study, reads the same instead of estimating
anew from a study whose ended trials it would leave out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from .curves import MappingCurves
from .trial import Trial, TrialState

__all__ = ["settle"]

#: the trial attribute holding ``{"resource": int, "entered": {number: step or None}}``,
#: one per pruner kind (``"asha"``, ``"hyperband"``)
KEY = "pyjl.{kind}.auto"


def settle(
    kind: str,
    trials: Sequence[Trial],
    curves: MappingCurves,
    number: int,
    estimate: Callable[[int], int],
) -> tuple[int, dict[int, float]] | None:
    """``(resource, entered)``: the study's ``"auto"`` resource and the step from which
    each trial's rung values count (``inf``: never; absent: from its start), read from the
    study's notes where an earlier question fixed them, else fixed now by ``estimate(the
    completed trials' last step)`` and noted with trial ``number``, which asks at its
    last step; ``None`` while no completed trial has reported."""
    key = KEY.format(kind=kind)
    if not any(t.state == TrialState.COMPLETE for t in trials):
        return None  # none could have been fixed: it takes a completed trial
    for notes in curves.marks().values():
        if key in notes:
            fixed = notes[key]
            return int(fixed["resource"]), {
                int(n): math.inf if step is None else float(step)
                for n, step in fixed["entered"].items()
            }
    intermediate = curves.all()
    done = [t for t in trials if t.state == TrialState.COMPLETE]
    steps = [max(intermediate[t.number]) for t in done if intermediate.get(t.number)]
    if not steps:
        return None
    resource = estimate(max(steps))
    entered: dict[int, float] = {
        t.number: (math.inf if t.state.is_finished() else max(intermediate[t.number]) + 1)
        for t in trials
        if intermediate.get(t.number) and t.number != number
    }
    own = curves.curve(number)
    if own:
        entered[number] = max(own)
    noted = {str(n): None if math.isinf(s) else s for n, s in entered.items()}
    curves.mark(number, {key: {"resource": resource, "entered": noted}})
    return resource, entered
