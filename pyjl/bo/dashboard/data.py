"""What the dashboard shows, read from a storage opened read-only.

:class:`StudyReader` is the dashboard's one reader of the storage. Every read runs on one
thread of its own (a storage keeps a connection per thread, so the server's request
threads share one), and nothing is ever written: the storage is opened with
:func:`~pyjl.bo.storage.open_storage` ``(read_only=True)``.

Trials are fetched incrementally: each study keeps its trials as last read and a
*revision*, a counter raised on each read that found a trial added or changed; a trial
carries the revision it last changed at, and ``trials(name, since=r)`` returns the trials
changed after revision ``r``. Reading a study again within :data:`REFRESH_S` returns what
was read (many browsers watching cost one read). The posterior and the importance of the
parameters come from a GP fitted to the completed trials (:func:`pyjl.bo.posterior.replay`,
:func:`pyjl.bo.posterior.posterior_line`), fitted once per (study, number of completed
trials) and cached with each posterior per parameter.
"""

from __future__ import annotations

import collections
import math
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ..direction import best_index, direction_of
from ..posterior import posterior_line, replay
from ..space import Categorical, Integer, Real, Space
from ..storage import open_storage
from ..trial import Trial, TrialState

__all__ = ["StudyReader", "REFRESH_S", "N_FIT_MAX"]

#: a study read less than this many seconds ago is not read again
REFRESH_S = 0.25
#: the most completed trials the dashboard's GP is fitted to (a seeded subset beyond)
N_FIT_MAX = 400
_CACHE = 64  # posteriors (and fits) kept


class _NotFound(LookupError):
    """A study or parameter that does not exist (HTTP 404 / 400)."""

    def __init__(self, message: str, status: int = 404):
        super().__init__(message)
        self.status = status


class _Unavailable(RuntimeError):
    """The request cannot be answered yet, e.g. a posterior of 1 completed trial (409)."""


def _num(v: Any) -> Any:
    """A JSON-safe number: NaN and infinities become ``None``."""
    if isinstance(v, (float, np.floating)):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    return v


def space_json(space: Space) -> list[dict[str, Any]]:
    """The parameters of ``space`` for the pages: name, type, range or choices, scale."""
    out: list[dict[str, Any]] = []
    for name, dim in space.dimensions.items():
        if isinstance(dim, Categorical):
            out.append({"name": name, "type": "categorical", "choices": list(dim.choices)})
        elif isinstance(dim, (Real, Integer)):
            out.append(
                {
                    "name": name,
                    "type": "integer" if isinstance(dim, Integer) else "real",
                    "low": _num(dim.lo),
                    "high": _num(dim.hi),
                    "log": bool(dim.log),
                }
            )
    return out


def trial_row(t: Trial) -> dict:
    """One trial as the API gives it."""
    duration = None
    if t.created is not None and t.finished is not None:
        duration = max(0.0, t.finished - t.created)
    return {
        "number": int(t.number),
        "state": str(t.state),
        "value": _num(t.value),
        "params": {k: _num(v) for k, v in t.params.items()},
        "error": t.error,
        "created": _num(t.created),
        "finished": _num(t.finished),
        "duration": _num(duration),
        "worker": t.worker,
    }


class _Study:
    """One study as last read: its trials and their revisions."""

    def __init__(self, info: dict):
        self.id, self.name = info["id"], info["name"]
        self.space = Space.from_json(info["space"])
        self.seed = int(info["seed"] or 0)
        self.direction = direction_of(info.get("settings"))
        self.created = info.get("created")
        self.revision = 0
        self.read_at = -math.inf
        self.trials: list[Trial] = []
        self.rows: dict[int, tuple[int, tuple, dict]] = {}  # number -> (rev, key, row)
        self.lock = threading.Lock()

    def update(self, trials: list[Trial]) -> None:
        changed = []
        for t in trials:
            key = (t.state, t.value, t.error, t.finished, t.worker)
            old = self.rows.get(t.number)
            if old is None or old[1] != key:
                changed.append((t.number, key, t))
        if changed:
            self.revision += 1
            for number, key, t in changed:
                self.rows[number] = (self.revision, key, trial_row(t))
        self.trials = trials

    def summary(self) -> dict:
        counts = collections.Counter(str(t.state) for t in self.trials)
        done = [t for t in self.trials if t.state == TrialState.COMPLETE]
        best = done[best_index(done, self.direction)] if done else None
        times = [x for t in self.trials for x in (t.created, t.finished) if x is not None]
        return {
            "name": self.name,
            "direction": self.direction,
            "n_trials": len(self.trials),
            "states": {s.value: counts.get(s.value, 0) for s in TrialState},
            "best": None
            if best is None
            else {"number": best.number, "value": _num(best.value), "params": best.params},
            "last_activity": _num(max(times)) if times else _num(self.created),
            "created": _num(self.created),
            "revision": self.revision,
        }


