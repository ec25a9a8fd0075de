"""The one resolver of pyjl settings.

A setting is resolved as: the value set in this process (``pyjl.set_backend``,
``pyjl.set_num_threads``, ...) → the environment variable → the default.  An
invalid value raises :class:`~pyjl.exceptions.InputError` quoting where it came
from (in the value received: ``PYJL_NUM_THREADS='lots' (from the environment)``), in
the manner of juliacall's option resolver.

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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import _validate

__all__ = ["Setting", "get", "set_value", "clear", "source", "SETTINGS"]


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


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


def source(name: str) -> str:
    """Where the current value of ``name`` comes from: 'set', 'environment' or 'default'."""
    setting = _setting(name)
    if name in _explicit:
        return "set"
    if os.environ.get(setting.env, "").strip():
        return "environment"
    return "default"


def get(name: str) -> Any:
    """The resolved value of setting ``name``."""
    setting = _setting(name)
    if name in _explicit:
        return _explicit[name]
    raw = os.environ.get(setting.env, "")
    if raw.strip():
        try:
            return setting.parse(raw)
        except (TypeError, ValueError) as exc:
            got = f"{setting.env}={_validate.describe(raw)} (from the environment)"
            raise _validate.error(
                setting.env, str(exc), got, "correct or unset the variable"
            ) from None
    return setting.default()
