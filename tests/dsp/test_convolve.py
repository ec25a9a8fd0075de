"""fftconvolve and oaconvolve against scipy.signal."""

import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import given
from hypothesis import strategies as st

import pyjl.dsp as dsp
from pyjl.exceptions import InputError

from .helpers import assert_matches


@st.composite
def pairs(draw):
    ndim = draw(st.integers(1, 3))
    axes = sorted(set(draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim))))
    s1, s2 = [], []
    for k in range(ndim):
        if k in axes:
            s1.append(draw(st.integers(1, 60)))
            s2.append(draw(st.integers(1, 30)))
        else:
            n = draw(st.integers(1, 3))
            s1.append(n)
            s2.append(draw(st.sampled_from([1, n])))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.standard_normal(s1), rng.standard_normal(s2), axes


@given(pairs(), st.sampled_from(["full", "same", "valid"]), st.booleans())
def test_convolutions_match_scipy(p, mode, overlap_add):
    a, b, axes = p
    fn = "oaconvolve" if overlap_add else "fftconvolve"
    try:
        want = getattr(ss, fn)(a, b, mode=mode, axes=axes)
    except ValueError:
        with pytest.raises(InputError):
            getattr(dsp, fn)(a, b, mode=mode, axes=axes)
        return
    assert_matches(getattr(dsp, fn)(a, b, mode=mode, axes=axes), want, rtol=1e-9)


def test_long_overlap_add_on_the_kernel(rng):
    x = rng.standard_normal((3, 50_000))
    h = rng.standard_normal((1, 257))
    assert_matches(dsp.oaconvolve(x, h, axes=1), ss.oaconvolve(x, h, axes=1), rtol=1e-9)
    assert_matches(dsp.oaconvolve(x, h, mode="same", axes=1),
                   ss.oaconvolve(x, h, mode="same", axes=1), rtol=1e-9)


def test_bad_convolution_arguments(rng):
    with pytest.raises(InputError, match="same number of dimensions"):
        dsp.fftconvolve(np.ones((3, 3)), np.ones(3))
    with pytest.raises(InputError, match="`mode`"):
        dsp.fftconvolve(np.ones(3), np.ones(3), mode="circular")
