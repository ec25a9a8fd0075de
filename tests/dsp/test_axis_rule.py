"""One axis rule for tabular data: a DataFrame, Arrow table or record batch is
time x channels for every ``pyjl.dsp`` function and streaming class.

For each public function that takes a signal, a DataFrame (or Arrow table) in
gives the NumPy result of the same call on ``df.to_numpy()`` with ``axis=0``
(and, independently, SciPy's), column by column, and the result has the
input's form: the index and columns where the row and column counts map.
"""

import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError

from .helpers import assert_matches

N = 512
SOS = ss.butter(4, 0.2, output="sos")
B, A = ss.butter(3, 0.2)
H = ss.firwin(31, 0.3)
INDEX = pd.date_range("2026-01-01", periods=N, freq="10ms", name="time")
COLUMNS = ["ax", "ay", "az"]


@pytest.fixture
def X(rng):
    """A time x channels signal, ``(N, 3)``."""
    return rng.standard_normal((N, 3))


@pytest.fixture
def Y(rng):
    """A second time x channels signal, ``(N, 3)``."""
    return rng.standard_normal((N, 3))


def _case(name, pyjl_call, scipy_call):
    """``pyjl_call(v, **axis)`` and ``scipy_call(v)`` (on time x channels arrays)."""
    return pytest.param(pyjl_call, scipy_call, id=name)


CASES = [
    _case(
        "sosfilt", lambda v, **k: dsp.sosfilt(SOS, v, **k), lambda v: ss.sosfilt(SOS, v, axis=0)
    ),
    _case(
        "lfilter", lambda v, **k: dsp.lfilter(B, A, v, **k), lambda v: ss.lfilter(B, A, v, axis=0)
    ),
    _case(
        "lfilter-fir-fft",
        lambda v, **k: dsp.lfilter(ss.firwin(301, 0.2), [1.0], v, **k),
        lambda v: ss.lfilter(ss.firwin(301, 0.2), [1.0], v, axis=0),
    ),
    _case(
        "filtfilt",
        lambda v, **k: dsp.filtfilt(B, A, v, **k),
        lambda v: ss.filtfilt(B, A, v, axis=0),
    ),
    _case(
        "filtfilt-gust",
        lambda v, **k: dsp.filtfilt(B, A, v, method="gust", **k),
        lambda v: ss.filtfilt(B, A, v, method="gust", axis=0),
    ),
    _case(
        "sosfiltfilt",
        lambda v, **k: dsp.sosfiltfilt(SOS, v, **k),
        lambda v: ss.sosfiltfilt(SOS, v, axis=0),
    ),
    _case(
        "fftconvolve",
        lambda v, **k: dsp.fftconvolve(v, H[:, None] if k else H, **({"axes": 0} if k else {})),
        lambda v: ss.fftconvolve(v, H[:, None], axes=0),
    ),
    _case(
        "oaconvolve",
        lambda v, **k: dsp.oaconvolve(v, H[:, None] if k else H, **({"axes": 0} if k else {})),
        lambda v: ss.oaconvolve(v, H[:, None], axes=0),
    ),
    _case(
        "upfirdn",
        lambda v, **k: dsp.upfirdn(H, v, 3, 2, **k),
        lambda v: ss.upfirdn(H, v, 3, 2, axis=0),
    ),
    _case(
        "resample_poly",
        lambda v, **k: dsp.resample_poly(v, 3, 2, **k),
        lambda v: ss.resample_poly(v, 3, 2, axis=0),
    ),
    _case("decimate", lambda v, **k: dsp.decimate(v, 4, **k), lambda v: ss.decimate(v, 4, axis=0)),
    _case(
        "periodogram", lambda v, **k: dsp.periodogram(v, **k), lambda v: ss.periodogram(v, axis=0)
    ),
    _case(
        "welch",
        lambda v, **k: dsp.welch(v, nperseg=64, **k),
        lambda v: ss.welch(v, nperseg=64, axis=0),
    ),
    _case(
        "spectrogram",
        lambda v, **k: dsp.spectrogram(v, nperseg=64, **k),
        lambda v: ss.spectrogram(v, nperseg=64, axis=0),
    ),
    _case(
        "stft",
        lambda v, **k: dsp.stft(v, nperseg=64, **k),
        lambda v: ss.stft(v, nperseg=64, axis=0),
    ),
    _case("hilbert", lambda v, **k: dsp.hilbert(v, **k), lambda v: ss.hilbert(v, axis=0)),
]
TWO_INPUT = [
    _case(
        "csd",
        lambda u, v, **k: dsp.csd(u, v, nperseg=64, **k),
        lambda u, v: ss.csd(u, v, nperseg=64, axis=0),
    ),
    _case(
        "coherence",
        lambda u, v, **k: dsp.coherence(u, v, nperseg=64, **k),
        lambda u, v: ss.coherence(u, v, nperseg=64, axis=0),
    ),
]


