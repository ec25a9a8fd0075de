"""The trial bookkeeping SQLite and PostgreSQL share: the same tables, the same SQL.

:class:`SQLTrials` holds every query both storages run. A storage provides the
connection and its transactions, plus three small hooks: :meth:`SQLTrials._sql` (the
driver's parameter marker; the queries here are written with ``?``),
:meth:`SQLTrials._for_study` (the connection to use for one study, e.g. holding its
lock) and :meth:`SQLTrials._encode` (how a state is kept). ``_UPSERT_INTERMEDIATE`` and
``_UPSERT_ATTRIBUTE`` are the dialect's insert-or-replace of an intermediate value and of
a trial attribute.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..._validate import error as _input_error
from ...exceptions import InputError
from ..trial import Trial, TrialState, decode_state

_TRIAL_COLUMNS = "number, params, state, value, noise_var, error, created, finished, worker"

#: the columns pyjl reads from its two first tables (every schema pyjl wrote has them): a
#: file or database whose tables of these names lack one is another program's (Optuna's
#: storages have tables named ``studies`` and ``trials`` too)
PYJL_COLUMNS = {
    "studies": {"id", "name", "space", "seed", "created"},
    "trials": {"id", "study_id", "number", "params", "state", "value", "noise_var", "error"}
    | {"created", "finished", "worker", "heartbeat"},
}


def check_own_tables(columns: dict[str, set[str]], where: str) -> None:
    """Refuse a storage whose ``studies`` or ``trials`` table (``columns``: each table
    found and its columns) is not pyjl's, before anything is written to it."""
    for table, needed in PYJL_COLUMNS.items():
        missing = needed - columns.get(table, needed)
        if missing:
            raise _input_error(
                "storage",
                f"must hold pyjl's tables, but its `{table}` table is another program's "
                f"(it has no column {', '.join(sorted(missing))}; an Optuna study's?)",
                where,
                "give pyjl a file or database of its own; nothing was written to this one",
            )


