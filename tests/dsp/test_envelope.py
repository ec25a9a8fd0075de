"""pyjl.dsp.envelope against scipy.signal.envelope and closed forms."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import scipy.signal as ss

from pyjl import dsp
from pyjl.exceptions import InputError

RNG = np.random.default_rng(20261207)


def bands(n):
    """Every band SciPy and pyjl read alike (SciPy's ``lo == 0`` residual and
    ``hi == 0`` slices differ on purpose: see the docstring)."""
    for lo in [*range(-(n // 2), (n + 1) // 2), None]:
        for hi in [*range(-(n // 2) + 1, (n + 1) // 2 + 1), None]:
            low = -(n // 2) if lo is None else lo
            high = (n + 1) // 2 if hi is None else hi
            if low < high and high != 0:
                yield (lo, hi), low


@pytest.mark.parametrize("n", [1, 2, 5, 8, 9])
@pytest.mark.parametrize("kind", ["real", "complex"])
def test_every_band_and_option_matches_scipy(n, kind):
    z = RNG.standard_normal((2, n))
    if kind == "complex":
        z = z + 1j * RNG.standard_normal((2, n))
    for bp, low in bands(n):
        for n_out in (None, 1, 3, n + 4):
            for residual in ("lowpass", "all", None):
                if low == 0 and residual is not None:
                    continue
                for squared in (False, True):
                    kw = dict(n_out=n_out, residual=residual, squared=squared)
                    ours, theirs = dsp.envelope(z, bp, **kw), ss.envelope(z, bp, **kw)
                    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
                    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.complex64, np.int16, np.float64])
@pytest.mark.parametrize("axis", [0, -1, 1])
def test_dtypes_and_axes(dtype, axis):
    z = RNG.standard_normal((6, 7, 40)) * 20
    if np.dtype(dtype).kind == "c":
        z = z + 1j * RNG.standard_normal(z.shape)
    z = z.astype(dtype)
    ours = dsp.envelope(z, (1, 3), n_out=11, residual="all", axis=axis)
    theirs = ss.envelope(z, (1, 3), n_out=11, residual="all", axis=axis)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    tol = 1e-4 if ours.dtype in (np.float32, np.complex64) else 1e-11
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol * np.max(np.abs(theirs)))


def test_closed_form_am_signal():
    t = np.arange(1000) / 1000
    a = 1 + 0.5 * np.cos(2 * np.pi * 3 * t)
    env, res = dsp.envelope(a * np.cos(2 * np.pi * 100 * t) + 0.7)
    np.testing.assert_allclose(env, a, atol=1e-10)
    np.testing.assert_allclose(res, 0.7, atol=1e-12)  # the mean: the band below bin 1
    sq = dsp.envelope(a * np.exp(2j * np.pi * 100 * t), (None, None), squared=True, residual=None)
    np.testing.assert_allclose(sq, a**2, atol=1e-10)


def test_scipy_empty_slices_follow_the_band():
    z = RNG.standard_normal(16) + 1j * RNG.standard_normal(16)
    Z = np.fft.fft(z)
    keep = np.zeros(16)
    keep[-8:] = 1  # bins -8..-1: the band (None, 0)
    env, res = dsp.envelope(z, (None, 0), residual="all")
    np.testing.assert_allclose(env, np.abs(np.fft.ifft(Z * keep)), atol=1e-12)
    np.testing.assert_allclose(res, np.fft.ifft(Z * (1 - keep)), atol=1e-12)
    keep = np.zeros(16)
    keep[:3] = 1  # bins 0..2: SciPy's residual is all zero here
    _, res = dsp.envelope(z, (0, 3), residual="all")
    np.testing.assert_allclose(res, np.fft.ifft(Z * (1 - keep)), atol=1e-12)


def test_tables():
    x = RNG.standard_normal((64, 3))
    df = pd.DataFrame(x, columns=list("abc"))
    env = dsp.envelope(df, residual=None)
    assert isinstance(env, pd.DataFrame) and list(env.columns) == list("abc")
    np.testing.assert_allclose(env.to_numpy(), ss.envelope(x, residual=None, axis=0))
    env, res = dsp.envelope(df)
    np.testing.assert_allclose(
        np.stack((env.to_numpy(), res.to_numpy())), ss.envelope(x, axis=0), atol=1e-12
    )
    s = dsp.envelope(pd.Series(x[:, 0]), n_out=16, residual=None)
    assert isinstance(s, pd.Series) and len(s) == 16


def test_huge_values():
    z = RNG.standard_normal((2, 50)) * np.array([[1e300], [1.0]])
    ours = dsp.envelope(z, residual="all", squared=False)
    ref = ss.envelope(z / np.array([[1e300], [1.0]]), residual="all") * np.array([[1e300], [1.0]])
    np.testing.assert_allclose(ours, ref, rtol=1e-10)


@pytest.mark.parametrize(
    ("kw", "name"),
    [
        (dict(z=np.ones(3), axis=2), "axis"),
        (dict(z=np.ones((3, 0)), axis=1), "z"),
        (dict(z=[1.0, np.nan, 2.0]), "z"),
        (dict(z=np.ones(4), bp_in=(0, 1, 2)), "bp_in"),
        (dict(z=np.ones(4), bp_in=(0, 2.5)), "bp_in[1]"),
        (dict(z=np.ones(4), bp_in=(-3, 1)), "bp_in"),
        (dict(z=np.ones(5), bp_in=(-3, 1)), "bp_in"),
        (dict(z=np.ones(4), bp_in=(1, 1)), "bp_in"),
        (dict(z=np.ones(4), bp_in=(0, 10)), "bp_in"),
        (dict(z=np.ones(4), n_out=0), "n_out"),
        (dict(z=np.ones(4), squared=1), "squared"),
        (dict(z=np.ones(4), residual="undefined"), "residual"),
    ],
)
def test_bad_input_names_the_argument(kw, name):
    with pytest.raises(InputError, match=re.escape(f"`{name}`")):
        dsp.envelope(**kw)