def _frame(values, columns=COLUMNS):
    return pd.DataFrame(values, index=INDEX, columns=columns)


def _arrow(values, batch=False):
    table = pa.Table.from_pandas(_frame(values), preserve_index=False)
    return table.to_batches()[0] if batch else table


def _table_values(out):
    if isinstance(out, pa.Table):
        return np.column_stack([c.to_numpy() for c in out.columns])
    return np.asarray(out)


def _parts(out):
    return out if isinstance(out, tuple) else (out,)


def _check_form(out, kind, columns=COLUMNS, index=None):
    """A 2-D time x channels result in the input's kind: the input's index where the
    rows map, else ``index`` (a spectrum's frequencies) or a fresh RangeIndex.
    Arrow cannot hold complex numbers, so complex results from Arrow are NumPy."""
    if kind == "pandas":
        assert isinstance(out, pd.DataFrame), type(out)
        assert list(out.columns) == list(columns)
        if len(out) == N:
            assert out.index.equals(INDEX)
        else:
            want = pd.RangeIndex(len(out)) if index is None else pd.Index(index)
            assert out.index.equals(want), out.index
    elif np.iscomplexobj(out):
        assert isinstance(out, np.ndarray), type(out)
    else:
        assert isinstance(out, pa.Table), type(out)
        assert out.column_names == list(columns)


def _compare(got, numpy_result, scipy_result, kind):
    """Every output equals the NumPy axis=0 call and SciPy; 2-D time x channels
    outputs (the signal-shaped ones) come back in the input's form."""
    freqs = _parts(numpy_result)[0] if isinstance(numpy_result, tuple) else None
    for g, want, ref in zip(_parts(got), _parts(numpy_result), _parts(scipy_result)):
        if np.ndim(want) == 2:
            _check_form(g, kind, index=freqs)
        g = _table_values(g)
        assert_matches(g, want, rtol=1e-12, floor=1e-15)
        assert_matches(g, np.asarray(ref).astype(want.dtype), rtol=1e-8, floor=1e-12)


@pytest.mark.parametrize("pyjl_call, scipy_call", CASES)
def test_dataframe_is_time_by_channels(pyjl_call, scipy_call, X):
    _compare(pyjl_call(_frame(X)), pyjl_call(X, axis=0), scipy_call(X), "pandas")


@pytest.mark.parametrize("batch", [False, True], ids=["table", "record_batch"])
@pytest.mark.parametrize("pyjl_call, scipy_call", CASES)
def test_arrow_is_time_by_channels(pyjl_call, scipy_call, batch, X):
    _compare(pyjl_call(_arrow(X, batch)), pyjl_call(X, axis=0), scipy_call(X), "arrow")


@pytest.mark.parametrize("pyjl_call, scipy_call", TWO_INPUT)
def test_two_signal_functions_read_tables_alike(pyjl_call, scipy_call, X, Y):
    want = pyjl_call(X, Y, axis=0)
    _compare(pyjl_call(_frame(X), _frame(Y)), want, scipy_call(X, Y), "pandas")
    _compare(pyjl_call(_arrow(X), _arrow(Y)), want, scipy_call(X, Y), "arrow")


