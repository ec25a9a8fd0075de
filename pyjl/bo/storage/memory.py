"""Trials in this process's memory: the storage of ``Optimizer(storage=None)``."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import json
import threading
import time
from collections.abc import Iterator

from ..._validate import error as _input_error
from ..trial import Trial, TrialState

__all__ = ["MemoryStorage"]


class MemoryStorage:
    """Trials in this process's memory (the default: ``storage=None``).

    Examples
    --------
    >>> from pyjl.bo.storage import MemoryStorage
    >>> st = MemoryStorage()
    >>> sid = st.study("demo", '{"x": {"type": "real", "low": 0, "high": 1}}', 7)["id"]
    >>> n = st.add_trial(sid, '{"x": 0.5}', "pending")
    >>> st.finish(sid, n, "abandoned", error="interrupted")  # returns the state it found
    <TrialState.RUNNING: 'pending'>
    >>> [(t.number, t.state.value, t.error) for t in st.trials(sid)]
    [(0, 'abandoned', 'interrupted')]
    """

    url = "memory"

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._studies: dict[str, dict] = {}
        self._trials: dict[int, list[Trial]] = {}
        self._values: dict[int, dict[int, dict[int, float]]] = {}
        self._attributes: dict[int, dict[int, dict[str, str]]] = {}

    def __getstate__(self) -> dict:
        """A copy's trials (pickled with an ``Optimizer`` or a search): the lock stays."""
        with self._lock:
            state = {k: v for k, v in self.__dict__.items() if k != "_lock"}
            return copy.deepcopy(state)

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    @contextlib.contextmanager
    def transaction(self, operation: str | None = None) -> Iterator[None]:
        """One writer at a time (a lock of this process)."""
        with self._lock:
            yield

    @contextlib.contextmanager
    def keeping(
        self, study_id: int, number: int | None, params: dict | None, value: float
    ) -> Iterator[list]:
        """Nothing to keep: memory cannot fail to store a value."""
        yield [study_id, number, params, value]

    def study(
        self, name: str, space_json: str | None, seed: int | None, settings: str = "{}"
    ) -> dict:
        """Return the study ``name``, creating it when it is new and ``space_json`` is given."""
        with self._lock:
            if name not in self._studies:
                if space_json is None:
                    raise _input_error(
                        "space",
                        f"must be given to create study {name!r} "
                        f"(it does not exist in {self.url})",
                        "None",
                        "pass the search space, or the name of a stored study",
                    )
                sid = len(self._studies) + 1
                self._studies[name] = {
                    "id": sid,
                    "name": name,
                    "space": space_json,
                    "seed": seed,
                    "created": time.time(),
                    "settings": settings,
                }
                self._trials[sid] = []
            return dict(self._studies[name])

    def studies(self) -> list[dict]:
        """Every study, with its number of trials (``n_trials``)."""
        with self._lock:
            return [dict(s, n_trials=len(self._trials[s["id"]])) for s in self._studies.values()]

    def trials(self, study_id: int) -> list[Trial]:
        """The study's trials in order (copies)."""
        with self._lock:
            return [dataclasses.replace(t, params=dict(t.params)) for t in self._trials[study_id]]

    def add_trial(
        self,
        study_id: int,
        params_json: str,
        state: str,
        value: float | None = None,
        noise_var: float | None = None,
        error: str | None = None,
        worker: str | None = None,
    ) -> int:
        """Append a trial; returns its number."""
        with self._lock:
            trials = self._trials[study_id]
            now = time.time()
            t = Trial(
                len(trials),
                json.loads(params_json),
                TrialState(state),
                value,
                noise_var,
                error,
                now,
                None if state == TrialState.RUNNING else now,
                worker,
                now,
            )
            trials.append(t)
            return t.number

    def state_of(self, study_id: int, number: int) -> TrialState | None:
        """The state of trial ``number`` (``None``: the study has no such trial)."""
        with self._lock:
            trials = self._trials[study_id]
            return trials[number].state if 0 <= number < len(trials) else None

    def finish(
        self,
        study_id: int,
        number: int,
        state: str,
        value: float | None = None,
        noise_var: float | None = None,
        error: str | None = None,
        *,
        only_from: tuple[str, ...] = (TrialState.RUNNING, TrialState.ABANDONED),
    ) -> TrialState | None:
        """End trial ``number`` in ``state`` if its state is one of ``only_from``; returns
        the state it had (``None``: no such trial)."""
        with self._lock:
            before = self.state_of(study_id, number)
            if before in only_from:
                t = self._trials[study_id][number]
                t.state, t.error = TrialState(state), error
                t.value, t.noise_var = value, noise_var
                t.finished = time.time()
            return before

    def report(self, study_id: int, number: int, step: int, value: float) -> None:
        """Set the intermediate ``value`` of trial ``number`` at ``step``."""
        with self._lock:
            self._values.setdefault(study_id, {}).setdefault(number, {})[step] = float(value)

    def intermediate_values(self, study_id: int) -> dict[int, dict[int, float]]:
        """``{number: {step: value}}`` of the study's trials that reported (copies)."""
        with self._lock:
            return {n: dict(c) for n, c in sorted(self._values.get(study_id, {}).items())}

    def intermediate_curve(self, study_id: int, number: int) -> dict[int, float]:
        """``{step: value}`` of trial ``number`` (a copy; empty: it reported nothing)."""
        with self._lock:
            return dict(sorted(self._values.get(study_id, {}).get(number, {}).items()))

    def intermediate_at(self, study_id: int, step: int, exact: bool = True) -> dict[int, float]:
        """``{number: value}`` at ``step`` (``exact=False``: at each trial's first step
        ``>= step``) of the trials that reported one there."""
        out = {}
        with self._lock:
            for number, curve in sorted(self._values.get(study_id, {}).items()):
                reached = [s for s in curve if s == step or (not exact and s >= step)]
                if reached:
                    out[number] = curve[min(reached)]
        return out

    def set_attributes(self, study_id: int, number: int, attributes: dict) -> None:
        """Keep ``attributes`` (``{key: JSON-able value}``) with trial ``number``."""
        with self._lock:
            kept = self._attributes.setdefault(study_id, {}).setdefault(number, {})
            kept.update({str(k): json.dumps(v) for k, v in attributes.items()})

    def attributes(self, study_id: int) -> dict:
        """``{number: {key: value}}`` of the study's trials that have attributes (copies)."""
        with self._lock:
            kept = sorted(self._attributes.get(study_id, {}).items())
            return {n: {k: json.loads(v) for k, v in a.items()} for n, a in kept}

    def heartbeat(self, study_id: int, numbers: list[int]) -> None:
        """Mark trials ``numbers`` as still being evaluated, now."""
        with self._lock:
            for n in numbers:
                self._trials[study_id][n].heartbeat = time.time()

    def close(self) -> None:
        """Nothing to close."""
