"""Which engines exist, which can run here, and which one runs now.

The current engine is resolved as: the innermost ``use_backend`` block →
``set_backend`` / ``PYJL_BACKEND`` (through :mod:`pyjl._config`) → ``"native"``.
Engines are created lazily, once, the first time they are asked for, so
importing pyjl never starts Julia or initialises CUDA.  Every kernel call asks for
:func:`current`; an engine that cannot stop being available once it was (the
built-in native engine: its compiled modules stay loaded) is not asked again.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from .. import _config, _validate
from ..exceptions import EngineUnavailableError, InputError

__all__ = [
    "register",
    "builtin",
    "names",
    "available",
    "get",
    "current",
    "set_backend",
    "get_backend",
    "use_backend",
    "set_num_threads",
    "get_num_threads",
]

_factories: dict[str, Callable[[], Any]] = {}
_instances: dict[str, Any] = {}
#: engines that said they are available and cannot stop being so
_ready: dict[str, Any] = {}
_lock = threading.Lock()
_override: contextvars.ContextVar[str | None] = contextvars.ContextVar("pyjl_engine", default=None)


def _lazy(path: str) -> Callable[[], Any]:
    module, cls = path.split(":")
    return lambda: getattr(importlib.import_module(module), cls)()


def register(name: str, factory: Callable[[], Any]) -> None:
    """Register an engine: ``factory()`` returns an object implementing
    :class:`pyjl.engines.contract.Engine`.  Re-registering a name replaces it.

    Examples
    --------
    >>> from pyjl import engines
    >>> from pyjl.engines.native import NativeEngine
    >>> engines.register("native", NativeEngine)   # re-register the built-in Cython engine
    >>> engines.available()["native"][0]
    True
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise _validate.error(
            "name",
            "must be an identifier string",
            _validate.describe(name),
            "pass e.g. 'myengine'",
        )
    if not callable(factory):
        raise _validate.error(
            "factory",
            "must be callable",
            _validate.describe(factory),
            "pass a class or function that returns the engine",
        )
    with _lock:
        _factories[name.lower()] = factory
        _instances.pop(name.lower(), None)
        _ready.pop(name.lower(), None)


#: pyjl's own engines: name -> "module:class"
_BUILTIN = {
    "native": "pyjl.engines.native:NativeEngine",
    "julia": "pyjl.engines.julia:JuliaEngine",
    "cuda": "pyjl.engines.cuda:CudaEngine",
}
for _name, _path in _BUILTIN.items():
    register(_name, _lazy(_path))


def builtin(name: str) -> Any:
    """A new instance of pyjl's own engine ``name``, whatever that name is registered to
    now (the reference :func:`pyjl.testing.check_engine` compares an engine with).

    Examples
    --------
    >>> from pyjl import engines
    >>> type(engines.builtin("native")).__name__
    'NativeEngine'
    """
    return _lazy(_BUILTIN[_validate.choice(name, "name", tuple(_BUILTIN))])()


def names() -> tuple[str, ...]:
    """Names of every registered engine.

    Examples
    --------
    >>> from pyjl import engines
    >>> "native" in engines.names()
    True
    """
    return tuple(_factories)


def _instance(name: str) -> Any:
    key = name.lower()
    if key not in _factories:
        valid = ", ".join(map(repr, _factories))
        raise _validate.error(
            "name",
            f"must name an engine ({valid})",
            repr(name),
            f"pass one of {valid}; pyjl.info() says which are available",
        )
    with _lock:
        if key not in _instances:
            _instances[key] = _factories[key]()
        return _instances[key]


def available() -> dict[str, tuple[bool, str]]:
    """``{name: (usable, reason)}`` for every engine; never raises.

    Examples
    --------
    >>> from pyjl import engines
    >>> ok, why = engines.available()["native"]
    >>> ok
    True
    """
    result = {}
    for name in _factories:
        try:
            result[name] = tuple(_instance(name).availability())
        except Exception as exc:  # an engine that cannot even be created is unavailable
            result[name] = (False, f"{type(exc).__name__}: {exc}")
    return result


