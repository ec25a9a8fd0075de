"""Run Optuna's own pruner tests against pyjl's pruners and studies (a local pytest plugin).

How it works
------------
Optuna's wheel ships no tests, so they come from its source distribution:
``eval "$(bash .ci/optuna_tests.sh)"`` (``.ci/run`` does it) downloads the sdist of the
installed Optuna's version from PyPI, unpacks it and sets ``PYJL_OPTUNA_TESTS`` to its
folder.  Without them (the variable unset, the folder gone, or another version's tests than the
installed Optuna's) the suite is skipped with the reason.

``optuna.toml`` (next to this file) names the modules of Optuna's
``tests/pruners_tests``; pytest finds that file while collecting ``tests/`` and this
plugin turns it into one collector per module.  Each module is executed from the sdist as
a fresh module object whose ``__import__`` is replaced: ``import optuna`` and ``from
optuna.study import ...`` / ``from optuna.trial import ...`` hand it proxies whose
pruners are pyjl's classes of the same names (:mod:`pyjl.bo`) and whose studies and
trials are the adapters of ``adapters.py`` (Optuna's API over :class:`pyjl.bo.Optimizer`;
read its docstring).  Optuna's enums (``TrialState``, ``StudyDirection``), exceptions
module, samplers and ``create_trial`` (a finished trial's record, which the adapted
``add_trial`` reads) stay Optuna's; its private modules and anything else are proxies
whose attributes raise ``AttributeError`` saying they are not translated, so no test
passes on Optuna's own pruning code.  Optuna itself is never patched.

Adding an internals entry
-------------------------
A test that fails on pyjl goes in ``[internals]`` of ``optuna.toml``, keyed by its node
id below ``optuna.toml::`` (without ``[...]`` it covers every parametrisation), with a
reason in one of three forms: "Tests Optuna's private ..." (an Optuna internal or an API
pyjl has no equivalent of), "Difference: ..." (pyjl differs on purpose; say where it
documents it) or "pyjl bug: ..." (a wrong decision or a crash; fix pyjl and the entry
goes).  The test is then marked ``xfail(strict=True)``: when it starts passing, pytest
reports XPASS(strict) and the entry must go.  ``test_plugin.py`` checks the swap itself
and that every entry names an Optuna test.
"""

from __future__ import annotations

import builtins
import os
from pathlib import Path

import optuna
import optuna.exceptions
import optuna.samplers
import optuna.trial
import pytest
from optuna.study import StudyDirection
from optuna.trial import TrialState

import pyjl.bo

from .. import _suite
from . import adapters

CONFIG = Path(__file__).with_name("optuna.toml")
PRUNER_NAMES = [n for n in pyjl.bo.__all__ if n.endswith("Pruner") and n != "Pruner"]


def tests_folder() -> Path | None:
    """Optuna's ``tests`` folder from ``PYJL_OPTUNA_TESTS`` (the unpacked sdist), or None."""
    root = os.environ.get("PYJL_OPTUNA_TESTS")
    return Path(root) / "tests" if root else None


def sdist_version(root: Path) -> str:
    """The version in the unpacked sdist's ``PKG-INFO``."""
    for line in (root / "PKG-INFO").read_text().splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
    raise ValueError(f"{root / 'PKG-INFO'} names no version")


# ---- the swap -------------------------------------------------------------------------


def _Module(name, names):
    """A module holding ``names`` only (:class:`_suite.Stub`)."""
    return _suite.Stub(name, names, "tests/peers/optuna/conftest.py")


PRUNERS = _Module("optuna.pruners", {n: getattr(pyjl.bo, n) for n in PRUNER_NAMES})
STUDY = _Module(
    "optuna.study",
    {
        "create_study": adapters.create_study,
        "Study": adapters.Study,
        "StudyDirection": StudyDirection,
    },
)
TRIAL = _Module(
    "optuna.trial",
    {"Trial": adapters.Trial, "TrialState": TrialState, "create_trial": optuna.trial.create_trial},
)
OPTUNA = _Module(
    "optuna",
    {
        "pruners": PRUNERS,
        "study": STUDY,
        "trial": TRIAL,
        "create_study": adapters.create_study,
        "TrialPruned": pyjl.bo.TrialPruned,
        "exceptions": optuna.exceptions,
        "samplers": optuna.samplers,
    },
)
_SWAPPED = {
    "optuna": OPTUNA,
    "optuna.pruners": PRUNERS,
    "optuna.study": STUDY,
    "optuna.trial": TRIAL,
}


def _import(name, globals=None, locals=None, fromlist=(), level=0):
    name = _suite.absolute(name, globals, level)
    if not (name == "optuna" or name.startswith("optuna.")):
        return builtins.__import__(name, globals, locals, fromlist, 0)
    if not fromlist:  # `import optuna.x` binds `optuna`
        return OPTUNA
    module = _SWAPPED.get(name)
    if module is None:
        return _Module(name, {})
    missing = [n for n in fromlist if n.startswith("_") and not hasattr(module, n)]
    if missing:  # `from optuna.pruners import _percentile`: a module, none of it translated
        names = {n: getattr(module, n) for n in fromlist if n not in missing}
        return _Module(name, names | {n: _Module(f"{name}.{n}", {}) for n in missing})
    return module


def _load(stem):
    """Execute Optuna's ``tests/pruners_tests/<stem>.py`` as a module importing pyjl's names."""
    folder = tests_folder()
    assert folder is not None
    name = f"pyjl_peers.optuna.{stem}"
    path = folder / "pruners_tests" / f"{stem}.py"
    return _suite.load_module(name, path, "tests.pruners_tests", _import)


# ---- collection -----------------------------------------------------------------------


def _unavailable() -> str | None:
    """Why Optuna's tests cannot run here (not fetched, gone, of another version), or None."""
    folder = tests_folder()
    if folder is None:
        return (
            "Optuna's tests: PYJL_OPTUNA_TESTS is not set (eval \"$(bash "
            '.ci/optuna_tests.sh)" downloads them; .ci/run does)'
        )
    if not (folder.parent / "PKG-INFO").is_file() or not (folder / "pruners_tests").is_dir():
        return (
            f"Optuna's tests: PYJL_OPTUNA_TESTS={folder.parent} holds no unpacked Optuna "
            "source distribution (run .ci/optuna_tests.sh again)"
        )
    version = sdist_version(folder.parent)
    if version != optuna.__version__:
        return (
            f"Optuna's tests: PYJL_OPTUNA_TESTS={folder.parent} holds Optuna {version}'s "
            f"tests, but Optuna {optuna.__version__} is installed (run .ci/optuna_tests.sh "
            "again: it fetches the installed version's)"
        )
    return None


_collect, OptunaModule = _suite.collectors(CONFIG, _load, "Optuna test module")


def pytest_collect_file(file_path, parent):
    if file_path != CONFIG:
        return None
    reason = _unavailable()
    if reason is None:
        return _collect(file_path, parent)
    return _Skipped.from_parent(parent, path=file_path, reason=reason)


class _Skipped(pytest.File):
    """``optuna.toml`` when Optuna's tests are absent: collected as skipped, with why."""

    def __init__(self, *, reason: str, **kwargs):
        super().__init__(**kwargs)
        self.reason = reason

    def collect(self):
        pytest.skip(self.reason)


TALLY = _suite.peer_tally("Optuna's pruner tests on pyjl.bo", "Optuna", OptunaModule)


pytest_collection_modifyitems, pytest_runtest_makereport, pytest_terminal_summary = (
    _suite.tally_hooks(CONFIG, TALLY)
)
