"""Where a pruned trial would have ended, on the completed trials' scale (for the surrogate).

A pruned trial's value is from a shorter run (fewer rounds, epochs, folds) than the
completed trials' values, so the GP is not fitted to it (see ``docs/bo.md``, Pruning).
The acquisition still has to hear of it, or the search would return to its
neighbourhood: :class:`~pyjl.bo.samplers.GPSampler` fantasises it, in the copy of the
GP the acquisition runs on, by the rank :func:`pruned_ranks` gives -- *rung relative*.
At the step ``s`` where the trial stopped, its value ranks at ``q``: the fraction of the
completed trials whose value at ``s`` is lower (ties count a half; a curve's value at
``s`` is the one it reported at its last step up to ``s``, as the pruners compare them,
so a completed trial that ended before ``s`` enters with its last value).  The
sampler fantasises it at the ``q``-quantile of the completed trials' values as the GP
models them: the one assumption is that a trial keeps its rank among the completed
ones from ``s`` to the end.  A trial worse at ``s`` than every completed one reads as
the worst value (what every pruned trial read as before); one that ranks in the middle
-- pruned by a pruner that also compares it with other pruned or running trials, or at
a later rung -- as a middling value, so the search does not flee a region only because
its trials were good but not the very best.  Without completed learning curves there
is nothing to rank against: no rank, and the sampler uses the worst value.  With too
few completed trials for a GP, :func:`surrogate_view` has the surrogate model the last
step enough trials reached instead (BOHB's rule).

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

__all__ = ["pruned_ranks", "surrogate_view"]


def _value_at(curve: Mapping[int, float], step: int) -> float:
    """The value reported at the last step ``<= step`` (the first one when none is)."""
    up_to = [s for s in curve if s <= step]
    return curve[max(up_to) if up_to else min(curve)]


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
        mine = _value_at(curve, step)
        theirs = np.array([_value_at(c, step) for c in done])
        out[t.number] = float(np.sum(theirs < mine) + 0.5 * np.sum(theirs == mine)) / len(done)
    return out


def surrogate_view(
    trials: Sequence[Trial], curves: Mapping[int, Mapping[int, float]], n_min: int
) -> tuple[list[Trial], dict[int, float]]:
    """``(trials, ranks)`` as the surrogate should see them.

    With at least ``n_min`` completed trials (or no pruned one): the trials as they are
    and :func:`pruned_ranks`.  With fewer -- an aggressive pruner lets few trials finish
    -- the surrogate would see too little, so, as BOHB does (Falkner et al. 2018), it
    models the largest step ``s`` that at least ``n_min`` completed or pruned trials
    reached: those trials read as completed at their value at ``s``, and a trial pruned
    before ``s`` is ranked among them at its own step.  Needs a learning curve from
    every completed trial (otherwise the trials as they are).
    """
    trials = list(trials)
    ended = (TrialState.COMPLETE, TrialState.PRUNED)
    finished = [t for t in trials if t.state in ended and curves.get(t.number)]
    done = [t for t in trials if t.state == TrialState.COMPLETE and t.value is not None]
    if (
        len(done) >= n_min
        or not any(t.state == TrialState.PRUNED for t in trials)
        or any(not curves.get(t.number) for t in done)
    ):
        return trials, pruned_ranks(trials, curves)
    reach = sorted((max(curves[t.number]) for t in finished), reverse=True)
    if len(reach) < n_min:
        return trials, pruned_ranks(trials, curves)
    step = reach[n_min - 1]
    cohort = {
        t.number
        for t in finished
        if t.state == TrialState.COMPLETE or max(curves[t.number]) >= step
    }
    view = [
        Trial(t.number, t.params, TrialState.COMPLETE, _value_at(curves[t.number], step))
        if t.number in cohort
        else t
        for t in trials
    ]
    cut = {n: {s: v for s, v in c.items() if s <= step} for n, c in curves.items() if c}
    return view, pruned_ranks(view, cut)
