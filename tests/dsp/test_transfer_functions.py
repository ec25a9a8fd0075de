"""normalize, findfreqs and freqz_sos equal SciPy's, BadCoefficients is SciPy's own class,
and bad coefficients, counts and kinds are refused by name."""

import warnings

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError

from .helpers import assert_matches


def _same(got, want):
    assert isinstance(got, tuple) and len(got) == len(want)
    for g, w in zip(got, want):
        assert_matches(g, w, rtol=1e-13)


@pytest.mark.parametrize(
    "b, a",
    [
        ([2.0, 4.0], [2.0, 1.0]),
        ([[3.0, 6.0], [1.0, 2.0]], [0.0, 3.0, 1.5]),
        ([1, 2, 3], [4, 5]),
        (np.float32([1, 2]), np.float32([2, 3])),
        ([1j, 2.0], [2.0, 1.0]),
        (5.0, 2.0),
        (np.array([5, [1, 2, 3]], dtype=object), [1.0, 2.0]),  # aligned numerators
    ],
)
def test_normalize_equals_scipy(b, a):
    _same(dsp.normalize(b, a), ss.normalize(b, a))


def test_normalize_warns_scipys_bad_coefficients():
    assert dsp.BadCoefficients is ss.BadCoefficients
    with pytest.warns(ss.BadCoefficients, match="Badly conditioned"):
        got = dsp.normalize([1e-20, 1.0, 2.0], [1.0, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.BadCoefficients)
        _same(got, ss.normalize([1e-20, 1.0, 2.0], [1.0, 3.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error", dsp.BadCoefficients)  # a filter on pyjl's name
        with pytest.raises(ss.BadCoefficients):
            dsp.normalize([0.0, 1.0], [1.0, 3.0])


@pytest.mark.parametrize(
    "num, den, N, kind",
    [
        ([1.0, 0.0], [1.0, 8.0, 25.0], 9, "ba"),
        ([1.0], [1.0, 1e-3], 50, "ba"),
        ([1.0, 2.0, 3.0], [1.0, 1.0], 5, "ba"),
        ([-1.0, 1e6], [-10.0, -0.1 + 2j, -0.1 - 2j], 20, "zp"),
        ([], [], 7, "zp"),
        ([0.0], [-1.0], 3, "zp"),
    ],
)
def test_findfreqs_equals_scipy(num, den, N, kind):
    assert_matches(dsp.findfreqs(num, den, N, kind), ss.findfreqs(num, den, N, kind))


@pytest.mark.parametrize(
    "worN, whole, fs", [(64, False, 2 * np.pi), (17, True, 100.0), ([0.1, 0.2], False, 1.0)]
)
def test_freqz_sos_is_sosfreqz_and_equals_scipy(worN, whole, fs):
    assert dsp.freqz_sos is dsp.sosfreqz
    sos = ss.ellip(6, 1.0, 60.0, 0.3, output="sos")
    _same(dsp.freqz_sos(sos, worN, whole, fs), ss.freqz_sos(sos, worN, whole, fs))


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: dsp.normalize([np.nan], [1.0]), "b"),
        (lambda: dsp.normalize([1.0], [0.0, 0.0]), "a"),
        (lambda: dsp.normalize([], [1.0]), "b"),
        (lambda: dsp.normalize(np.ones((2, 2, 2)), [1.0]), "b"),
        (lambda: dsp.normalize([1.0], [[1.0, 2.0]]), "a"),
        (lambda: dsp.normalize([[1.0, 2.0], [1.0, np.inf]], [1.0]), "b"),
        (lambda: dsp.normalize([1.0], [1e-320]), "b"),  # overflows
        (lambda: dsp.findfreqs([1.0], [1.0, 2.0], -1), "N"),  # 0 gives none, as SciPy
        (lambda: dsp.findfreqs([1.0], [1.0, 2.0], 5, kind="pz"), "kind"),
        (lambda: dsp.findfreqs([1.0], [0.0], 5), "den"),
        (lambda: dsp.findfreqs([np.nan], [1.0], 5), "num"),
        (lambda: dsp.findfreqs([1.0], [np.inf], 5, kind="zp"), "den"),
        (lambda: dsp.freqz_sos([[1.0, 0.0, 0.0, 1.0, 0.0]]), "sos"),
    ],
)
def test_bad_arguments_are_refused_by_name(call, name):
    with pytest.raises(InputError, match=f"^`{name}` "):
        call()
