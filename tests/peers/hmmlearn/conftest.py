"""Run hmmlearn's own test modules against :mod:`pyjl.hmm` (a local pytest plugin).

How it works
------------
``hmmlearn.toml`` (next to this file) names hmmlearn's test modules; pytest finds that
file while collecting ``tests/`` and this plugin turns it into one collector per module.
Each module is executed from the installed hmmlearn wheel (never copied) as a fresh
module object whose ``__import__`` is replaced: ``from hmmlearn import hmm``,
``from .. import hmm``, ``import hmmlearn.hmm``, ``from hmmlearn.hmm import GMMHMM`` and
``from hmmlearn.base import BaseHMM, ConvergenceMonitor`` hand the test module
:mod:`adapters` (hmmlearn's class names and arguments over :class:`pyjl.hmm.HMM`) and
pyjl's :class:`~pyjl.hmm.ConvergenceMonitor`.  hmmlearn's other modules that a test
reaches for (its private ``_hmmc`` kernels) are handed as stubs whose attributes raise
``AttributeError`` saying they are not translated, so no test passes on hmmlearn's own
code; ``hmmlearn.utils`` (``normalize``, which the tests use to build their inputs) stays
hmmlearn's.  hmmlearn itself is never patched.  The helpers of ``hmmlearn.tests``
(``assert_log_likelihood_increasing``, ``create_random_gmm`` of test_gmm_hmm) are loaded
the same way, so they too build pyjl's models.

hmmlearn's tests run with NumPy's floating-point errors as warnings
(``np.seterr(all="warn")``, which its ``tests/__init__.py`` sets on import): here that
holds inside each hmmlearn test only, and the rest of the suite keeps NumPy's defaults.
hmmlearn's ``conftest.py`` seeds NumPy's and Python's global generators once per run,
from ``HMMLEARN_SEED`` or at random; here they are seeded before each test from
``HMMLEARN_SEED`` (default 0) and the test's id, so every test draws the same numbers
whatever runs before it, and their states are restored after it.

Adding an internals entry
-------------------------
A test that fails on pyjl goes in ``[internals]`` of ``hmmlearn.toml``, keyed by its node
id below ``hmmlearn.toml::`` (without ``[...]`` it covers every parametrisation), with a
reason in one of three forms: "Tests hmmlearn's private ..." (an hmmlearn private method
or attribute pyjl has no public equivalent of), "Difference: ..." (pyjl differs on
purpose; say where it documents it) or "pyjl bug: ..." (a wrong number, a crash, a
missing feature; report it).  The test is then marked ``xfail(strict=True)`` with that
reason: when it starts passing, pytest reports XPASS(strict) and the entry must go.  The
terminal summary counts the outcomes, the xfails by category.

For CI time, ``[slow]`` deselects named tests and ``[thin]`` keeps one in n
parametrisations; ``PYJL_PEERS_FULL=1`` runs everything.  ``test_plugin.py`` checks the
swap itself and that every entry names an hmmlearn test.
"""

from __future__ import annotations

import builtins
import os
import random
import types
import zlib
from pathlib import Path

import hmmlearn
import hmmlearn.base
import hmmlearn.utils
import numpy as np
import pytest

from pyjl.hmm import ConvergenceMonitor

from .. import _suite
from . import adapters

CONFIG = Path(__file__).with_name("hmmlearn.toml")
# not imported: its __init__ sets np.seterr(all="warn") for the whole process
HMMLEARN_TESTS = Path(hmmlearn.__file__).parent / "tests"


# ---- the swap -------------------------------------------------------------------------


def _Module(name, names):
    """A module holding ``names`` only (:class:`_suite.Stub`)."""
    return _suite.Stub(name, names, "tests/peers/hmmlearn/conftest.py")


HMM = _Module(
    "hmmlearn.hmm", {n: getattr(adapters, n) for n in adapters.__all__ if n != "BaseHMM"}
)
BASE = _Module(
    "hmmlearn.base",
    {
        "BaseHMM": adapters.BaseHMM,
        "ConvergenceMonitor": ConvergenceMonitor,
        "DECODER_ALGORITHMS": hmmlearn.base.DECODER_ALGORITHMS,  # a constant: the names
    },
)
HMMLEARN = _Module(
    "hmmlearn",
    {"hmm": HMM, "base": BASE, "utils": hmmlearn.utils, "_hmmc": _Module("hmmlearn._hmmc", {})},
)
_SWAPPED = {"hmmlearn": HMMLEARN, "hmmlearn.hmm": HMM, "hmmlearn.base": BASE}
_helpers: dict[str, types.ModuleType] = {}


def _import(name, globals=None, locals=None, fromlist=(), level=0):
    name = _suite.absolute(name, globals, level)
    if not (name == "hmmlearn" or name.startswith("hmmlearn.")):
        return builtins.__import__(name, globals, locals, fromlist, 0)
    if not fromlist:  # `import hmmlearn.hmm` binds `hmmlearn`
        return HMMLEARN
    if name == "hmmlearn.tests":
        return _helper("__init__")
    if name.startswith("hmmlearn.tests."):
        return _helper(name.rsplit(".", 1)[1])
    if name == "hmmlearn.utils":
        return hmmlearn.utils
    return _SWAPPED.get(name) or _Module(name, {})


def _helper(stem):
    if stem not in _helpers:
        _helpers[stem] = _load(stem)
    return _helpers[stem]


def _load(stem):
    """Execute ``hmmlearn/tests/<stem>.py`` as a new module that imports pyjl's names."""
    name, path = f"pyjl_peers.hmmlearn.{stem}", HMMLEARN_TESTS / f"{stem}.py"
    errors = np.geterr()
    try:
        return _suite.load_module(name, path, "hmmlearn.tests", _import)
    finally:
        np.seterr(**errors)  # tests/__init__.py's seterr: see pytest_runtest_protocol


# ---- collection -----------------------------------------------------------------------


def _config():
    return _suite.read_config(CONFIG)


pytest_collect_file, HmmlearnModule = _suite.collectors(CONFIG, _load, "hmmlearn test module")


def _key(item):
    return _suite.key(item, HmmlearnModule)


TALLY = _suite.peer_tally("hmmlearn's suite on pyjl.hmm", "hmmlearn", HmmlearnModule)


pytest_collection_modifyitems, pytest_runtest_makereport, pytest_terminal_summary = (
    _suite.tally_hooks(CONFIG, TALLY)
)


# ---- each test: hmmlearn's error state, seeded generators ----------------------------


def seed(key):
    """The seed of NumPy's and Python's global generators for the test ``key``:
    ``HMMLEARN_SEED`` (default 0) mixed with the test's id."""
    return (int(os.environ.get("HMMLEARN_SEED", 0)) + zlib.crc32(key.encode())) % 2**32


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    key = _key(item)
    if key is None:
        return (yield)
    states = np.random.get_state(), random.getstate()  # noqa: NPY002
    np.random.seed(seed(key))  # noqa: NPY002 - the global state hmmlearn's tests draw from
    random.seed(seed(key))
    try:
        with np.errstate(all="warn"):  # hmmlearn's tests/__init__.py: np.seterr(all="warn")
            return (yield)
    finally:  # the rest of the suite draws as if no hmmlearn test had run
        np.random.set_state(states[0])  # noqa: NPY002
        random.setstate(states[1])
