"""Run scikit-learn's own Gaussian-process tests against :mod:`pyjl.gp` (a local pytest plugin).

How it works
------------
``sklearn_gp.toml`` (next to this file) names scikit-learn's test modules; pytest finds
that file while collecting ``tests/`` and this plugin turns it into one collector per
module. Each module is executed from the installed scikit-learn wheel (never copied) as a
fresh module object whose ``__import__`` is replaced: ``from sklearn.gaussian_process
import GaussianProcessRegressor``, ``from sklearn.gaussian_process.kernels import RBF,
ConstantKernel as C, ...``, ``import sklearn.gaussian_process.kernels as kernels`` and the
like hand the test module proxies whose attributes are the adapters of ``adapters.py``
(scikit-learn's names and arguments over ``pyjl.gp``; read its docstring) for every
scikit-learn GP class, the ones pyjl lacks included (``PairwiseKernel``,
``CompoundKernel`` and ``GaussianProcessClassifier`` are refused once used, so that
scikit-learn's own never runs in their place), and scikit-learn's objects otherwise: the
helpers a test checks with (``clone``, ``_approx_fprime``, ``pairwise_kernels``,
``assert_allclose``, ``ConvergenceWarning``) and the string kernel ``MiniSeqKernel`` of
its test helper ``_mini_sequence_kernel``, which the adapter refuses. scikit-learn itself
is never patched. ``test_gpc.py`` is not run: pyjl has no Gaussian-process classifier.

Parametrised tests get ids from the adapter kernels' ``repr``
(``test_kernel_gradient[RBF(length_scale=2.0)]``, not scikit-learn's ``kernel0``), so the
entries below say which kernel they mean. The adapter records the pyjl objects each test
reached; the terminal summary counts the outcomes per module and the strict xfails per
category, and names the tests that passed without reaching pyjl (those of the adapters'
own parameter protocol: ``clone`` after ``set_params``, ``repr``).
``PYJL_PEERS_REPORT=<path>`` also writes the failures and unexpected passes to a file.

Adding an internals entry
-------------------------
A test that cannot pass on pyjl goes in ``[internals]`` of ``sklearn_gp.toml``::

    "test_kernels::test_foo[RBF(length_scale=2.0)]" = "No pyjl equivalent: pyjl has ..."

The key is the node id below ``sklearn_gp.toml::``; without ``[...]`` it covers every
parametrisation. The test is then marked ``xfail(strict=True)`` with that reason, which
starts with its category (:data:`CATEGORIES`): ``No pyjl equivalent:`` (a kernel, option
or input pyjl lacks), ``Documented difference:`` (where pyjl deliberately differs, naming
where it is documented) or ``pyjl bug:`` (a wrong number, a crash, a silent NaN, a missing
thing a scikit-learn user relies on: fix pyjl and the entry goes). scikit-learn's own
markers (``test_lml_gradient``'s non-strict xfail) are kept.

For CI time, ``[slow]`` deselects named tests and ``[thin]`` keeps one in n
parametrisations of a huge one; ``PYJL_PEERS_FULL=1`` runs everything.
``test_plugin.py`` checks the swap itself and that every entry names a collected test.
"""

from __future__ import annotations

import builtins
import os
import types
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import sklearn
import sklearn.gaussian_process
import sklearn.gaussian_process.kernels
import sklearn.gaussian_process.tests

from .. import _suite
from . import adapters

CONFIG = Path(__file__).with_name("sklearn_gp.toml")
SKLEARN_TESTS = Path(sklearn.gaussian_process.tests.__file__).parent
CATEGORIES = ("No pyjl equivalent:", "Documented difference:", "pyjl bug:")


# ---- the swap -------------------------------------------------------------------------


class _Proxy(types.ModuleType):
    """A module whose attributes are ``overrides`` where given, ``real``'s otherwise."""

    def __init__(self, real, overrides):
        super().__init__(real.__name__, real.__doc__)
        self.__dict__.update(overrides)
        self._real = real

    def __getattr__(self, attr):
        return getattr(self._real, attr)


