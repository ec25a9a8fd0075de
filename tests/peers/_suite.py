"""What the peer-suite plugins share (``tests/peers/<peer>/conftest.py``): a toml file that
names the peer's test modules and the tests to mark or drop, each module executed from
the peer's installed wheel with its imports swapped, one collector per module, and the
toml's tables applied at collection.

The toml: ``modules`` (the test modules' stems); ``[internals]`` (strict xfails: key
``"<module>::<Class>::<test>"``, or with ``"[<param id>]"`` for one parametrisation,
value the reason); ``[slow]`` (deselected for CI time) and ``[thin]`` (keep about one in
n parametrisations of a test, by a hash of the id); ``PYJL_PEERS_FULL=1`` ignores the
last two.
"""

from __future__ import annotations

import builtins
import importlib.util
import os
import subprocess
import sys
import tomllib
import types
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

__all__ = [
    "load_module",
    "read_config",
    "collectors",
    "key",
    "lookup",
    "apply_tables",
    "Stub",
    "Tally",
    "collected_ids",
]


def load_module(name: str, path: Path, package: str, importer: Callable) -> types.ModuleType:
    """Execute the peer's test file ``path`` as a new module ``name`` (in ``package``, for
    its relative imports) whose ``import`` statements go through ``importer``."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = package
    module.__builtins__ = {**vars(builtins), "__import__": importer}
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def absolute(name: str, globals: dict | None, level: int) -> str:
    """The module name an ``__import__(name, globals, ..., level)`` call means: a relative
    import (``level`` > 0) resolved against the importing module's package."""
    if not level:
        return name
    package = (globals or {}).get("__package__") or ""
    return importlib.util.resolve_name("." * level + name, package)


def read_config(path: Path) -> dict:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def collectors(config: Path, load: Callable[[str], types.ModuleType], what: str):
    """``(pytest_collect_file, Module)`` for the toml ``config``: the hook turns the file
    into one ``Module`` per listed stem, each the module ``load(stem)`` returns."""

    class Module(pytest.Module):
        def _getobj(self):
            return load(self.name)

    class Suite(pytest.File):
        __doc__ = f"The collector for ``{config.name}``: one module per listed {what}."

        def collect(self):
            for stem in read_config(config)["modules"]:
                yield Module.from_parent(
                    self, path=self.path, name=stem, nodeid=f"{self.nodeid}::{stem}"
                )

    def pytest_collect_file(file_path, parent):
        if file_path == config:
            return Suite.from_parent(parent, path=file_path)
        return None

    return pytest_collect_file, Module


def key(item, module_type: type) -> str | None:
    """``<module>::<Class>::<test>[<param>]`` for an item of a peer's module, else None."""
    module = next((n for n in item.listchain() if isinstance(n, module_type)), None)
    if module is None:
        return None
    return module.name + item.nodeid[len(module.nodeid) :]


def lookup(table: dict, name: str):
    """The entry of ``name``, or of its test without the parametrisation."""
    return table.get(name, table.get(name.split("[", 1)[0]))


def _thinned(name: str, thin: dict) -> bool:
    n = thin.get(name.split("[", 1)[0])
    return n is not None and zlib.crc32(name.encode()) % n != 0


def apply_tables(config, items, settings: dict, module_type: type, mark: Callable) -> None:
    """Deselect ``[slow]`` and thinned items of the peer's modules and call ``mark(item,
    reason)`` for each ``[internals]`` entry (``settings``: the toml); other items stay."""
    internals = settings.get("internals", {})
    full = bool(os.environ.get("PYJL_PEERS_FULL"))
    slow = {} if full else settings.get("slow", {})
    thin = {} if full else settings.get("thin", {})
    keep, dropped = [], []
    for item in items:
        name = key(item, module_type)
        if name is not None and (lookup(slow, name) is not None or _thinned(name, thin)):
            dropped.append(item)
            continue
        reason = None if name is None else lookup(internals, name)
        if reason is not None:
            mark(item, reason)
        keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


