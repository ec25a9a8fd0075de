"""Every public function/class of the public modules has a numpydoc docstring with an example.

The examples themselves are run by ``pytest --doctest-modules`` (``testpaths`` includes
``pyjl``); this test checks that they exist, and that the checker itself fails on a missing one.
"""

import importlib
import inspect
import types

import pytest

PUBLIC_MODULES = [
    "pyjl",
    "pyjl.gp",
    "pyjl.bo",
    "pyjl.bo.plots",
    "pyjl.hmm",
    "pyjl.dsp",
    "pyjl.data",
    "pyjl.testing",
    "pyjl.engines",
    "pyjl.demo",
    "pyjl.exceptions",
]

# pyjl.dsp.windows has its own ``__all__``, but every name in it is SciPy's window function
# (``scipy.signal.windows.__all__``) behind an argument check that keeps SciPy's signature and
# docstring (functools.wraps): documented with examples by SciPy.  The whole module is
# therefore exempt; ``test_windows_are_scipy_objects`` checks that each wraps SciPy's own.
EXEMPT = {
    "pyjl.__version__": "a version string, not a function or class",
    "pyjl.dsp.BadCoefficients": "SciPy's warning class itself, re-exported so that filters "
    "and `except` clauses match SciPy's; its docstring is SciPy's",
}

# Main classes whose public methods each need a docstring (an example on the class suffices).
MAIN_CLASSES = [
    "pyjl.gp.GaussianProcess",
    "pyjl.bo.Optimizer",
    "pyjl.hmm.HMM",
    "pyjl.hmm.Emission",
    "pyjl.hmm.Normal",
    "pyjl.hmm.MvNormal",
    "pyjl.hmm.Exponential",
    "pyjl.hmm.Poisson",
    "pyjl.hmm.Gamma",
    "pyjl.hmm.Categorical",
    "pyjl.hmm.Mixture",
    "pyjl.dsp.SosFilter",
    "pyjl.dsp.FirFilter",
    "pyjl.dsp.Resampler",
]


def has_example(doc):
    """True when ``doc`` has a numpydoc ``Examples`` section or a ``>>>`` prompt."""
    if not doc:
        return False
    lines = [ln.strip() for ln in inspect.cleandoc(doc).splitlines()]
    section = any(a == "Examples" and set(b) == {"-"} for a, b in zip(lines, lines[1:]) if b)
    return section or any(ln.startswith(">>>") for ln in lines)


def missing_examples(module):
    """Qualified names of public functions/classes of ``module`` without an example."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    bad = []
    for name in names:
        qual = f"{module.__name__}.{name}"
        obj = getattr(module, name)
        if qual in EXEMPT or isinstance(obj, types.ModuleType):
            continue
        if not (inspect.isclass(obj) or callable(obj)):
            continue
        if not has_example(obj.__doc__):  # its own docstring, not an inherited one
            bad.append(qual)
    return bad


def undocumented_methods(cls):
    """Public methods/properties defined by ``cls`` without a docstring (a method overriding a
    documented method of a base class inherits its docstring, as :func:`inspect.getdoc`)."""
    bad = []
    for name, attr in vars(cls).items():
        if name.startswith("_"):
            continue
        fn = attr.fget if isinstance(attr, property) else attr
        if isinstance(fn, (staticmethod, classmethod)):
            fn = fn.__func__
        if not callable(fn):
            continue
        if not (inspect.getdoc(getattr(cls, name)) or "").strip():
            bad.append(f"{cls.__name__}.{name}")
    return bad


@pytest.mark.parametrize("modname", PUBLIC_MODULES)
def test_public_names_have_examples(modname):
    module = importlib.import_module(modname)
    assert missing_examples(module) == []


@pytest.mark.parametrize("path", MAIN_CLASSES)
def test_main_class_methods_documented(path):
    modname, _, clsname = path.rpartition(".")
    cls = getattr(importlib.import_module(modname), clsname)
    assert has_example(cls.__doc__), path
    assert undocumented_methods(cls) == []


def test_windows_are_scipy_objects():
    import scipy.signal
    import scipy.signal.windows

    from pyjl.dsp import windows

    assert windows.__all__
    for name in windows.__all__:
        ref = getattr(scipy.signal.windows, name, None) or getattr(scipy.signal, name)
        ours = getattr(windows, name)
        assert ours is ref or getattr(ours, "__wrapped__", None) is ref, name
        assert ours.__doc__ == ref.__doc__, name


def test_exemptions_are_real():
    for qual in EXEMPT:
        modname, _, name = qual.rpartition(".")
        assert name in importlib.import_module(modname).__all__


def test_checker_fails_on_missing_example():
    fake = types.ModuleType("fake_public")

    def good(x):
        """Double.

        Examples
        --------
        >>> good(2)
        4
        """
        return 2 * x

    def inline(x):
        """Triple: ``>>> inline(1)`` is not a prompt, but this one is:

        >>> inline(1)
        3
        """
        return 3 * x

    def no_example(x):
        """Docstring without any example."""
        return x

    def no_doc(x):
        return x

    class NoExampleClass:
        """A class without example."""

    fake.good, fake.inline, fake.no_example = good, inline, no_example
    fake.no_doc, fake.NoExampleClass, fake.CONST = no_doc, NoExampleClass, 3
    fake.__all__ = ["good", "inline", "no_example", "no_doc", "NoExampleClass", "CONST"]
    assert missing_examples(fake) == [
        "fake_public.no_example",
        "fake_public.no_doc",
        "fake_public.NoExampleClass",
    ]
    assert has_example("Examples\n--------\nsee above")
    assert not has_example("Examples are elsewhere.")

    class Main:
        """Example.

        >>> Main().documented()
        """

        def documented(self):
            """Documented."""

        def bare(self):
            pass

        @property
        def prop(self):
            return 1

    assert undocumented_methods(Main) == ["Main.bare", "Main.prop"]
