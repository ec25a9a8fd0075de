"""unique_roots, residue, residuez, invres and invresz equal SciPy's on simple, repeated,
complex and degenerate inputs, round trips keep the filter, and bad arguments are
refused by name."""

import re

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError

from .helpers import assert_matches

RNG = np.random.default_rng(20261209)


def _same(got, want, rtol=1e-10):
    assert isinstance(got, tuple) and len(got) == len(want)
    for g, w in zip(got, want):
        assert_matches(g, w, rtol=rtol)


FRACTIONS = [
    ([1.0, 2.0], [1.0, 3.0, 2.0]),
    ([1.0, 0.0, 1.0], [1.0, 2.0, 1.0]),  # a double pole and a direct term
    ([1, 6, 6, 2], [1, -(2 + 1j), (1 + 2j), -1j]),
    ([2.0, 3.0, 4.0], [1.0, 3.0, 3.0, 1.0]),  # a triple pole
    ([0.0, 0.0], [1.0, 6.0, 8.0]),  # zero numerator
    ([5, 3, -2, 7], [-4, 0, 8, 3]),  # integers
    ([1.0, -10.0, -4.0, 4.0], [2.0, -2.0, -4.0]),  # improper
    (1.0, [1.0, 0.0, 0.0, 0.0, -1.0]),
]


@pytest.mark.parametrize("b, a", FRACTIONS)
@pytest.mark.parametrize("rtype", ["avg", "min", "max"])
def test_residue_and_residuez_equal_scipy(b, a, rtype):
    _same(dsp.residue(b, a, rtype=rtype), ss.residue(b, a, rtype=rtype))
    _same(dsp.residuez(b, a, rtype=rtype), ss.residuez(b, a, rtype=rtype))


@pytest.mark.parametrize("b, a", FRACTIONS[:4] + FRACTIONS[5:])
def test_round_trips_equal_scipy(b, a):
    r, p, k = ss.residue(b, a)
    _same(dsp.invres(r, p, k), ss.invres(r, p, k))
    r, p, k = ss.residuez(b, a)
    _same(dsp.invresz(r, p, k), ss.invresz(r, p, k))


def test_random_expansions_equal_scipy():
    for n in (2, 4, 7):
        b, a = RNG.standard_normal(n - 1), np.poly(RNG.uniform(-0.9, 0.9, n))
        _same(dsp.residue(b, a), ss.residue(b, a), rtol=1e-8)
        _same(dsp.residuez(b, a), ss.residuez(b, a), rtol=1e-8)


@pytest.mark.parametrize(
    "p, tol, rtype",
    [
        ([1.0, 1.0005, 3.0, 1.0002], 1e-3, "max"),
        ([1.0, 1.0005, 3.0, 1.0002], 1e-3, "minimum"),
        ([1.0, 1.0005, 3.0, 1.0002], 1e-5, "mean"),
        ([1 + 1j, 1 + 1.0001j, -2.0], 1e-3, "avg"),
        ([], 1e-3, "min"),
        ([2.0], 0.0, "maximum"),
    ],
)
def test_unique_roots_equals_scipy(p, tol, rtype):
    _same(dsp.unique_roots(p, tol, rtype), ss.unique_roots(p, tol, rtype))


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: dsp.residue([np.nan], [1.0, 2.0]), "b"),
        (lambda: dsp.residue([1.0], [0.0, 0.0]), "a"),
        (lambda: dsp.residue([1.0], [1.0, 2.0], tol=-1.0), "tol"),
        (lambda: dsp.residue([1.0], [1.0, 2.0], rtype="median"), "rtype"),
        (lambda: dsp.residuez([1.0], [0.0, 1.0, 2.0]), "a[0]"),
        (lambda: dsp.residuez([1.0], [1.0, np.inf]), "a"),
        (lambda: dsp.invres([1.0], [1.0, 2.0], []), "r"),
        (lambda: dsp.invres([1.0], [np.nan], []), "p"),
        (lambda: dsp.invresz([1.0], [2.0], [[1.0]]), "k"),
        (lambda: dsp.invresz([1.0], [2.0], [np.inf]), "k"),
        (lambda: dsp.unique_roots([[1.0, 2.0]]), "p"),
        (lambda: dsp.unique_roots([1.0], tol=np.nan), "tol"),
    ],
)
def test_bad_arguments_are_refused_by_name(call, name):
    with pytest.raises(InputError, match="^" + re.escape(f"`{name}` ")):
        call()


@pytest.mark.parametrize("fn", [dsp.invres, dsp.invresz])
@pytest.mark.parametrize("k", [[], [1.0]])
def test_no_poles_are_refused_by_name(fn, k):
    # SciPy indexes the first pole: a bare IndexError
    with pytest.raises(InputError, match="^`p` must hold at least one pole"):
        fn([], [], k)