class StudyReader:
    """Read-only access to the studies of ``storage`` (a URL, a path or a storage)."""

    def __init__(self, storage):
        self._io = ThreadPoolExecutor(1, thread_name_prefix="pyjl-dashboard-read")
        self.storage = self._read(open_storage, storage, read_only=True)
        self.url = self.storage.url
        #: changes when the server starts: a client's revisions of another run mean nothing
        self.epoch = secrets.token_hex(4)
        self._studies: dict[str, _Study] = {}
        self._lock = threading.Lock()
        self._fit_lock = threading.Lock()
        self._cache: collections.OrderedDict = collections.OrderedDict()

    def _read(self, fn, *args, **kwargs):
        return self._io.submit(fn, *args, **kwargs).result()

    def close(self) -> None:
        """Close the storage's connection and the reading thread."""
        if hasattr(self, "storage"):
            self._io.submit(self.storage.close).result()
        self._io.shutdown()

    # -- studies and trials -------------------------------------------------------------
    def names(self) -> list[str]:
        return [s["name"] for s in self._read(self.storage.studies)]

    def study(self, name: str) -> _Study:
        """Study ``name``, read again if older than :data:`REFRESH_S`."""
        with self._lock:
            st = self._studies.get(name)
            if st is None:
                infos = {s["name"]: s for s in self._read(self.storage.studies)}
                if name not in infos:
                    listing = ", ".join(repr(n) for n in infos) or "none"
                    raise _NotFound(f"no study {name!r} in {self.url} (its studies: {listing})")
                st = self._studies[name] = _Study(infos[name])
        with st.lock:
            if time.monotonic() - st.read_at >= REFRESH_S:
                st.update(self._read(self.storage.trials, st.id))
                st.read_at = time.monotonic()
        return st

    def studies(self) -> list[dict]:
        return [self.study(n).summary() for n in self.names()]

    def detail(self, name: str) -> dict:
        st = self.study(name)
        return {**st.summary(), "seed": st.seed, "space": space_json(st.space)}

    def trials(self, name: str, since: int = 0, epoch: str | None = None) -> dict:
        """The trials of study ``name`` changed after revision ``since`` (all of them with
        ``since=0``, or when ``epoch`` is not this server's)."""
        st = self.study(name)
        reset = since == 0 or (epoch is not None and epoch != self.epoch)
        reset = reset or since > st.revision
        with st.lock:
            rows = [r for rev, _, r in st.rows.values() if reset or rev > since]
            revision = st.revision
        rows.sort(key=lambda r: r["number"])
        return {
            "study": name,
            "epoch": self.epoch,
            "revision": revision,
            "reset": reset,
            "n_trials": len(st.trials),
            "trials": rows,
        }

    # -- the surrogate ------------------------------------------------------------------
    def _fit(self, st: _Study):
        """``(optimizer snapshot, n_complete, n_fit)`` of study ``st``, cached."""
        done = [t for t in st.trials if t.state == TrialState.COMPLETE]
        if len(done) < 2:
            raise _Unavailable(
                f"study {st.name!r} has {len(done)} completed trial(s); the GP needs 2"
            )
        key = ("fit", st.name, len(done))
        if key not in self._cache:
            fit = done
            if len(done) > N_FIT_MAX:  # the best trial and a seeded subset of the others
                best = best_index(done, st.direction)
                rng = np.random.default_rng(st.seed)
                others = np.delete(np.arange(len(done)), best)
                pick = np.sort(np.append(rng.choice(others, N_FIT_MAX - 1, replace=False), best))
                fit = [done[i] for i in pick]
            opt = replay(st.space, st.seed, fit, direction=st.direction)
            self._put(key, (opt, len(done), len(fit)))
        return self._cache[key]

    def _put(self, key, value) -> None:
        self._cache[key] = value
        while len(self._cache) > _CACHE:
            self._cache.popitem(last=False)

    def posterior(self, name: str, param: str, n_grid: int = 200) -> dict:
        st = self.study(name)
        if param not in st.space.dimensions:
            raise _NotFound(
                f"study {name!r} has no parameter {param!r} (its parameters: "
                f"{', '.join(st.space.names)})",
                status=400,
            )
        with self._fit_lock:
            opt, n_done, n_fit = self._fit(st)
            key = ("posterior", name, n_done, param, n_grid)
            if key not in self._cache:
                line = posterior_line(opt, param, n_grid)
                self._put(key, _line_json(line))
            out = self._cache[key]
        return {**out, "study": name, "n_complete": n_done, "n_fit": n_fit}

    def importance(self, name: str) -> dict:
        """Each parameter's relevance to the fitted GP: its inverse ARD lengthscale in the
        unit cube (a categorical: its most relevant choice's), normalised to sum 1."""
        st = self.study(name)
        with self._fit_lock:
            opt, n_done, n_fit = self._fit(st)
            gp = opt.surrogate()
        ls = np.broadcast_to(
            np.asarray(getattr(gp.kernel_, "lengthscale", 1.0), dtype=float),
            (st.space.n_encoded,),
        )
        rel = {n: float(np.max(1.0 / ls[s])) for n, s in st.space.slices.items()}
        total = sum(rel.values()) or 1.0
        rows: list[dict[str, Any]] = [
            {
                "param": n,
                "importance": r / total,
                "lengthscale": float(np.min(ls[st.space.slices[n]])),
            }
            for n, r in sorted(rel.items(), key=lambda item: -item[1])
        ]
        return {
            "study": name,
            "method": "ard",
            "n_complete": n_done,
            "n_fit": n_fit,
            "importance": rows,
        }


def _line_json(line) -> dict:
    def arr(a) -> list:
        return [_num(v) for v in np.asarray(a, dtype=float)]

    return {
        "param": line.name,
        "kind": line.kind,
        "log": line.log,
        "x": arr(line.x),
        "labels": line.labels,
        "lower": arr(line.lower),
        "centre": arr(line.centre),
        "upper": arr(line.upper),
        "centre_name": line.centre_name,
        "acquisition": arr(line.acquisition),
        "acquisition_name": line.acquisition_name,
        "next": _num(line.next),
        "next_index": line.next_index,
        "observations": {"x": arr(line.obs_x), "y": arr(line.obs_y), "value": arr(line.values)},
        "window": [_num(line.window[0]), _num(line.window[1])],
        "clipped": line.clipped,
    }