class Stub(types.ModuleType):
    """A module for a peer's test modules holding ``names`` only: any other attribute is
    the peer's own and not translated (an ``AttributeError`` saying so, naming
    ``plugin``, the conftest that made it)."""

    def __init__(self, name: str, names: dict, plugin: str):
        super().__init__(name, f"{name} for the peer's tests: pyjl's names ({plugin})")
        self.__dict__.update(names)
        self.__dict__["_plugin"] = plugin

    def __getattr__(self, attr):
        raise AttributeError(
            f"{self.__name__}.{attr} is the peer's own and is not translated to pyjl "
            f"({self.__dict__['_plugin']})"
        )


class Tally:
    """The outcomes of a peer's tests, counted for the terminal summary, the strict
    xfails by the category their ``[internals]`` reason opens with.

    Parameters
    ----------
    title : str
        The summary section's title.
    categories : dict
        ``{opening words: category}`` of the reasons.
    module_type : type
        The collector of the peer's modules (:func:`collectors`): only their items count.
    """

    def __init__(self, title: str, categories: dict[str, str], module_type: type):
        self.title, self.categories, self.module_type = title, categories, module_type
        self.xfails: dict[str, str | None] = {}  # node id -> category
        self.outcomes: Counter = Counter()

    def category(self, reason: str) -> str | None:
        """The category of an ``[internals]`` reason, by its opening words, else None."""
        return next((c for p, c in self.categories.items() if reason.startswith(p)), None)

    def mark(self, item, reason: str) -> None:
        """Mark ``item`` a strict xfail for ``reason`` (the ``mark`` of :func:`apply_tables`)."""
        item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
        self.xfails[item.nodeid] = self.category(reason)

    def record(self, item, report) -> None:
        """Count ``report`` (from ``pytest_runtest_makereport``) of a peer's test."""
        if key(item, self.module_type) is None:
            return
        if report.when == "call" or (report.when == "setup" and not report.passed):
            outcome = report.outcome
            if hasattr(report, "wasxfail"):
                mark = self.xfails.get(item.nodeid, "the peer's own mark")
                outcome = f"xfailed ({mark})" if report.skipped else f"xpassed ({mark})"
            self.outcomes[outcome] += 1

    def summary(self, terminalreporter) -> None:
        """The section of ``pytest_terminal_summary``: each outcome and its count."""
        if self.outcomes:
            terminalreporter.section(self.title)
            counts = sorted(self.outcomes.items())
            terminalreporter.write_line(", ".join(f"{v} {o}" for o, v in counts))


def peer_tally(title: str, peer: str, module_type: type) -> Tally:
    """The :class:`Tally` of a peer's suite whose ``[internals]`` reasons open with
    "Tests <peer>'s", "Difference:" or "pyjl bug:"."""
    categories = {f"Tests {peer}'s": "internals", "Difference:": "difference", "pyjl bug:": "bug"}
    return Tally(title, categories, module_type)


def tally_hooks(table: Path, tally: Tally):
    """The hooks a plugin whose outcomes ``tally`` counts exports as its own:
    ``pytest_collection_modifyitems`` (the tables of the toml ``table`` applied, xfails marked by
    ``tally``), ``pytest_runtest_makereport`` (each outcome recorded) and
    ``pytest_terminal_summary`` (the counts)."""

    def pytest_collection_modifyitems(config, items):  # pluggy passes arguments by name
        apply_tables(config, items, read_config(table), tally.module_type, tally.mark)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(item, call):
        report = yield
        tally.record(item, report)
        return report

    def pytest_terminal_summary(terminalreporter):
        tally.summary(terminalreporter)

    return pytest_collection_modifyitems, pytest_runtest_makereport, pytest_terminal_summary


def collected_ids(config: Path, root: Path, env: dict | None = None) -> set[str]:
    """The node ids below ``<config>::`` that pytest collects from ``root`` (in a
    subprocess, ``[slow]`` and ``[thin]`` included: ``PYJL_PEERS_FULL=1``)."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
        + [str(config.relative_to(root))],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYJL_PEERS_FULL": "1", **(env or {})},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    prefix = f"{config.relative_to(root).as_posix()}::"
    return {line[len(prefix) :] for line in done.stdout.splitlines() if line.startswith(prefix)}