KERNELS = _Proxy(
    sklearn.gaussian_process.kernels,
    {
        n: getattr(adapters, n)
        for n in adapters.__all__
        if hasattr(sklearn.gaussian_process.kernels, n)
    },
)
GAUSSIAN_PROCESS = _Proxy(
    sklearn.gaussian_process,
    {
        **{n: getattr(adapters, n) for n in adapters.__all__ if "GaussianProcess" in n},
        "kernels": KERNELS,
    },
)
SKLEARN = _Proxy(sklearn, {"gaussian_process": GAUSSIAN_PROCESS})
_SWAPPED = {
    "sklearn": SKLEARN,
    "sklearn.gaussian_process": GAUSSIAN_PROCESS,
    "sklearn.gaussian_process.kernels": KERNELS,
}


def _import(name, globals=None, locals=None, fromlist=(), level=0):
    name = _suite.absolute(name, globals, level)
    module = builtins.__import__(name, globals, locals, fromlist, 0)
    if not (name == "sklearn" or name.startswith("sklearn.")):
        return module
    if not fromlist:
        return SKLEARN
    return _SWAPPED.get(name, module)


def _load(stem):
    """Execute ``sklearn/gaussian_process/tests/<stem>.py`` as a new module that imports
    the adapters."""
    name, path = f"pyjl_peers.sklearn_gp.{stem}", SKLEARN_TESTS / f"{stem}.py"
    return _suite.load_module(name, path, "sklearn.gaussian_process.tests", _import)


# ---- collection -----------------------------------------------------------------------


def _config():
    return _suite.read_config(CONFIG)


pytest_collect_file, SklearnModule = _suite.collectors(CONFIG, _load, "scikit-learn test module")


def _key(item):
    return _suite.key(item, SklearnModule)


def pytest_make_parametrize_id(config, val, argname):
    """An adapter kernel's id is its ``repr`` (this hook sees every parametrisation of the
    session: it names only the adapters' kernels, which no other test uses)."""
    if isinstance(val, adapters.Kernel):
        return repr(val)
    return None


def pytest_collection_modifyitems(config, items):
    def mark(item, reason):
        item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
        _categories[item.nodeid] = _category(reason)

    _suite.apply_tables(config, items, _config(), SklearnModule, mark)


def _category(reason):
    return next((c.rstrip(":") for c in CATEGORIES if reason.startswith(c)), "uncategorised")


# ---- what each test reached -------------------------------------------------------------

_reached: dict[str, set] = {}
_outcomes: dict[str, str] = {}
_messages: dict[str, str] = {}
_categories: dict[str, str] = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    if _key(item) is None:
        return (yield)
    adapters.reached = _reached[item.nodeid] = set()
    try:
        return (yield)
    finally:
        adapters.reached = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if _key(item) is not None and (
        report.when == "call" or (report.when == "setup" and not report.passed)
    ):
        outcome = report.outcome
        if hasattr(report, "wasxfail"):
            outcome = "xfailed" if report.skipped else "xpassed"
        _outcomes[item.nodeid] = outcome
        crash = getattr(report.longrepr, "reprcrash", None)
        if report.failed and crash is not None:
            _messages[item.nodeid] = crash.message.splitlines()[0][:200]
    return report


def _module(nodeid):
    return nodeid.split("::")[1]


def pytest_terminal_summary(terminalreporter):
    if not _outcomes:
        return
    tr = terminalreporter
    tr.section("scikit-learn's GP suite on pyjl.gp")
    per_module = defaultdict(Counter)
    for nodeid, outcome in _outcomes.items():
        per_module[_module(nodeid)][outcome] += 1
    for module, counts in sorted(per_module.items()):
        tr.write_line(f"{module}: " + ", ".join(f"{v} {o}" for o, v in sorted(counts.items())))
    strict = Counter(
        (_module(n), _categories[n])
        for n, o in _outcomes.items()
        if o == "xfailed" and n in _categories
    )
    for (module, category), v in sorted(strict.items()):
        tr.write_line(f"  {module}: strict xfail, {category}: {v}")
    idle = Counter(
        n.split("::", 1)[1].split("[", 1)[0]
        for n, o in _outcomes.items()
        if o == "passed" and not _reached.get(n)
    )
    for test, v in sorted(idle.items()):  # the adapters' own protocol: clone, repr
        tr.write_line(f"  passed without reaching pyjl: {test}: {v}")
    path = os.environ.get("PYJL_PEERS_REPORT")
    if path:
        with open(path, "w") as fh:
            fh.writelines(
                f"{n}  --  {_messages.get(n, '')}\n"
                for n, o in sorted(_outcomes.items())
                if o in ("failed", "xpassed")
            )
