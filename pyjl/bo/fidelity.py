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

With ``pruned_as="mean"`` (:func:`partial_means`) the reports are taken for running means
of exchangeable pieces (folds): the ``k``-th report of a curve is the mean of its first
``k`` pieces, so a trial pruned after ``k`` of ``K`` has an unbiased estimate of its final
value, with variance ``s^2 (1/k - 1/K)`` (``s^2``: the variance between pieces), and the
surrogate fits it as an observation with that extra noise.

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

__all__ = [
    "pruned_ranks",
    "surrogate_view",
    "fold_variance",
    "residual_variance",
    "partial_means",
    "PRUNED_AS",
]

#: what the surrogate makes of a pruned trial (``Optimizer(pruned_as=...)``)
PRUNED_AS = ("rank", "mean")


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


def _means(curve: Mapping[int, float]) -> np.ndarray:
    """A curve's reports in the order of their steps."""
    return np.array([curve[s] for s in sorted(curve)], dtype=np.float64)


def _pieces(m: np.ndarray) -> np.ndarray:
    """The pieces ``v_j = j m_j - (j - 1) m_{j-1}`` of running means ``m`` (``m_j``: the
    ``j``-th report)."""
    j = np.arange(1, len(m) + 1)
    return j * m - np.r_[0.0, (j[:-1]) * m[:-1]]


def fold_variance(curves: Sequence[Mapping[int, float]]) -> float | None:
    """The variance between pieces ``s^2``, pooled over ``curves`` of running means: the sum
    over the curves of the squared deviations of their pieces from their mean, over the sum
    of ``(pieces - 1)``; ``None`` without a curve of two or more reports.

    >>> fold_variance([{0: 1.0, 1: 2.0, 2: 2.0}])  # pieces 1, 3, 2: variance 1
    1.0
    """
    ss, dof = 0.0, 0
    for c in curves:
        if len(c) >= 2:
            v = _pieces(_means(c))
            ss += float(np.sum((v - v.mean()) ** 2))
            dof += len(v) - 1
    return ss / dof if dof else None


def residual_variance(pieces: np.ndarray) -> float | None:
    """The variance between pieces once each trial's level and each piece's offset (fold
    effect) are removed: the residual mean square of the two-way layout ``(n, K)`` of
    ``pieces``, ``sum(r^2) / ((n - 1)(K - 1))``; ``None`` for fewer than 2 rows or columns.

    >>> residual_variance(np.array([[1.0, 2.0], [3.0, 4.0]]))  # level + offset exactly
    0.0
    """
    n, k = pieces.shape
    if n < 2 or k < 2:
        return None
    r = pieces - pieces.mean(axis=1, keepdims=True) - pieces.mean(axis=0) + pieces.mean()
    return float(np.sum(r**2)) / ((n - 1) * (k - 1))


def partial_means(
    trials: Sequence[Trial], curves: Mapping[int, Mapping[int, float]]
) -> dict[int, tuple[float, float]]:
    """``{number: (value, extra noise variance)}`` of each pruned trial that reported, read
    as a running mean of ``k`` of the ``K`` pieces a completed trial has.

    ``K``: the most reports a completed trial has; ``n``: the completed trials with ``K``.
    The value is the trial's last report less the mean offset ``m_k - m_K`` of those ``n``
    (the pieces are the same folds in the same order for every trial, so an easy first
    fold shows in all of them; with pieces in a random order the offset is 0 on average).
    The variance is ``s^2 (1/k - 1/K) (1 + 1/n)``: a mean of ``k`` of ``K`` values drawn
    without replacement, and the offset's own error; ``s^2`` is
    :func:`residual_variance` of the ``n`` trials' pieces (the fold effects taken out),
    :func:`fold_variance` of every ended trial's curve while ``n < 2``.  Empty without a
    completed trial of two or more reports.

    Parameters
    ----------
    trials : sequence of Trial
        The study's trials.
    curves : mapping
        The reported values ``{number: {step: value}}``.

    Returns
    -------
    dict
        ``{number: (float, float)}``.

    Examples
    --------
    >>> trials = [Trial(0, {}, "complete", 2.0), Trial(1, {}, "pruned", 5.0)]
    >>> curves = {0: {0: 1.0, 1: 2.0, 2: 2.0}, 1: {0: 5.0}}
    >>> value, var = partial_means(trials, curves)[1]  # offset 1 - 2; 1 (1 - 1/3) (1 + 1)
    >>> value, round(var, 12)
    (6.0, 1.333333333333)
    """
    ended = (TrialState.COMPLETE, TrialState.PRUNED)
    done = [
        curves[t.number]
        for t in trials
        if t.state == TrialState.COMPLETE
        and t.value is not None
        and len(curves.get(t.number) or ()) >= 2
    ]
    if not done:
        return {}
    K = max(len(c) for c in done)
    full = np.array([_means(c) for c in done if len(c) == K])
    s2 = residual_variance(np.array([_pieces(m) for m in full]))
    if s2 is None:
        s2 = fold_variance(
            [curves[t.number] for t in trials if t.state in ended and curves.get(t.number)]
        )
    assert s2 is not None
    offset = np.mean(full - full[:, -1:], axis=0)
    out: dict[int, tuple[float, float]] = {}
    for t in trials:
        curve = curves.get(t.number)
        if t.state != TrialState.PRUNED or not curve:
            continue
        k = min(len(curve), K)
        value = curve[max(curve)] - float(offset[k - 1])
        out[t.number] = (value, s2 * (1.0 / k - 1.0 / K) * (1.0 + 1.0 / len(full)))
    return out