def get(name: str) -> Any:
    """The engine called ``name``, raising :class:`EngineUnavailableError` if it
    cannot run here (the message says why and how to fix it).

    Examples
    --------
    >>> from pyjl import engines
    >>> engines.get("native") is engines.get("native")
    True
    """
    engine = _ready.get(name)
    if engine is not None:
        return engine
    engine = _instance(name)
    ok, reason = engine.availability()
    if not ok:
        raise EngineUnavailableError(f"engine {name!r} is unavailable: {reason}")
    if _stays_available(engine):
        with _lock:
            if _instances.get(name.lower()) is engine:  # not replaced meanwhile
                _ready[name.lower()] = engine
    return engine


def _stays_available(engine: Any) -> bool:
    from .native import NativeEngine

    return type(engine) is NativeEngine


def get_backend() -> str:
    """The name of the selected engine: the one that runs kernels now.

    Examples
    --------
    >>> import pyjl
    >>> pyjl.get_backend() in pyjl.engines.names()   # "native" unless set otherwise
    True
    """
    override = _override.get()
    return override if override is not None else _config.get("engine")


def current() -> Any:
    """The engine that runs kernels now (what gp/, hmm/, dsp/ call).

    Examples
    --------
    >>> from pyjl import engines
    >>> with engines.use_backend("native"):
    ...     print(engines.current() is engines.get("native"))
    True
    """
    name = get_backend()
    try:
        return get(name)
    except InputError:
        if _override.get() is None and _config.source("engine") == "environment":
            valid = ", ".join(map(repr, _factories))
            raise _validate.error(  # say where the name came from, as the other settings do
                "PYJL_BACKEND",
                f"must name an engine ({valid})",
                f"PYJL_BACKEND={name!r} (from the environment)",
                "correct or unset the variable; pyjl.info() says which engines are available",
            ) from None
        raise
    except EngineUnavailableError as exc:
        where = {"set": "set_backend", "environment": "PYJL_BACKEND", "default": "the default"}[
            _config.source("engine")
        ]
        if _override.get() is not None:
            where = "use_backend"
        raise EngineUnavailableError(f"{exc} (selected by {where})") from None


def set_backend(name: str) -> None:
    """Select the engine for this process: ``"native"``, ``"julia"`` or ``"cuda"``.

    Raises :class:`InputError` for an unknown name (listing the valid ones) and
    :class:`EngineUnavailableError` when the engine cannot run here.

    Examples
    --------
    >>> import pyjl
    >>> old = pyjl.get_backend()
    >>> pyjl.set_backend("native")
    >>> pyjl.get_backend()
    'native'
    >>> pyjl.set_backend(old)
    """
    if not isinstance(name, str):
        raise _validate.error(
            "name",
            "must be an engine name (a string)",
            _validate.describe(name),
            "pass e.g. 'native'",
        )
    get(name)
    _config.set_value("engine", name)


@contextlib.contextmanager
def use_backend(name: str) -> Iterator[Any]:
    """Select the engine ``name`` for the block (thread- and task-local); yields the engine.

    Examples
    --------
    >>> import pyjl
    >>> with pyjl.use_backend("native"):
    ...     print(pyjl.get_backend())
    native
    """
    if not isinstance(name, str):
        raise _validate.error(
            "name",
            "must be an engine name (a string)",
            _validate.describe(name),
            "pass e.g. 'native'",
        )
    engine = get(name)
    token = _override.set(name.lower())
    try:
        yield engine
    finally:
        _override.reset(token)


def set_num_threads(n: int) -> None:
    """Bound the threads of every threaded kernel (also ``PYJL_NUM_THREADS``).

    Examples
    --------
    >>> import pyjl
    >>> old = pyjl.get_num_threads()
    >>> pyjl.set_num_threads(1)
    >>> pyjl.get_num_threads()
    1
    >>> pyjl.set_num_threads(old)
    """
    top = _config.MAX_THREADS
    _config.set_value(
        "num_threads",
        _validate.integer(
            n,
            "n",
            low=1,
            high=top,
            fix=f"pass a whole number of threads from 1 to {top}, such as 2",
        ),
    )


def get_num_threads() -> int:
    """The current bound on kernel threads.

    Examples
    --------
    >>> import pyjl
    >>> pyjl.get_num_threads() >= 1
    True
    """
    return int(_config.get("num_threads"))