@pytest.mark.parametrize("pyjl_call, scipy_call", CASES)
def test_one_column_frame_and_series_are_one_channel(pyjl_call, scipy_call, X):
    """A Series is one channel (a 1-D signal); a one-column DataFrame stays a frame."""
    col = X[:, 1]
    frame_out = pyjl_call(_frame(X[:, 1:2], ["ay"]))
    want_all = pyjl_call(X[:, 1:2], axis=0)
    freqs = want_all[0] if isinstance(want_all, tuple) else None
    for g, want in zip(_parts(frame_out), _parts(want_all)):
        if np.ndim(want) == 2:
            _check_form(g, "pandas", ["ay"], index=freqs)
        assert_matches(_table_values(g), want, rtol=1e-12, floor=1e-15)
    series_out = pyjl_call(pd.Series(col, index=INDEX, name="ay"))
    for g, want in zip(_parts(series_out), _parts(pyjl_call(col))):
        if np.ndim(want) == 1 and len(want) == N:
            assert isinstance(g, pd.Series) and g.name == "ay" and g.index.equals(INDEX)
        assert_matches(np.asarray(g), want, rtol=1e-12, floor=1e-15)


STREAMS = [
    pytest.param(lambda: dsp.SosFilter(SOS), lambda v: ss.sosfilt(SOS, v, axis=0), id="SosFilter"),
    pytest.param(
        lambda: dsp.FirFilter(H), lambda v: ss.lfilter(H, [1.0], v, axis=0), id="FirFilter"
    ),
    pytest.param(
        lambda: dsp.Resampler(3, 2), lambda v: ss.resample_poly(v, 3, 2, axis=0), id="Resampler"
    ),
]


@pytest.mark.parametrize("make, scipy_call", STREAMS)
@pytest.mark.parametrize("kind", ["pandas", "arrow"])
def test_streams_read_tables_as_time_by_channels(make, scipy_call, kind, X):
    """``process`` on a table equals the one-shot call down each column and keeps
    the form (a Resampler's pandas output gets a RangeIndex of output samples)."""
    stream = make()
    chunk = _frame(X) if kind == "pandas" else _arrow(X)
    out = stream.process(chunk)
    parts = [out]
    if isinstance(stream, dsp.Resampler):
        parts.append(stream.flush())
    first = 0
    for p in parts:  # a Resampler numbers its output rows from the stream's start
        _check_form(p, kind, index=None if len(p) == N else range(first, first + len(p)))
        first += len(p)
    got = np.concatenate([_table_values(p) for p in parts])
    want = make()
    numpy_parts = [want.process(X.T)] + ([want.flush()] if isinstance(want, dsp.Resampler) else [])
    assert_matches(got, np.concatenate(numpy_parts, axis=-1).T, rtol=1e-12, floor=1e-15)
    assert_matches(got, scipy_call(X), rtol=1e-9, floor=1e-12)


def test_istft_inverts_the_stft_of_a_table(X):
    """``istft`` takes a spectrum, not a table; it inverts ``stft(df)`` back to the
    columns (channels first, as SciPy's ``istft`` returns them)."""
    _, _, Z = dsp.stft(_frame(X), nperseg=64)
    _, _, Z_ref = ss.stft(X, nperseg=64, axis=0)
    assert_matches(Z, Z_ref)
    _, back = dsp.istft(Z, nperseg=64, time_axis=-1, freq_axis=0)
    assert_matches(back, ss.istft(Z_ref, nperseg=64, time_axis=-1, freq_axis=0)[1])
    np.testing.assert_allclose(back.T, X, atol=1e-12)


MIXED = [
    pytest.param(lambda v: _frame(v), lambda v: v, id="table-array"),
    pytest.param(lambda v: v, lambda v: _frame(v), id="array-table"),
    pytest.param(lambda v: _arrow(v), lambda v: v, id="arrow-array"),
    pytest.param(lambda v: v, lambda v: _arrow(v, batch=True), id="array-arrow_batch"),
]


