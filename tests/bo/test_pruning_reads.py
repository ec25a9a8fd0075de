"""What ``should_prune`` reads: only the values a decision needs (``StoredCurves``: the
trial's own curve, the values at one step), never every value of the study -- and the same
decisions as the pruners given every curve, on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import numpy as np
import pytest

from pyjl.bo import MedianPruner, PercentilePruner, SuccessiveHalvingPruner
from pyjl.bo.curves import MappingCurves, StoredCurves
from pyjl.bo.handle import report, should_prune
from pyjl.bo.storage import MemoryStorage, open_storage

SPACE_JSON = '{"x": {"type": "real", "low": 0, "high": 1, "log": false}}'


def _pruners():
    return [
        MedianPruner(n_startup_trials=2, n_warmup_steps=1),
        PercentilePruner(30.0, n_startup_trials=1, interval_steps=2),
        SuccessiveHalvingPruner(min_resource=2, reduction_factor=2),
        SuccessiveHalvingPruner(min_resource="auto", reduction_factor=3),
        SuccessiveHalvingPruner(min_resource=1, reduction_factor=3, bootstrap_count=2),
    ]


def _replay(rng, open_one, n_trials=9, n_steps=14):
    """Interleaved trials reporting noisy decreasing curves (some steps skipped, some
    trials stopping early, none stopping when told to prune); returns the decision of
    every pruner at every report, asked through a storage of its own (``should_prune``:
    one pruner per study, as the notes a pruner keeps with the trials are its own) and
    from the whole dict (``prune``)."""
    stored, full = _pruners(), _pruners()
    storages = [open_one(i) for i in range(len(stored))]
    sids = [st.study(f"s{i}", SPACE_JSON, 0)["id"] for i, st in enumerate(storages)]
    floors = rng.uniform(0.1, 1.0, n_trials)
    rates = rng.uniform(0.1, 0.6, n_trials)
    lengths = rng.integers(3, n_steps + 1, n_trials)
    for st, sid in zip(storages, sids):
        for _ in range(n_trials):
            st.add_trial(sid, '{"x": 0.5}', "pending")
    step_of = np.zeros(n_trials, dtype=int)
    got, want = [], []
    live = list(range(n_trials))
    while live:
        n = int(rng.choice(live))
        step = int(step_of[n])
        value = floors[n] + np.exp(-rates[n] * step) + 0.02 * rng.normal()
        for st, sid in zip(storages, sids):
            report(st, sid, n, step, value)
        trials = storages[0].trials(sids[0])
        curves = storages[0].intermediate_values(sids[0])
        got.append([should_prune(st, i, n, p) for st, i, p in zip(storages, sids, stored)])
        want.append([p.prune(trials, curves, n) for p in full])
        step_of[n] += int(rng.integers(1, 3))
        if step_of[n] >= lengths[n]:
            for st, i in zip(storages, sids):
                st.finish(i, n, "complete", float(value))
            live.remove(n)
    return got, want


@pytest.mark.parametrize("where", ["memory", "sqlite", "postgresql"])
def test_stored_reads_decide_as_the_whole_study(rng, where, tmp_path, request):
    if where == "postgresql":
        base = request.getfixturevalue("pg_url")
        urls = [base] * 5  # one server: the studies have names of their own
    else:
        urls = [
            None if where == "memory" else f"sqlite:///{tmp_path / f's{i}.db'}" for i in range(5)
        ]
    got, want = _replay(rng, lambda i: open_storage(urls[i]))
    assert got == want
    assert any(any(row) for row in got) and not all(all(row) for row in got)


@pytest.mark.parametrize("where", ["memory", "sqlite"])
def test_the_reads_match_the_whole_study(rng, where, tmp_path):
    storage = open_storage(None if where == "memory" else f"sqlite:///{tmp_path / 's.db'}")
    sid = storage.study("s", SPACE_JSON, 0)["id"]
    curves: dict[int, dict[int, float]] = {}
    for n in range(5):
        storage.add_trial(sid, '{"x": 0.5}', "pending")
        for step in sorted(rng.choice(20, size=int(rng.integers(1, 10)), replace=False)):
            v = float(rng.normal())
            storage.report(sid, n, int(step), v)
            curves.setdefault(n, {})[int(step)] = v
    stored, mapped = StoredCurves(storage, sid), MappingCurves(curves)
    assert stored.all() == curves
    for step in range(21):
        assert stored.at(step) == mapped.at(step)
        assert stored.at(step, exact=False) == mapped.at(step, exact=False)
    for n in range(6):
        assert stored.curve(n) == mapped.curve(n) == curves.get(n, {})


class _Counting(MemoryStorage):
    """A memory storage that counts reads of every value of a study."""

    full_reads = 0
    attribute_reads = 0

    def intermediate_values(self, study_id):
        self.full_reads += 1
        return super().intermediate_values(study_id)

    def attributes(self, study_id):
        self.attribute_reads += 1
        return super().attributes(study_id)


def test_asha_reads_the_trials_notes_only_where_a_rung_is_crossed():
    # every trial's notes (with a search's fold records among them) are read where a rung
    # is crossed, and when a trial first asks; not at the steps between
    storage = _Counting()
    sid = storage.study("s", SPACE_JSON, 0)["id"]
    asha = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)  # rungs 1, 2, 4, 8
    for n in range(3):
        storage.add_trial(sid, '{"x": 0.5}', "pending")
        reads = []
        for step in range(12):
            report(storage, sid, n, step, 1.0 / (step + 1) + 0.01 * n)
            before = storage.attribute_reads
            should_prune(storage, sid, n, asha)
            reads.append(storage.attribute_reads - before)
        storage.finish(sid, n, "complete", 1.0 / 12 + 0.01 * n)
        assert [step for step, k in enumerate(reads) if k] == [0, 1, 2, 4, 8]  # 0: its first


def test_report_and_should_prune_do_not_read_the_whole_study():
    storage = _Counting()
    sid = storage.study("s", SPACE_JSON, 0)["id"]
    pruners = [
        MedianPruner(n_startup_trials=1),
        SuccessiveHalvingPruner(min_resource=2, reduction_factor=2),
    ]
    for n in range(4):
        storage.add_trial(sid, '{"x": 0.5}', "pending")
        for step in range(8):
            report(storage, sid, n, step, 1.0 / (step + 1) + n)
            for p in pruners:
                should_prune(storage, sid, n, p)
        storage.finish(sid, n, "complete", 1.0 / 8 + n)
    assert storage.full_reads == 0
    # min_resource="auto" reads every curve once, when it sets the first rung
    auto = SuccessiveHalvingPruner(reduction_factor=2)
    storage.add_trial(sid, '{"x": 0.5}', "pending")
    for step in range(4):
        report(storage, sid, 4, step, 5.0)
        should_prune(storage, sid, 4, auto)
    assert storage.full_reads == 1


def test_a_pruner_of_ones_own_gets_every_curve():
    storage = MemoryStorage()
    sid = storage.study("s", SPACE_JSON, 0)["id"]
    seen = []

    class Mine(MedianPruner):
        def prune(self, trials, intermediate, number):
            seen.append(dict(intermediate))
            return False

    class Plain:  # no prune_stored: called with the whole dict
        def prune(self, trials, intermediate, number):
            seen.append(dict(intermediate))
            return True

    storage.add_trial(sid, '{"x": 0.5}', "pending")
    report(storage, sid, 0, 0, 2.0)
    assert should_prune(storage, sid, 0, Plain()) is True
    assert should_prune(storage, sid, 0, Mine()) is False  # its prune, not MedianPruner's
    assert seen == [{0: {0: 2.0}}, {0: {0: 2.0}}]
