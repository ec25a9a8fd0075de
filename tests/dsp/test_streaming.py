"""Streaming filters: any chunking concatenates to the one-shot result."""

import warnings

import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import given
from hypothesis import strategies as st

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, NumericalWarning

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


@pytest.mark.parametrize("n_ch", [None, 1, 33])
def test_sos_stream_odd_chunks_and_single_samples(rng, n_ch):
    """Chunks of odd lengths and of one sample, on one channel and on 33 (four lane
    blocks, uneven): every chunk runs SciPy's arithmetic (channels in lanes, or one
    channel too short to split in time), so the stream is SciPy's result bit for bit."""
    sos = ss.butter(8, 0.1, output="sos")
    x = rng.standard_normal(4001 if n_ch is None else (n_ch, 4001))
    f = dsp.SosFilter(sos)
    out = np.concatenate(_run(f, x, [1, 2, 3, 260, 261, 1000, 1001, 2999, 4000]), axis=-1)
    y_ref, zf_ref = ss.sosfilt(
        sos, np.atleast_2d(x), zi=np.zeros((4, np.atleast_2d(x).shape[0], 2))
    )
    np.testing.assert_array_equal(out, ss.sosfilt(sos, x, axis=-1))
    np.testing.assert_array_equal(out, dsp.sosfilt(sos, x, axis=-1))
    np.testing.assert_array_equal(f.zi_, zf_ref.transpose(1, 0, 2))


@pytest.mark.parametrize("lengths", [(65_536, 65_536, 1, 3), (1, 65_537, 40_001, 32_768, 7)])
def test_sos_stream_long_single_channel_chunks(rng, lengths):
    """Chunks of one channel long enough to be split in time (segments in lanes, each
    corrected by its predecessor's zero-input response), at odd boundaries: SciPy's
    result and final state to rounding."""
    sos = ss.butter(8, 0.1, output="sos")
    x = rng.standard_normal(sum(lengths))
    zi = ss.sosfilt_zi(sos) * x[0]
    f = dsp.SosFilter(sos, zi=zi)
    out = np.concatenate(_run(f, x, np.cumsum(lengths)[:-1]))
    y_ref, zf_ref = ss.sosfilt(sos, x, zi=zi)
    assert_matches(out, y_ref, rtol=1e-13)
    assert_matches(f.zi_[0], zf_ref, rtol=1e-13)
    assert_matches(out, dsp.sosfilt(sos, x, zi=zi)[0], rtol=1e-13)


@pytest.mark.usefixtures("engine")
@given(st.integers(1, 400), chunked())
def test_fir_stream_equals_one_shot(n_taps, xc):
    x, cuts = xc
    taps = ss.firwin(n_taps, 0.3) if n_taps > 1 else np.array([0.5])
    out = np.concatenate(_run(dsp.FirFilter(taps), x, cuts), axis=-1)
    assert_matches(out, ss.lfilter(taps, [1.0], x, axis=-1), rtol=1e-9)


@pytest.mark.usefixtures("engine")
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
    assert_matches(streamed, want[..., : streamed.shape[-1]])


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
    out = np.concatenate([f.process(x[:, i : i + 700]) for i in range(0, 3000, 700)], axis=1)
    for ch in range(4):
        assert_matches(out[ch], ss.sosfilt(sos, x[ch]))


def _frame(rng, n=400, cols=("ax", "ay", "az")):
    import pandas as pd

    idx = pd.date_range("2026-01-01", periods=n, freq="10ms", name="time")
    return pd.DataFrame(rng.standard_normal((n, len(cols))), index=idx, columns=list(cols))