@pytest.mark.parametrize("as_x, as_y", MIXED)
@pytest.mark.parametrize("fn", ["csd", "coherence"])
def test_a_table_in_either_argument_puts_time_down_the_rows(fn, as_x, as_y, X, Y):
    """With ``axis=None``, a table in either argument means time runs down the rows of
    both (SciPy's ``axis=0``), for csd and coherence alike; the result has x's form."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no nperseg warning: 512 samples, not 3
        f, got = getattr(dsp, fn)(as_x(X), as_y(Y), nperseg=64)
    f_ref, want = getattr(ss, fn)(X, Y, nperseg=64, axis=0)
    assert_matches(f, f_ref)
    if isinstance(got, pd.DataFrame):
        assert list(got.columns) == COLUMNS and got.index.equals(pd.Index(f_ref))
    assert_matches(_table_values(got), want, rtol=1e-9, floor=1e-14)


@pytest.mark.parametrize("fn", ["csd", "coherence"])
@pytest.mark.parametrize(
    "one",
    [
        pytest.param(lambda v: v, id="ndarray"),
        pytest.param(lambda v: pd.Series(v, index=INDEX, name="ref"), id="series"),
    ],
)
def test_one_channel_pairs_with_every_column_of_a_table(fn, one, X, Y):
    """A 1-D partner of a table is one channel down the rows, paired with every column
    (SciPy's result for it as an (n, 1) array, axis=0), in either argument; arrays read
    along an explicit axis=0 alike."""
    ref = Y[:, 0]
    call = getattr(dsp, fn)
    scipy_call = getattr(ss, fn)
    want = scipy_call(X, ref[:, None], nperseg=64, axis=0)[1]
    got = call(_frame(X), one(ref), nperseg=64)[1]
    assert isinstance(got, pd.DataFrame) and list(got.columns) == COLUMNS
    assert_matches(got.to_numpy(), want, rtol=1e-9, floor=1e-14)
    assert_matches(call(X, ref, nperseg=64, axis=0)[1], want, rtol=1e-9, floor=1e-14)
    want = scipy_call(ref[:, None], X, nperseg=64, axis=0)[1]
    assert_matches(_table_values(call(one(ref), _frame(X), nperseg=64)[1]), want, rtol=1e-9)
    assert_matches(call(ref, X, nperseg=64, axis=0)[1], want, rtol=1e-9, floor=1e-14)


@pytest.mark.filterwarnings("ignore:nperseg")  # SciPy's, on its way to refusing
@pytest.mark.parametrize("fn", ["csd", "coherence"])
def test_a_partner_not_laid_out_with_the_table_is_refused(fn, X, Y):
    """An array laid out channels first next to a table does not broadcast along the
    rows: refused naming `y`, the time axis and both shapes (SciPy refuses it too)."""
    with pytest.raises(
        InputError,
        match=r"^`y` must broadcast with `x` outside the time axis 0 \(x and y cannot be "
        r"broadcast together.*got shapes \(512, 3\) and \(3, 512\)\. Fix: lay out both",
    ):
        getattr(dsp, fn)(_frame(X), Y.T, nperseg=64)
    with pytest.raises(ValueError):
        getattr(ss, fn)(X, Y.T, nperseg=64, axis=0)


def test_a_resampled_signal_of_the_same_length_gets_new_labels():
    # 500 samples at 1000/1001 are 500 samples at other times: not the input's index
    # (up == down and q == 1 keep the rate, and so the index where the counts agree)
    import scipy.signal as ss

    x = np.sin(np.arange(500) / 20.0)
    s = pd.Series(x, index=pd.date_range("2024", periods=500, freq="s"), name="v")
    cases = [
        (lambda v: dsp.resample_poly(v, 1000, 1001), ss.resample_poly(x, 1000, 1001), False),
        (
            lambda v: dsp.upfirdn(np.ones(500) / 500, v, 2, 3),  # 500 samples at 2/3
            ss.upfirdn(np.ones(500) / 500, x, 2, 3),
            False,
        ),
        (lambda v: dsp.resample_poly(v, 3, 3), ss.resample_poly(x, 3, 3), True),
        (lambda v: dsp.upfirdn([2.0], v, 1, 1), ss.upfirdn([2.0], x, 1, 1), True),
        (lambda v: dsp.upfirdn([0.5, 0.5], v, 2, 2), ss.upfirdn([0.5, 0.5], x, 2, 2), True),
        (lambda v: dsp.decimate(v, 1), ss.decimate(x, 1), True),  # filtered, not moved
    ]
    for call, want, same in cases:
        got = call(s)
        assert len(got) == 500 and got.name == "v"
        assert got.index.equals(s.index if same else pd.RangeIndex(500))
        np.testing.assert_allclose(got.to_numpy(), want, rtol=1e-12, atol=1e-14)
    wide = pd.DataFrame(
        np.arange(12.0).reshape(4, 3), columns=["t0", "t1", "t2"], index=list("wxyz")
    )
    out = dsp.resample_poly(wide, 4, 5, axis=1)
    assert list(out.columns) == [0, 1, 2] and list(out.index) == list("wxyz")
