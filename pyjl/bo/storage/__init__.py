"""Where a study's trials live: in memory, in an SQLite file shared by the processes of a
host, or in a PostgreSQL database shared by workers on several machines.

A *study* has a name, a space (JSON) and a seed; a *trial*
(:class:`~pyjl.bo.trial.Trial`) has a number (0, 1, ... within its study), its
parameters (JSON), a state (:class:`~pyjl.bo.trial.TrialState`: ``pending`` →
``complete`` | ``failed`` | ``abandoned`` | ``pruned``), a value and optional noise
variance, an error text, timestamps and the worker (``host:pid``) that asked for it.

* :mod:`~pyjl.bo.storage.memory`: :class:`MemoryStorage`, this process only.
* :mod:`~pyjl.bo.storage.sqlite`: :class:`SQLiteStorage`, one file shared by the
  processes of a host (its faults reported by :mod:`~pyjl.bo.storage.faults`).
* :mod:`~pyjl.bo.storage.postgresql`: :class:`PostgreSQLStorage`, a database shared by
  machines (``postgresql://user@host/db``; the extra ``pyjl[postgresql]``).
* :mod:`~pyjl.bo.storage.url`: :func:`open_storage` and the parsing of storage URLs.

Every storage has the same methods: ``transaction(operation)``, ``keeping(...)``,
``study(name, space_json, seed)``, ``studies()``, ``trials(study_id)``,
``add_trial(...)``, ``finish(...)``, ``heartbeat(study_id, numbers)``,
``report(study_id, number, step, value)``, ``intermediate_values(study_id)``,
``intermediate_curve(study_id, number)``, ``intermediate_at(study_id, step, exact)``
(what a pruner reads: one trial's curve, every trial's value at one step),
``set_attributes(study_id, number, {key: value})`` and ``attributes(study_id)`` (JSON
values kept with a trial: ``BayesSearchCV``'s fold scores) and ``close()``.

>>> st = open_storage(None)
>>> sid = st.study("demo", '{"x": {"type": "real", "low": 0, "high": 1, "log": false}}', 7)["id"]
>>> with st.transaction():
...     n = st.add_trial(sid, '{"x": 0.5}', "pending")
>>> st.finish(sid, n, "complete", value=1.5)  # returns the state it found
<TrialState.RUNNING: 'pending'>
>>> [(t.number, t.state, t.value) for t in st.trials(sid)]
[(0, <TrialState.COMPLETE: 'complete'>, 1.5)]
"""

from ..liveness import worker_id
from ..trial import Trial, TrialState
from .memory import MemoryStorage
from .postgresql import PostgreSQLStorage
from .sqlite import SQLiteStorage
from .url import open_storage

__all__ = [
    "Trial",
    "TrialState",
    "MemoryStorage",
    "SQLiteStorage",
    "PostgreSQLStorage",
    "open_storage",
    "worker_id",
]
