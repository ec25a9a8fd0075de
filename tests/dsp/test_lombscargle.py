"""pyjl.dsp.lombscargle against scipy.signal.lombscargle and closed forms."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.signal as ss

from pyjl import dsp
from pyjl.dsp import lomb_scargle
from pyjl.exceptions import InputError, NumericalWarning

RNG = np.random.default_rng(20261208)


@pytest.mark.parametrize("n", [5, 60, 700])
@pytest.mark.parametrize("normalize", [False, True, "power", "normalize", "amplitude"])
@pytest.mark.parametrize("floating_mean", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_scipy(n, normalize, floating_mean, weighted):
    x = np.sort(RNG.uniform(0, 50, n))
    y = RNG.standard_normal(n) + 0.4
    f = RNG.uniform(0.01, 10, 300)
    kw = dict(
        normalize=normalize,
        floating_mean=floating_mean,
        weights=RNG.uniform(0, 2, n) if weighted else None,
    )
    ours, theirs = dsp.lombscargle(x, y, f, **kw), ss.lombscargle(x, y, f, **kw)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=0)


def test_blocks_agree(monkeypatch):
    x = np.sort(RNG.uniform(0, 100, 300))
    y = RNG.standard_normal(300)
    f = np.linspace(0.1, 5, 1001)
    whole = dsp.lombscargle(x, y, f, floating_mean=True)
    monkeypatch.setattr(lomb_scargle, "_BLOCK", 300 * 7)  # blocks of 7 frequencies
    np.testing.assert_allclose(dsp.lombscargle(x, y, f, floating_mean=True), whole, rtol=1e-13)
    np.testing.assert_allclose(whole, ss.lombscargle(x, y, f, floating_mean=True), rtol=1e-10)


def test_closed_form_sinusoid():
    # evenly spread samples over whole periods: the power is A^2 n / 4 exactly
    n, amp, w0 = 400, 1.7, 2 * np.pi * 5 / 40
    x = np.arange(n) * 0.1
    p = dsp.lombscargle(x, amp * np.cos(w0 * x + 0.3), [w0])
    np.testing.assert_allclose(p, amp**2 * n / 4, rtol=1e-12)
    a = dsp.lombscargle(
        x, amp * np.cos(w0 * x + 0.3) + 2, [w0], normalize="amplitude", floating_mean=True
    )
    np.testing.assert_allclose(a, amp * np.exp(-0.3j), rtol=1e-12)
    assert np.ndim(a) == 0  # SciPy's scalar for one frequency


def test_degenerate_columns_give_least_norm_fit():
    t = np.arange(1.0, 33.0)
    y = np.ones(32)
    amp = dsp.lombscargle(t, y, [2 * np.pi] * 2, normalize="amplitude")
    np.testing.assert_allclose(amp, [1, 1], atol=1e-12)  # SciPy: 1 - 26.7j (noise / 1e-16)
    np.testing.assert_allclose(
        dsp.lombscargle(t, y, [2 * np.pi] * 2), ss.lombscargle(t, y, [2 * np.pi] * 2)
    )
    # one sample, three parameters: the offset takes it all
    assert dsp.lombscargle([1.0], [2.0], [0.5, 1.0], floating_mean=True).tolist() == [0, 0]


def test_normalized_power_of_silent_data_warns():
    with pytest.warns(NumericalWarning, match="undefined"):
        p = dsp.lombscargle(
            np.arange(10.0), np.full(10, 3.0), [0.5, 1.0], normalize=True, floating_mean=True
        )
    assert np.isnan(p).all()


def test_deprecations_as_scipy():
    x = np.arange(10.0)
    y = np.sin(x)
    with pytest.deprecated_call(match="leave 'precenter' unspecified"):
        p = dsp.lombscargle(x, y, [0.5, 1.0], precenter=True)
    np.testing.assert_allclose(p, dsp.lombscargle(x, y - y.mean(), [0.5, 1.0]))
    with pytest.deprecated_call(match="use keyword arguments"):
        warnings.filterwarnings("ignore", "Use of parameter 'precenter'", DeprecationWarning)
        q = dsp.lombscargle(x, y, [0.5, 1.0], False, True)
    np.testing.assert_allclose(q, dsp.lombscargle(x, y, [0.5, 1.0], normalize=True))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dsp.lombscargle(x, y, [0.5])


def test_pandas_and_lists():
    x = np.sort(RNG.uniform(0, 10, 30))
    y = RNG.standard_normal(30)
    np.testing.assert_allclose(
        dsp.lombscargle(pd.Series(x), pd.Series(y), list(np.linspace(0.1, 3, 20))),
        ss.lombscargle(x, y, np.linspace(0.1, 3, 20)),
        rtol=1e-10,
    )


@pytest.mark.parametrize(
    ("args", "kw", "name"),
    [
        (([], [], [1.0]), {}, "x"),
        (([1.0, 2.0], [1.0], [1.0]), {}, "y"),
        (([1.0, 2.0], [1.0, 2.0], []), {}, "freqs"),
        (([1.0, np.nan], [1.0, 2.0], [1.0]), {}, "x"),
        (([1.0, 2.0], [1.0, np.inf], [1.0]), {}, "y"),
        (([1.0, 2.0], [1.0, 2.0], [np.nan]), {}, "freqs"),
        (([1.0, 2.0], [1j, 2.0], [1.0]), {}, "y"),
        ((np.ones((2, 2)), np.ones((2, 2)), [1.0]), {}, "x"),
        (([1.0, 2.0], [1.0, 2.0], [1.0]), {"weights": [1.0]}, "weights"),
        (([1.0, 2.0], [1.0, 2.0], [1.0]), {"weights": [1.0, -1.0]}, "weights"),
        (([1.0, 2.0], [1.0, 2.0], [1.0]), {"weights": [0.0, 0.0]}, "weights"),
        (([1.0, 2.0], [1.0, 2.0], [1.0]), {"weights": [1.0, np.nan]}, "weights"),
        (([1.0, 2.0], [1.0, 2.0], [1.0]), {"normalize": "lomb"}, "normalize"),
        (([1.0, 2.0], [1.0, 2.0], [1.0]), {"normalize": 2}, "normalize"),
        (([1.0, 2.0], [1.0, 2.0], [1.0]), {"floating_mean": "yes"}, "floating_mean"),
    ],
)
def test_bad_input_names_the_argument(args, kw, name):
    with pytest.raises(InputError, match=re.escape(f"`{name}`")):
        dsp.lombscargle(*args, **kw)


def test_threads_change_nothing():
    import pyjl

    x = np.sort(RNG.uniform(0, 100, 2200))
    y = RNG.standard_normal(2200)
    f = np.linspace(0.1, 5, 1000)  # 2.2e6 phases: two threads
    old = pyjl.engines.get_num_threads()
    try:
        pyjl.engines.set_num_threads(1)
        one = dsp.lombscargle(x, y, f, normalize="amplitude")
        pyjl.engines.set_num_threads(2)
        two = dsp.lombscargle(x, y, f, normalize="amplitude")
    finally:
        pyjl.engines.set_num_threads(old)
    np.testing.assert_array_equal(one, two)
    np.testing.assert_allclose(two, ss.lombscargle(x, y, f, normalize="amplitude"), rtol=1e-10)