@pytest.mark.parametrize(
    "make",
    [
        lambda: dsp.SosFilter(ss.butter(4, 0.2, output="sos")),
        lambda: dsp.FirFilter(ss.firwin(31, 0.3)),
    ],
)
def test_filters_read_tables_as_time_by_channels(rng, make):
    """A DataFrame chunk is time x channels: each column is filtered down the rows
    and the chunk's index and columns come back (Series and Arrow alike)."""
    import pandas as pd
    import pyarrow as pa

    df = _frame(rng)
    want = (
        ss.lfilter(ss.firwin(31, 0.3), [1.0], df.to_numpy(), axis=0)
        if isinstance(make(), dsp.FirFilter)
        else ss.sosfilt(ss.butter(4, 0.2, output="sos"), df.to_numpy(), axis=0)
    )
    f = make()
    parts = [f.process(df.iloc[:150]), f.process(df.iloc[150:151]), f.process(df.iloc[151:])]
    for part, src in zip(parts, (df.iloc[:150], df.iloc[150:151], df.iloc[151:])):
        assert isinstance(part, pd.DataFrame)
        assert part.index.equals(src.index) and list(part.columns) == list(df.columns)
    assert_matches(pd.concat(parts).to_numpy(), want, rtol=1e-9)
    f = make()
    s = f.process(df["ay"])
    assert isinstance(s, pd.Series) and s.name == "ay" and s.index.equals(df.index)
    assert_matches(s.to_numpy(), want[:, 1], rtol=1e-9)
    f = make()
    tab = f.process(pa.Table.from_pandas(df, preserve_index=False))
    assert isinstance(tab, pa.Table) and tab.column_names == list(df.columns)
    assert_matches(np.column_stack([c.to_numpy() for c in tab.columns]), want, rtol=1e-9)


def test_resampler_reads_tables_as_time_by_channels(rng):
    import pandas as pd

    df = _frame(rng, n=301)
    r = dsp.Resampler(3, 2)
    parts = [r.process(df.iloc[:100]), r.process(df.iloc[100:]), r.flush()]
    out = pd.concat(parts)
    assert list(out.columns) == list(df.columns)
    assert out.index.equals(pd.RangeIndex(0, 452))  # output sample numbers
    assert_matches(out.to_numpy(), ss.resample_poly(df.to_numpy(), 3, 2, axis=0))


def test_bad_chunks_are_input_errors(rng):
    df = _frame(rng, n=20)
    f = dsp.SosFilter(ss.butter(2, 0.2, output="sos"))
    f.process(df)
    with pytest.raises(InputError, match=r"`chunk` must keep 3 channel\(s\).*got 2"):
        f.process(df[["ax", "ay"]])
    with pytest.raises(InputError, match=r"`chunk` must keep 3 channel\(s\).*got 1"):
        f.process(rng.standard_normal(5))
    bad = df.copy()
    bad.iloc[4, 2] = np.nan
    with pytest.raises(InputError, match=r"`chunk` must be finite.*nan"):
        f.process(bad)
    with pytest.raises(InputError, match=r"`chunk` must be real"):
        f.process(np.ones((3, 4), dtype=complex))
    with pytest.raises(InputError, match=r"`chunk` must be \(n,\) or \(n_channels, n\)"):
        dsp.FirFilter([1.0]).process(np.ones((2, 2, 2)))


def test_stream_arguments_are_checked(rng):
    with pytest.raises(InputError, match=r"`zi` must be finite.*nan at row 1, column 0"):
        dsp.SosFilter(ss.butter(4, 0.2, output="sos"), zi=[[0.0, 0.0], [np.nan, 0.0]])
    with pytest.raises(InputError, match=r"`taps` must be real for a streaming filter"):
        dsp.FirFilter([1.0, 0.5j])
    with pytest.raises(InputError, match=r"`sos` must be real for a streaming filter"):
        dsp.SosFilter([[1, 0.5j, 0, 1, 0.1, 0]])


def test_stream_dtypes_follow_the_one_shot_call(rng):
    """float32 stays float32 where the one-shot call (and SciPy) keeps it."""
    x = rng.standard_normal((2, 64)).astype(np.float32)
    sos = ss.butter(2, 0.2, output="sos")
    assert dsp.SosFilter(sos).process(x).dtype == ss.sosfilt(sos, x).dtype
    sos32 = sos.astype(np.float32)
    assert dsp.SosFilter(sos32).process(x).dtype == ss.sosfilt(sos32, x).dtype == np.float32
    r = dsp.Resampler(2, 1)
    assert r.process(x).dtype == ss.resample_poly(x, 2, 1, axis=-1).dtype == np.float32
    assert dsp.FirFilter([0.5, 0.5]).process(x[0].astype(np.int64)).dtype == np.float64


