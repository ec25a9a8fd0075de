"""The one resolver of pyjl settings.

A setting is resolved as: the value set in this process (``pyjl.set_backend``,
``pyjl.set_num_threads``, ...) → the environment variable → the default.  An
invalid value raises :class:`~pyjl.exceptions.InputError` quoting where it came
from (in the value received: ``PYJL_NUM_THREADS='lots' (from the environment)``), in
the manner of juliacall's option resolver.

Kernels ask for ``engine`` and ``num_threads`` on every call, so :func:`get` keeps,
per setting, the environment's value it last parsed and the result: a variable that
did not change is not parsed again, one that changed (``os.environ`` at run time) is,
and an invalid one is never kept, so it raises on every call.  The default thread
count follows the calling thread's CPU affinity, read again at most every
:data:`AFFINITY_TTL` seconds (and at once after ``clear("num_threads")`` in that thread).

=====================  ====================  =========================================
setting                environment variable  default
=====================  ====================  =========================================
``engine``             ``PYJL_BACKEND``      ``"native"``
``num_threads``        ``PYJL_NUM_THREADS``  the number of usable CPU cores
``julia``              ``PYJL_JULIA``        unset (then ``PYTHON_JULIACALL_EXE``, PATH)
``julia_bridge``       ``PYJL_JULIA_BRIDGE`` ``"juliacall"`` (or ``"pyjulia"``)
=====================  ====================  =========================================
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import _validate

__all__ = ["Setting", "get", "set_value", "clear", "source", "SETTINGS"]


#: seconds a thread reuses the CPU count it read from its affinity mask
AFFINITY_TTL = 0.01
_monotonic = time.monotonic


class _Affinity(threading.local):
    #: (the cores this thread may run on, the time.monotonic() after which to read again)
    entry = (1, float("-inf"))


_affinity = _Affinity()


def _cpu_count() -> int:
    """The cores the calling thread may run on (its affinity mask), read again once
    :data:`AFFINITY_TTL` seconds have passed: ``os.sched_getaffinity`` is a system call."""
    now = _monotonic()
    entry = _affinity.entry
    if now < entry[1]:
        return entry[0]
    try:
        count = max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        count = max(1, os.cpu_count() or 1)
    _affinity.entry = (count, now + AFFINITY_TTL)
    return count


#: the most threads a kernel is given (per-thread buffers are allocated up front)
MAX_THREADS = 1024


def _positive_int(value: Any) -> int:
    rule = f"must be a whole number from 1 to {MAX_THREADS}"
    if isinstance(value, bool):
        raise ValueError(rule)
    try:
        number = int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(rule) from None
    if (number != value and not isinstance(value, str)) or not 1 <= number <= MAX_THREADS:
        raise ValueError(rule)
    return number


def _choice(*choices: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip().lower()
        if text not in choices:
            raise ValueError(f"must be one of {', '.join(map(repr, choices))}")
        return text

    return parse


def _name(value: Any) -> str:
    text = str(value).strip().lower()
    if not text.isidentifier():
        raise ValueError("must be an engine name such as 'native', 'julia' or 'cuda'")
    return text


def _path(value: Any) -> str:
    try:
        text = os.fspath(value).strip()
    except TypeError:
        text = ""
    if not text or not isinstance(text, str):
        raise ValueError("must be a non-empty path")
    return text


@dataclass(frozen=True)
class Setting:
    """One setting: its name, environment variable, parser and default."""

    name: str
    env: str
    #: the value parsed, or ``ValueError(rule)`` with a rule "must ..."
    parse: Callable[[Any], Any]
    default: Callable[[], Any]
    help: str
    #: the default is computed again on every :func:`get` (else once per environment value)
    default_varies: bool = False


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting("engine", "PYJL_BACKEND", _name, lambda: "native", "engine running the kernels"),
        Setting(
            "num_threads",
            "PYJL_NUM_THREADS",
            _positive_int,
            _cpu_count,
            "upper bound on the threads of every threaded kernel",
            default_varies=True,
        ),
        Setting("julia", "PYJL_JULIA", _path, lambda: None, "path of the Julia executable"),
        Setting(
            "julia_bridge",
            "PYJL_JULIA_BRIDGE",
            _choice("juliacall", "pyjulia"),
            lambda: "juliacall",
            "Python-Julia bridge",
        ),
    )
}

_explicit: dict[str, Any] = {}
_UNSET: Any = object()
#: per setting: (its variable's key in os.environ's own dict (bytes on POSIX), the value
#: stored there when last parsed, the resolved value or _UNSET for a varying default, the
#: default)
_memo: dict[str, tuple[Any, Any, Any, Callable[[], Any]]] = {}


def _setting(name: str) -> Setting:
    try:
        return SETTINGS[name]
    except KeyError:
        known = ", ".join(sorted(SETTINGS))
        raise _validate.error(
            "name",
            f"must be one of the known settings ({known})",
            _validate.describe(name),
            "pass one of those",
        ) from None


def set_value(name: str, value: Any) -> Any:
    """Set ``name`` for this process (overrides the environment); returns the parsed value."""
    setting = _setting(name)
    try:
        parsed = setting.parse(value)
    except (TypeError, ValueError) as exc:
        got = f"{name}={_validate.describe(value)} (set in this process)"
        raise _validate.error(name, str(exc), got, f"pass a valid {name}") from None
    _explicit[name] = parsed
    return parsed


def clear(name: str) -> None:
    """Forget a value set in this process, so the environment or default applies again."""
    _setting(name)
    _explicit.pop(name, None)
    if name == "num_threads":
        _affinity.entry = _Affinity.entry  # this thread reads its affinity on the next get


def source(name: str) -> str:
    """Where the current value of ``name`` comes from: 'set', 'environment' or 'default'."""
    setting = _setting(name)
    if name in _explicit:
        return "set"
    if os.environ.get(setting.env, "").strip():
        return "environment"
    return "default"


def get(name: str) -> Any:
    """The resolved value of setting ``name``: set in this process, else environment, else default.

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"PYJL_JULIA_BRIDGE": "PyJulia"}):
    ...     print(get("julia_bridge"))
    pyjulia
    >>> with mock.patch.dict(os.environ, {"PYJL_JULIA_BRIDGE": "juliacall"}):
    ...     print(get("julia_bridge"))         # a change is seen on the next call
    juliacall
    """
    value = _explicit.get(name, _UNSET)
    if value is not _UNSET:
        return value
    memo = _memo.get(name)
    if memo is not None:
        try:
            stored = os.environ._data.get(memo[0])  # type: ignore[attr-defined]
        except AttributeError:  # os.environ replaced by a plain mapping
            stored = _UNSET
        if stored == memo[1]:
            value = memo[2]
            return value if value is not _UNSET else memo[3]()
    return _resolve(name)


def _resolve(name: str) -> Any:
    """:func:`get` from the environment: parse its value and remember the result if valid."""
    setting = _setting(name)
    environ = os.environ
    data = getattr(environ, "_data", None)
    if data is None:
        key = stored = None
        raw = environ.get(setting.env, "")
    else:
        # the memo is keyed on what os.environ stores, read without decoding
        key = environ.encodekey(setting.env)
        stored = data.get(key)
        raw = "" if stored is None else environ.decodevalue(stored)
    value = _UNSET
    if raw.strip():
        try:
            value = setting.parse(raw)
        except (TypeError, ValueError) as exc:
            got = f"{setting.env}={_validate.describe(raw)} (from the environment)"
            raise _validate.error(
                setting.env, str(exc), got, "correct or unset the variable"
            ) from None
    elif not setting.default_varies:
        value = setting.default()
    if data is not None:
        _memo[name] = (key, stored, value, setting.default)
    return value if value is not _UNSET else setting.default()
