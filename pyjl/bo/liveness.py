"""Which worker asked for a trial, and whether it is still evaluating it.

Each trial keeps the ``host:pid`` of the process that asked for it
(:func:`worker_id`) and a heartbeat that its worker refreshes while it evaluates.
A pending trial whose worker is a dead process of this host, or (with
``stale_after``) whose heartbeat is older than that many seconds, is abandoned
(:func:`abandon_reason`) so that another worker can ask for its point again.

>>> abandon_reason(None, "me", 5.0, now=100.0) is None
True
"""

from __future__ import annotations

import os
import socket
from typing import Any

from .. import _validate
from .._warn import warn
from ..exceptions import PyjlWarning
from .trial import Trial, TrialState

__all__ = ["HEARTBEAT_S", "worker_id", "pid_dead", "abandon_reason", "check_stale_after"]

#: seconds between two heartbeats of a study's loop for the trials it evaluates
HEARTBEAT_S = 5.0


def worker_id() -> str:
    """``host:pid`` of this process (stored with each trial it asks for)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def pid_dead(worker: str | None) -> bool:
    """Whether ``worker`` (``host:pid``) is a process of this host that no longer exists."""
    if not worker or ":" not in worker:
        return False
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        return False
    return False


def abandon_reason(
    trial: Trial | None, me: str, stale_after: float | None, now: float
) -> str | None:
    """Why another worker's pending ``trial`` is abandoned, or ``None`` when it is alive
    (or not pending, or ``me``'s own)."""
    if trial is None or trial.state != TrialState.RUNNING or trial.worker == me:
        return None
    if pid_dead(trial.worker):
        return f"worker {trial.worker} no longer exists"
    if stale_after is not None and (trial.heartbeat or 0) < now - stale_after:
        return f"no heartbeat from {trial.worker} for {stale_after:g} s"
    return None


def check_stale_after(value: Any) -> float | None:
    """``stale_after`` checked: ``None`` or a number of seconds ``> 0``; below three
    heartbeats a :class:`~pyjl.exceptions.PyjlWarning` says that live trials of other
    workers may be abandoned."""
    if value is None:
        return None
    seconds = _validate.real(
        value, "stale_after", low=0.0, low_open=True, fix="pass a number of seconds > 0, or None"
    )
    if seconds < 3 * HEARTBEAT_S:
        warn(
            f"stale_after={seconds:g} s is less than three heartbeats "
            f"({3 * HEARTBEAT_S:g} s): trials that other workers are still evaluating "
            "may be abandoned and evaluated twice; pass a minute or more",
            PyjlWarning,
        )
    return seconds