# --- huge rate factors, taps near the float64 limits ---------------------------------
@pytest.mark.parametrize("up, down, name", [(2**70, 3, "up"), (2, 2**70 + 1, "down")])
def test_resampler_huge_factors_are_refused(up, down, name):
    with pytest.raises(
        InputError,
        match=rf"^`{name}` must give an anti-aliasing filter "
        r"\(20 \* max\(up, down\) \+ 1 taps\) that fits in "
        r"memory .*; got \d+\. Fix: ",
    ):
        dsp.Resampler(up, down)


def test_fir_filter_with_scaled_taps_matches_scipy(rng):
    """Taps times 2**900, in chunks: SciPy's unit-scale ``lfilter`` times 2**900, and the
    state ``zi_`` in the taps' own units (SciPy's ``zf`` times 2**900)."""
    x, taps = rng.standard_normal((2, 300)), ss.firwin(21, 0.3)
    f = dsp.FirFilter(taps * 2.0**900)
    y = np.concatenate([f.process(c) for c in np.array_split(x, 4, axis=1)], axis=1)
    y_ref, zf_ref = ss.lfilter(taps, 1.0, x, zi=np.zeros((2, 20)))
    np.testing.assert_allclose(y / 2.0**900, y_ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(f.zi_ / 2.0**900, zf_ref, rtol=1e-12, atol=1e-14)


def test_fir_filter_1e308_taps(rng):
    """1e308 taps over samples near 1: finite where the true output is; beyond float64,
    a NumericalWarning, never a silent inf."""
    x = 0.8 + 0.01 * rng.standard_normal(100)
    taps = np.array([1e308, 1e308, -1e308])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f = dsp.FirFilter(taps)
        y = np.concatenate([f.process(x[:37]), f.process(x[37:])])
    np.testing.assert_allclose(y / 1e308, ss.lfilter(taps / 1e308, 1.0, x), rtol=1e-12, atol=1e-14)
    with pytest.warns(NumericalWarning, match="FirFilter's output is not finite for 2 of 3"):
        y = dsp.FirFilter([1e308, 1e308]).process(np.ones(3))
    np.testing.assert_array_equal(y, [1e308, np.inf, np.inf])


def test_fir_filter_data_near_the_float64_limit(rng):
    """Chunks near 1e308: an output beyond float64 is inf with a NumericalWarning (where
    SciPy's unit-scale result times 2**1023 is), the rest and the state stay exact."""
    x = 1.7 + 0.05 * rng.standard_normal((2, 120))
    taps, s = np.array([0.9, 0.9, -0.9]), 2.0**1023
    f = dsp.FirFilter(taps)
    with pytest.warns(NumericalWarning, match="FirFilter's output is not finite"):
        y = np.concatenate([f.process(c) for c in np.array_split(x * s, 3, axis=1)], axis=1)
    y_ref, zf_ref = ss.lfilter(taps, 1.0, x, zi=np.zeros((2, 2)))
    with np.errstate(over="ignore"):
        want = y_ref * s
    np.testing.assert_array_equal(np.isinf(y), np.isinf(want))
    np.testing.assert_allclose(y[np.isfinite(y)] / s, y_ref[np.isfinite(want)], rtol=1e-13)
    np.testing.assert_allclose(f.zi_ / s, zf_ref, rtol=1e-13)


@pytest.mark.parametrize("dtype", ["int16", "int32", "float16", "float32", "float64"])
def test_streams_return_the_one_shot_dtype(rng, dtype):
    # Resampler as resample_poly (taps given or designed, nothing to resample), FirFilter
    # as lfilter(taps, 1, x), whose integer 1 makes float32 taps double in SciPy
    x = (rng.standard_normal(300) * 10).astype(dtype)
    taps = ss.firwin(21, 0.2)
    for up, down, window in ((3, 2, ("kaiser", 5.0)), (2, 2, ("kaiser", 5.0)), (3, 2, taps)):
        r = dsp.Resampler(up, down, window=window)
        y = np.concatenate([r.process(x[:120]), r.process(x[120:]), r.flush()])
        assert y.dtype == ss.resample_poly(x, up, down, window=window).dtype
    f = dsp.FirFilter(taps.astype(np.float32))
    y = np.concatenate([f.process(x[:100]), f.process(x[100:])])
    assert y.dtype == ss.lfilter(taps.astype(np.float32), 1, x).dtype


# --- the stream equals resample_poly / sosfilt / lfilter in every respect ------------------
def test_resampler_complex_taps_give_resample_poly_complex_output(rng):
    """Complex taps as ``window``: a complex stream, SciPy's ``resample_poly``; the closed
    form for ``[1, 1j]`` at 3/2 on ones is ``3, 0, 3j`` repeated."""
    r = dsp.Resampler(3, 2, window=np.array([1, 1j]))
    got = np.r_[r.process(np.ones(5)), r.flush()]
    assert_matches(got, np.array([3, 0, 3j, 3, 0, 3j, 3, 0]))
    x, taps = rng.standard_normal((2, 300)), ss.firwin(31, 0.3) * (1 + 0.5j)
    r = dsp.Resampler(2, 3, window=taps)
    got = np.concatenate(_run(r, x, [7, 150]) + [r.flush()], axis=1)
    assert_matches(got, ss.resample_poly(x, 2, 3, axis=-1, window=taps))


def test_resampler_integers_unchanged_when_rates_reduce_to_one():
    import pandas as pd

    x = np.array([2**53 + 1, 2**62 + 1, -(2**63), 3], dtype=np.int64)
    want = ss.resample_poly(x, 2, 2)
    r = dsp.Resampler(2, 2)
    got = np.concatenate([r.process(x[:1]), r.process(x[1:]), r.flush()])
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    u = np.array([2**64 - 1], dtype=np.uint64)
    np.testing.assert_array_equal(dsp.Resampler(1, 1).process(u), ss.resample_poly(u, 1, 1))
    out = dsp.Resampler(5, 5).process(pd.Series(x, name="s"))
    assert out.dtype == np.int64 and out.name == "s"
    np.testing.assert_array_equal(out.to_numpy(), want)
    y = np.arange(4.0)
    dsp.Resampler(1, 1).process(y)[0] = 7.0  # a copy, as resample_poly's
    assert y[0] == 0.0


def test_resampler_huge_kaiser_beta_is_refused_as_by_firwin():
    # SciPy designs NaN taps (i0(1e4) overflows); firwin refuses the window in these words
    with pytest.raises(InputError, match=r"^`window` must give a window with finite values"):
        dsp.Resampler(3, 2, window=("kaiser", 1e4))


@pytest.mark.parametrize("window", [("kaiser", 5.0), "float32 taps"])
def test_resampler_taps_have_resample_polys_precision(rng, window):
    """float16 data: SciPy rounds the designed taps to float16 (0.05% off float64 taps);
    float32 taps on float64 data are scaled in float32.  The stream learns the data's
    dtype from its first chunk and agrees with SciPy."""
    if window == "float32 taps":
        x, window = rng.standard_normal(600), ss.firwin(41, 0.3).astype(np.float32)
        rtol = 1e-10
    else:
        x, rtol = rng.standard_normal(600).astype(np.float16), 1e-5
    want = ss.resample_poly(x, 3, 2, window=window)
    for _ in range(2):  # and again after flush() resets
        r = dsp.Resampler(3, 2, window=window)
        got = np.concatenate(_run(r, x, [1, 250]) + [r.flush()])
        assert_matches(got, want, rtol=rtol)


def test_fir_filter_keeps_its_own_taps(rng):
    taps, x = ss.firwin(11, 0.3), rng.standard_normal(50)
    f = dsp.FirFilter(taps)
    want = ss.lfilter(taps, 1.0, x)
    taps[0] = 100.0
    assert_matches(f.process(x), want)


@pytest.mark.parametrize("zi_dtype", [np.float64, np.int64, np.float32])
def test_sos_filter_output_dtype_follows_zi(rng, zi_dtype):
    """float32 sections and chunks with a float64 (or integer) ``zi``: float64, as
    ``scipy.signal.sosfilt``; a float32 ``zi`` keeps float32."""
    sos = ss.butter(4, 0.2, output="sos").astype(np.float32)
    x = rng.standard_normal((3, 60)).astype(np.float32)
    zi = (rng.standard_normal((3, 2, 2)) * 3).astype(zi_dtype)
    y_ref, _ = ss.sosfilt(sos, x, zi=zi.transpose(1, 0, 2))
    f = dsp.SosFilter(sos, zi=zi)
    got = np.concatenate(_run(f, x, [20]), axis=1)
    assert got.dtype == y_ref.dtype
    assert_matches(got, y_ref, rtol=1e-10 if zi_dtype != np.float32 else 1e-5)


def test_sos_filter_zi_shape_is_checked(rng):
    """``zi`` is ``(n_sections, 2)`` or ``(n_channels, n_sections, 2)``: another leading
    count is refused at the first chunk (the stream stays unstarted), more axes at once."""
    sos = ss.butter(6, 0.2, output="sos")  # 3 sections
    x = rng.standard_normal((3, 40))
    zi = rng.standard_normal((2, 3, 2))  # SciPy's layout for 3 sections, 2 channels
    f = dsp.SosFilter(sos, zi=zi)
    with pytest.raises(
        InputError,
        match=r"^`zi` must have shape \(3, 2\) \(every channel alike\) or \(3, 3, 2\) for "
        r"the first chunk's 3 channel\(s\); got shape \(2, 3, 2\)\. Fix: .*transpose",
    ):
        f.process(x)
    got = f.process(x[:2])  # two channels: zi is one state per channel
    assert_matches(got, ss.sosfilt(sos, x[:2], zi=zi.transpose(1, 0, 2))[0])
    with pytest.raises(InputError, match=r"^`zi` must have shape \(3, 2\) .*\(1, 1, 3, 2\)"):
        dsp.SosFilter(sos, zi=np.zeros((1, 1, 3, 2)))


def test_resampler_output_beyond_float64_warns():
    """As ``resample_poly``: the overshoot of a constant 1.7e308 exceeds float64."""
    want = ss.resample_poly(np.ones(20), 3, 2) * 1.7
    r = dsp.Resampler(3, 2)
    with pytest.warns(NumericalWarning, match="Resampler's output is not finite"):
        got = np.concatenate([r.process(np.full(20, 1.7e308)), r.flush()])
    np.testing.assert_array_equal(np.isinf(got), want > 1.7976931348623157)
    np.testing.assert_allclose(got[want < 1.79] / 1e308, want[want < 1.79], rtol=1e-13)


STREAMS = [
    pytest.param(
        lambda: dsp.SosFilter(ss.butter(4, 0.05, output="sos")),
        lambda v: ss.sosfilt(ss.butter(4, 0.05, output="sos"), v, axis=0),
        id="SosFilter",
    ),
    pytest.param(
        lambda: dsp.FirFilter(ss.firwin(31, 0.3)),
        lambda v: ss.lfilter(ss.firwin(31, 0.3), [1.0], v, axis=0),
        id="FirFilter",
    ),
    pytest.param(
        lambda: dsp.Resampler(3, 2),
        lambda v: ss.resample_poly(v, 3, 2, axis=0),
        id="Resampler",
    ),
]


def _finish(stream, parts):
    """The stream's outputs (time x channels) joined, a Resampler's flush added."""
    if isinstance(stream, dsp.Resampler):
        parts = parts + [stream.flush()]
    return np.concatenate([np.asarray(p) for p in parts])


@pytest.mark.parametrize("make, scipy_call", STREAMS)
def test_reordered_table_chunk_is_refused(rng, make, scipy_call):
    """A table's columns meet the filter state by position: a later chunk with the same
    columns in another order (or other names) is refused, the state kept, and the stream
    goes on to SciPy's one-shot result; an Arrow table alike."""
    import pyarrow as pa

    # offsets far apart, so a column paired with another's state is far off
    df = _frame(rng, cols=("x", "y", "z")) + [0.0, 100.0, -50.0]
    s = make()
    parts = [s.process(df.iloc[:200])]
    with pytest.raises(
        InputError,
        match=r"^`chunk` must have the columns of the stream's first chunk with column "
        r"names, in that order: \['x', 'y', 'z'\]; got columns \['z', 'y', 'x'\]\. "
        r"Fix: select them in that order",
    ):
        s.process(df.iloc[200:][["z", "y", "x"]])
    with pytest.raises(InputError, match=r"got columns \['x', 'y', 'w'\]"):
        s.process(df.iloc[200:].rename(columns={"z": "w"}))
    with pytest.raises(InputError, match=r"got columns \['y', 'x', 'z'\]"):
        s.process(pa.Table.from_pandas(df.iloc[200:][["y", "x", "z"]], preserve_index=False))
    parts.append(s.process(df.iloc[200:]))
    assert list(parts[-1].columns) == ["x", "y", "z"]
    assert_matches(_finish(s, parts), scipy_call(df.to_numpy()), rtol=1e-9)
    # a DataFrame's default labels 0, 1, 2 are labels too
    plain, s = df.set_axis(range(3), axis=1), make()
    s.process(plain.iloc[:200])
    with pytest.raises(InputError, match=r"got columns \[2, 1, 0\]"):
        s.process(plain.iloc[200:][[2, 1, 0]])


@pytest.mark.parametrize("make, scipy_call", STREAMS)
def test_arrays_and_tables_mix_by_position(rng, make, scipy_call):
    """A plain array has no names: after a table it is taken by position (channels
    first, as every array chunk); before one, the first table's names are kept from then
    on; reset() forgets them."""
    df = _frame(rng, cols=("x", "y", "z"))
    X = df.to_numpy()
    s = make()  # table, then array: by position
    parts = [s.process(df.iloc[:150]), s.process(X[150:300].T).T, s.process(df.iloc[300:])]
    assert_matches(_finish(s, parts), scipy_call(X), rtol=1e-9)
    s = make()  # array, then table: its names are kept from then on
    parts = [s.process(X[:150].T).T, s.process(df.iloc[150:300])]
    with pytest.raises(InputError, match=r"must have the columns .* \['x', 'y', 'z'\]"):
        s.process(df.iloc[300:][["y", "z", "x"]])
    parts.append(s.process(df.iloc[300:]))
    assert_matches(_finish(s, parts), scipy_call(X), rtol=1e-9)
    s.reset()  # a new stream: any names
    other = df[["z", "x", "y"]]
    assert_matches(_finish(s, [s.process(other)]), scipy_call(other.to_numpy()), rtol=1e-9)


def test_refused_first_table_chunk_leaves_the_stream_unstarted(rng):
    """A first chunk refused (for its zi) keeps neither its channel count nor its names:
    the first chunk accepted sets them."""
    sos = ss.butter(2, 0.2, output="sos")
    df = _frame(rng, n=50, cols=("x", "y", "z"))
    f = dsp.SosFilter(sos, zi=np.zeros((2, 1, 2)))
    with pytest.raises(InputError, match=r"`zi` must have shape \(1, 2\) .*\(2, 1, 2\)"):
        f.process(df)
    first = df[["z", "y"]]
    assert_matches(f.process(first).to_numpy(), ss.sosfilt(sos, first.to_numpy(), axis=0))
    with pytest.raises(InputError, match=r"in that order: \['z', 'y'\]; got columns \['y', 'z'\]"):
        f.process(df[["y", "z"]])
