"""Streaming filters: any chunking concatenates to the one-shot result."""

import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import given
from hypothesis import strategies as st

import pyjl.dsp as dsp
from pyjl.exceptions import InputError

from .helpers import assert_matches, sos_filters


@st.composite
def chunked(draw, max_len=2000):
    """``(x, cuts)``: a 1-channel or multi-channel signal and sorted chunk boundaries."""
    n = draw(st.integers(1, max_len))
    channels = draw(st.sampled_from([None, 1, 3]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n if channels is None else (channels, n))
    cuts = sorted(draw(st.lists(st.integers(0, n), max_size=8)))
    return x, cuts


def _run(stream, x, cuts):
    parts = np.split(x, cuts, axis=-1)
    return [stream.process(p) for p in parts]


@given(sos_filters(), chunked())
def test_sos_stream_equals_one_shot(sos, xc):
    x, cuts = xc
    out = np.concatenate(_run(dsp.SosFilter(sos), x, cuts), axis=-1)
    assert_matches(out, ss.sosfilt(sos, x, axis=-1))
    np.testing.assert_array_equal(out, dsp.sosfilt(sos, x, axis=-1))


@given(st.integers(1, 400), chunked())
def test_fir_stream_equals_one_shot(n_taps, xc):
    x, cuts = xc
    taps = ss.firwin(n_taps, 0.3) if n_taps > 1 else np.array([0.5])
    out = np.concatenate(_run(dsp.FirFilter(taps), x, cuts), axis=-1)
    assert_matches(out, ss.lfilter(taps, [1.0], x, axis=-1), rtol=1e-9)


@given(st.integers(1, 9), st.integers(1, 9), chunked(max_len=800))
def test_resampler_stream_equals_resample_poly(up, down, xc):
    x, cuts = xc
    r = dsp.Resampler(up, down)
    outs = _run(r, x, cuts)
    streamed = np.concatenate(outs, axis=-1)
    whole = np.concatenate(outs + [r.flush()], axis=-1)
    want = ss.resample_poly(x, up, down, axis=-1)
    assert_matches(whole, want)
    # what process() emitted is a prefix of the one-shot result
    assert_matches(streamed, want[..., :streamed.shape[-1]])


def test_reset_starts_over(rng):
    sos = ss.butter(4, 0.2, output="sos")
    x = rng.standard_normal((2, 500))
    f = dsp.SosFilter(sos)
    f.process(x)
    f.reset()
    assert_matches(f.process(x[0]), ss.sosfilt(sos, x[0]))


def test_channel_count_is_fixed_until_reset(rng):
    f = dsp.FirFilter([0.5, 0.5])
    f.process(rng.standard_normal((2, 10)))
    with pytest.raises(InputError, match="must keep 2 channel"):
        f.process(rng.standard_normal((3, 10)))
    with pytest.raises(InputError, match="`chunk` must be finite"):
        f.process(np.array([[1.0, np.inf], [0.0, 0.0]]))


def test_multichannel_chunks_equal_per_channel(rng):
    sos = ss.cheby2(6, 50, 0.2, output="sos")
    x = rng.standard_normal((4, 3000))
    f = dsp.SosFilter(sos)
    out = np.concatenate([f.process(x[:, i:i + 700]) for i in range(0, 3000, 700)], axis=1)
    for ch in range(4):
        assert_matches(out[ch], ss.sosfilt(sos, x[ch]))
