"""``pyjl.info()``: what this installation can run, and why not where it cannot."""

from __future__ import annotations

import importlib.metadata
import platform
from dataclasses import dataclass, field

from . import _config, engines
from . import julia as julia_bridge
from ._version import __version__

__all__ = ["info", "Info"]


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


@dataclass
class Info:
    """A report of engines, versions and threads; ``str()`` renders it for people."""

    version: str
    engine: str
    engines: dict[str, tuple[bool, str]]
    versions: dict[str, str | None]
    num_threads: int
    openmp: bool | None
    extra: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [
            f"pyjl {self.version} (Python {platform.python_version()}, {platform.machine()})",
            f"engine: {self.engine}{self._engine_note()}",
            "engines:",
        ]
        for name, (ok, reason) in self.engines.items():
            lines.append(f"  {name:<7} {'available' if ok else 'unavailable'}: {reason}")
        lines.append("versions:")
        for name, ver in self.versions.items():
            lines.append(f"  {name:<8} {ver or 'not installed'}")
        omp = {None: "unknown (kernels not built)", True: "on", False: "off"}[self.openmp]
        lines.append(
            f"threads: {self.num_threads} (PYJL_NUM_THREADS, "
            f"{_config.source('num_threads')}); OpenMP {omp}"
        )
        lines.extend(f"{k}: {v}" for k, v in self.extra.items())
        return "\n".join(lines)

    def _engine_note(self) -> str:
        """What is wrong with the selected engine, for its line: nothing where it runs."""
        known = self.engines.get(self.engine)
        if known is None:
            return f" (no such engine: one of {', '.join(self.engines)})"
        return "" if known[0] else " (unavailable: see below)"


def info() -> Info:
    """Report every engine (available or not, and why), versions, threads and OpenMP.

    Never starts Julia or initialises a GPU beyond a device query.

    Examples
    --------
    >>> report = pyjl.info()          # doctest: +SKIP
    >>> report.engines["native"][0]   # doctest: +SKIP
    True
    """
    try:
        from .engines.native import openmp_enabled

        openmp: bool | None = openmp_enabled()
    except ImportError:
        openmp = None
    versions = {
        name: _version(name) for name in ("numpy", "scipy", "pandas", "pyarrow", "juliacall")
    }
    versions["pyjulia"] = _version("julia")  # PyJulia's distribution is named "julia"
    versions["cupy"] = _version("cupy")
    if versions["cupy"] is None:
        versions["cupy"] = next(
            (v for d in ("cupy-cuda12x", "cupy-cuda13x", "cupy-cuda11x") if (v := _version(d))),
            None,
        )
    versions["Julia"] = julia_bridge.julia_version()  # the runtime
    return Info(
        version=__version__,
        engine=engines.get_backend(),
        engines=engines.available(),
        versions=versions,
        num_threads=engines.get_num_threads(),
        openmp=openmp,
        extra={"julia bridge": julia_bridge.bridge_summary()},
    )
