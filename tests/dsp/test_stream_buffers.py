"""A stream fed from one reused buffer (an audio or sensor callback's) gives the one-shot
result: it keeps none of the caller's memory (a Resampler kept a view of the first chunk,
so refilling the buffer changed its history: errors of 2.5 on unit-variance data)."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp

SOS = ss.butter(4, 0.1, output="sos")
TAPS = np.ones(7) / 7


@pytest.mark.parametrize(
    "make, one_shot",
    [
        (lambda: dsp.SosFilter(SOS), lambda x: ss.sosfilt(SOS, x, axis=-1)),
        (lambda: dsp.FirFilter(TAPS), lambda x: ss.lfilter(TAPS, 1.0, x, axis=-1)),
        (lambda: dsp.Resampler(3, 2), lambda x: ss.resample_poly(x, 3, 2, axis=-1)),
    ],
    ids=["SosFilter", "FirFilter", "Resampler"],
)
@pytest.mark.parametrize("shape", [(600,), (1, 600), (2, 40)], ids=["1-D", "1xN", "2xN"])
def test_a_reused_buffer_gives_the_one_shot_result(make, one_shot, shape):
    x = np.random.default_rng(0).standard_normal(shape)
    n, k = shape[-1], 4
    stream, buf, out = make(), np.empty(shape[:-1] + (n // k,)), []
    for i in range(k):
        buf[...] = x[..., i * n // k : (i + 1) * n // k]
        out.append(np.array(stream.process(buf)))
    if isinstance(stream, dsp.Resampler):
        out.append(stream.flush())
    np.testing.assert_allclose(np.concatenate(out, axis=-1), one_shot(x), rtol=1e-12, atol=1e-12)


def test_a_resampler_keeps_its_history_not_the_last_chunk():
    stream = dsp.Resampler(3, 2)
    stream.process(pd.DataFrame({"a": np.arange(200_000.0)}))
    assert len(pickle.dumps(stream)) < 20_000  # the filter's history, not 1.6 MB of chunk
    assert isinstance(stream.flush(), pd.DataFrame)  # the chunk's form is kept