class SQLTrials:
    """Studies, trials and intermediate values over a DB-API connection (a mixin)."""

    _UPSERT_INTERMEDIATE = ""
    _UPSERT_ATTRIBUTE = ""
    #: whether the intermediate and attributes tables exist (an older SQLite file opened
    #: read-only may lack them)
    _intermediate = True
    _attributes = True

    if TYPE_CHECKING:  # provided by the storage (its connection, faults and transactions)
        url: str
        _local: Any  # threading.local holding this thread's ``conn``

        def _conn(self) -> Any: ...

        def _guard(self, operation: str) -> Any: ...

        def _state(self) -> Any: ...

        def transaction(self, operation: str | None = None) -> Any: ...

    # -- hooks with a default ---------------------------------------------------------
    def _sql(self, query: str) -> str:
        """``query`` with the driver's parameter marker (written here with ``?``)."""
        return query

    def _for_study(self, study_id: int) -> Any:
        """The connection for a query on study ``study_id``."""
        return self._conn()

    def _encode(self, state: str, error: str | None) -> tuple[str, str | None]:
        """``(state, error)`` as this storage keeps them."""
        return TrialState(state).value, error

    # -- shared -----------------------------------------------------------------------
    @contextlib.contextmanager
    def keeping(
        self, study_id: int, number: int | None, params: dict | None, value: float
    ) -> Iterator[list]:
        """Within it, a :class:`StorageError` logs ``value`` (of trial ``number``, with
        ``params``; ``None``: read from the storage) and carries it, so that the
        evaluation is not lost when it cannot be stored."""
        entry, unsaved = [study_id, number, params, value], self._state().unsaved
        unsaved.append(entry)
        try:
            yield entry
        finally:
            unsaved.remove(entry)

    def _no_study(self, conn: Any, name: str) -> InputError:
        """The error for a study that does not exist and cannot be created (no space)."""
        names = [r[0] for r in conn.execute("SELECT name FROM studies ORDER BY id")]
        return _input_error(
            "space",
            f"must be given to create study {name!r} (it does not "
            f"exist in {self.url}; the studies there are {names})",
            "None",
            "pass the search space, or the name of a stored study",
        )

    def study(
        self, name: str, space_json: str | None, seed: int | None, settings: str = "{}"
    ) -> dict:
        """Study ``name`` as a dict (``id``, ``name``, ``space``, ``seed``, ``created``,
        ``settings``), created with ``space_json`` if it does not exist (``None``: it
        must exist).  Two workers creating one study at once get the same row."""
        query = self._sql(
            "SELECT id, name, space, seed, created, settings FROM studies WHERE name = ?"
        )
        with self._guard("open study"):
            row = self._conn().execute(query, (name,)).fetchone()
        if row is None:
            with self.transaction("open study"):
                conn = self._conn()
                row = conn.execute(query, (name,)).fetchone()
                if row is None:
                    if space_json is None:
                        raise self._no_study(conn, name)
                    conn.execute(
                        self._sql(
                            "INSERT INTO studies (name, space, seed, created, settings) "
                            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING"
                        ),
                        (name, space_json, seed, time.time(), settings),
                    )
                    row = conn.execute(query, (name,)).fetchone()
        return dict(zip(("id", "name", "space", "seed", "created", "settings"), row))

    def close(self) -> None:
        """Close this thread's connection (the next call opens a new one)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def studies(self) -> list[dict]:
        with self._guard("read"):
            rows = (
                self._conn()
                .execute(
                    "SELECT s.id, s.name, s.space, s.seed, s.created, s.settings, COUNT(t.id) "
                    "FROM studies s LEFT JOIN trials t ON t.study_id = s.id "
                    "GROUP BY s.id ORDER BY s.id"
                )
                .fetchall()
            )
        keys = ("id", "name", "space", "seed", "created", "settings", "n_trials")
        return [dict(zip(keys, r)) for r in rows]

    def trials(self, study_id: int) -> list[Trial]:
        query = (
            f"SELECT {_TRIAL_COLUMNS}, heartbeat FROM trials WHERE study_id = ? ORDER BY number"
        )
        with self._guard("read"):
            rows = self._for_study(study_id).execute(self._sql(query), (study_id,)).fetchall()
        return [Trial(r[0], json.loads(r[1]), *r[2:]) for r in rows]

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
        empty: list[Any] = [None] * 4
        keep = (
            contextlib.nullcontext(empty)
            if value is None
            else self.keeping(study_id, None, json.loads(params_json), value)
        )
        state, error = self._encode(state, error)
        with keep as entry, self.transaction("ask" if state == "pending" else "tell"):
            conn = self._for_study(study_id)
            number = conn.execute(
                self._sql("SELECT COALESCE(MAX(number) + 1, 0) FROM trials WHERE study_id = ?"),
                (study_id,),
            ).fetchone()[0]
            entry[1] = int(number)
            now = time.time()
            conn.execute(
                self._sql(
                    f"INSERT INTO trials (study_id, {_TRIAL_COLUMNS}, heartbeat) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                (
                    study_id,
                    number,
                    params_json,
                    state,
                    value,
                    noise_var,
                    error,
                    now,
                    None if state == "pending" else now,
                    worker,
                    now,
                ),
            )
        return int(number)

    def state_of(self, study_id: int, number: int) -> TrialState | None:
        """The state of trial ``number`` (``None``: the study has no such trial)."""
        with self._guard("read"):
            row = (
                self._for_study(study_id)
                .execute(
                    self._sql("SELECT state, error FROM trials WHERE study_id = ? AND number = ?"),
                    (study_id, int(number)),
                )
                .fetchone()
            )
        return None if row is None else decode_state(row[0], row[1])[0]

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
        """End trial ``number`` in ``state`` if its state is one of ``only_from``, in one
        transaction; returns the state it had (``None``: no such trial)."""
        keep = (
            contextlib.nullcontext()
            if value is None
            else self.keeping(study_id, number, None, value)
        )
        state, error = self._encode(state, error)
        with keep, self.transaction("tell"):
            before = self.state_of(study_id, number)
            if before in only_from:
                self._for_study(study_id).execute(
                    self._sql(
                        "UPDATE trials SET state = ?, value = ?, noise_var = ?, error = ?, "
                        "finished = ? WHERE study_id = ? AND number = ?"
                    ),
                    (state, value, noise_var, error, time.time(), study_id, int(number)),
                )
        return before

    def heartbeat(self, study_id: int, numbers: list[int]) -> None:
        if numbers:
            now = time.time()
            with self.transaction("heartbeat"):
                self._for_study(study_id).cursor().executemany(
                    self._sql("UPDATE trials SET heartbeat = ? WHERE study_id = ? AND number = ?"),
                    [(now, study_id, n) for n in numbers],
                )

    def report(self, study_id: int, number: int, step: int, value: float) -> None:
        """Store ``value`` as the intermediate value of trial ``number`` at ``step``
        (replacing one reported before for that step); committed at once."""
        with self.transaction("report"):
            self._for_study(study_id).execute(
                self._sql(self._UPSERT_INTERMEDIATE),
                (study_id, int(number), int(step), float(value)),
            )

    def intermediate_values(self, study_id: int) -> dict[int, dict[int, float]]:
        """``{trial number: {step: value}}`` of every trial of the study that reported."""
        if not self._intermediate:
            return {}
        query = "SELECT number, step, value FROM intermediate WHERE study_id = ? "
        with self._guard("read"):
            rows = (
                self._for_study(study_id)
                .execute(self._sql(query + "ORDER BY number, step"), (study_id,))
                .fetchall()
            )
        out: dict[int, dict[int, float]] = {}
        for number, step, value in rows:
            out.setdefault(int(number), {})[int(step)] = float(value)
        return out

    def intermediate_curve(self, study_id: int, number: int) -> dict[int, float]:
        """``{step: value}`` of trial ``number`` (empty: it reported nothing)."""
        if not self._intermediate:
            return {}
        query = "SELECT step, value FROM intermediate WHERE study_id = ? AND number = ? "
        with self._guard("read"):
            rows = (
                self._for_study(study_id)
                .execute(self._sql(query + "ORDER BY step"), (study_id, int(number)))
                .fetchall()
            )
        return {int(step): float(value) for step, value in rows}

    def intermediate_at(self, study_id: int, step: int, exact: bool = True) -> dict[int, float]:
        """``{trial number: value}`` at ``step`` of the trials that reported one there
        (``exact=False``: each trial's value at its first step ``>= step``)."""
        if not self._intermediate:
            return {}
        # one primary-key seek per trial, rather than a scan of the study's values
        if exact:
            query = (
                "SELECT t.number, i.value FROM trials t JOIN intermediate i ON "
                "i.study_id = t.study_id AND i.number = t.number AND i.step = ? "
                "WHERE t.study_id = ?"
            )
        else:
            query = (
                "SELECT number, value FROM (SELECT t.number, (SELECT i.value FROM "
                "intermediate i WHERE i.study_id = t.study_id AND i.number = t.number AND "
                "i.step >= ? ORDER BY i.step LIMIT 1) AS value FROM trials t WHERE "
                "t.study_id = ?) v WHERE value IS NOT NULL"
            )
        args = (int(step), study_id)
        with self._guard("read"):
            rows = self._for_study(study_id).execute(self._sql(query), args).fetchall()
        return {int(number): float(value) for number, value in sorted(rows)}

    def set_attributes(self, study_id: int, number: int, attributes: dict) -> None:
        """Keep ``attributes`` (``{key: JSON-able value}``) with trial ``number``, replacing
        those of the same keys; committed at once."""
        rows = [(study_id, int(number), str(k), json.dumps(v)) for k, v in attributes.items()]
        with self.transaction("tell"):
            self._for_study(study_id).cursor().executemany(self._sql(self._UPSERT_ATTRIBUTE), rows)

    def attributes(self, study_id: int) -> dict[int, dict[str, Any]]:
        """``{trial number: {key: value}}`` of the study's trials that have attributes."""
        if not self._attributes:
            return {}
        query = "SELECT number, key, value FROM attributes WHERE study_id = ? ORDER BY number"
        with self._guard("read"):
            rows = self._for_study(study_id).execute(self._sql(query), (study_id,)).fetchall()
        out: dict[int, dict[str, Any]] = {}
        for number, key, value in rows:
            out.setdefault(int(number), {})[key] = json.loads(value)
        return out
