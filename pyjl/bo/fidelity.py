"""Where a pruned trial would have ended, on the completed trials' scale (for the surrogate).

A pruned trial's value is from a shorter run (fewer rounds, epochs, folds) than the
completed trials' values, so the GP is not fitted to it (see ``docs/bo.md``, Pruning).
The acquisition still has to hear of it, or the search would return to its
neighbourhood: :class:`~pyjl.bo.samplers.GPSampler` fantasises it, in the copy of the
GP the acquisition runs on, by the rank :func:`pruned_ranks` gives -- *rung relative*.
At the step ``s`` where the trial stopped, its best value so far ranks at ``q``: the
fraction of the completed trials whose best value up to ``s`` is lower (ties count a
half; a completed trial that ended before ``s`` enters with its best value).  The
sampler fantasises it at the ``q``-quantile of the completed trials' values as the GP
models them: the one assumption is that a trial keeps its rank among the completed
ones from ``s`` to the end.  A trial worse at ``s`` than every completed one reads as
the worst value (what every pruned trial read as before); one that ranks in the middle
-- pruned by a pruner that also compares it with other pruned or running trials, or at
a later rung -- as a middling value, so the search does not flee a region only because
its trials were good but not the very best.  Without completed learning curves there
is nothing to rank against: no rank, and the sampler uses the worst value.

>>> from pyjl.bo.trial import Trial
>>> trials = [Trial(0, {}, "complete", 0.1), Trial(1, {}, "complete", 0.3),
...           Trial(2, {}, "pruned", 0.6), Trial(3, {}, "pruned", 0.9)]
>>> curves = {0: {0: 0.9, 1: 0.5, 2: 0.1}, 1: {0: 0.8, 1: 0.7, 2: 0.3},
...           2: {0: 0.85, 1: 0.6}, 3: {0: 0.95}}
>>> pruned_ranks(trials, curves)
{2: 0.5, 3: 1.0}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .trial import Trial, TrialState

__all__ = ["pruned_ranks"]


def _best_up_to(curve: Mapping[int, float], step: int) -> float:
    """The lowest value reported at a step ``<= step`` (the first one when none is)."""
    up_to = [v for s, v in curve.items() if s <= step]
    return min(up_to) if up_to else curve[min(curve)]


def pruned_ranks(
    trials: Sequence[Trial], curves: Mapping[int, Mapping[int, float]]
) -> dict[int, float]:
    """``{number: q}``: the rank of each pruned trial that reported among the completed
    trials at the step where it stopped, in ``[0, 1]`` (0: better than all of them, 1:
    worse; see the module docstring); empty without a completed trial that reported a
    learning curve.

    Parameters
    ----------
    trials : sequence of Trial
        The study's trials.
    curves : mapping
        The reported values ``{number: {step: value}}``.

    Returns
    -------
    dict
        ``{number: float}``, each in ``[0, 1]``.
    """
    done = [
        curves[t.number]
        for t in trials
        if t.state == TrialState.COMPLETE and t.value is not None and curves.get(t.number)
    ]
    out: dict[int, float] = {}
    if not done:
        return out
    for t in trials:
        curve = curves.get(t.number)
        if t.state != TrialState.PRUNED or not curve:
            continue
        step = max(curve)
        mine = _best_up_to(curve, step)
        theirs = np.array([_best_up_to(c, step) for c in done])
        out[t.number] = float(np.sum(theirs < mine) + 0.5 * np.sum(theirs == mine)) / len(done)
    return out
