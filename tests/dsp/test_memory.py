"""How the IIR filters handle memory: large outputs written by streaming stores,
output blocks reused through the native module's pool, and the input's finiteness
read from the filter's final state instead of a pass over the data."""

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError

from .helpers import assert_matches

native = pytest.importorskip("pyjl._native.dsp", reason="the native DSP kernels are not built")

STREAM_MIN = 1 << 21  # _STREAM_MIN of bindings/dsp.pyx: outputs that bypass the caches
SOS = ss.butter(8, 0.1, output="sos")


def _switched(setter, fn, *args):
    setter(False)
    try:
        return fn(*args)
    finally:
        setter(True)


@pytest.mark.parametrize("n_ch", [8, 9, 16])
def test_streamed_output_equals_cached_scalar_and_scipy(rng, n_ch):
    # large enough to stream; 9 channels leave a block of fewer than eight lanes
    n = STREAM_MIN // 8 + 40
    x = rng.standard_normal((n_ch, n))
    zi = rng.standard_normal((n_ch, SOS.shape[0], 2))
    got = native.sosfilt(SOS, x, zi, 2)
    for ref in (
        _switched(native._set_stream, native.sosfilt, SOS, x, zi, 2),
        _switched(native._set_lanes, native.sosfilt, SOS, x, zi, 2),
    ):
        np.testing.assert_array_equal(got[0], ref[0])
        np.testing.assert_array_equal(got[1], ref[1])
    y_ref, zf_ref = ss.sosfilt(SOS, x, zi=zi.transpose(1, 0, 2))
    assert_matches(got[0], y_ref)
    assert_matches(got[1], zf_ref.transpose(1, 0, 2))


def test_streamed_lfilter_and_long_channel_match_scipy(rng):
    b, a = ss.butter(8, 0.1)
    x = rng.standard_normal((8, STREAM_MIN // 8))
    y, zf = native.lfilter(b / a[0], a / a[0], x, None, 2)
    ref = _switched(native._set_lanes, native.lfilter, b / a[0], a / a[0], x, None, 2)
    np.testing.assert_array_equal(y, ref[0])
    np.testing.assert_array_equal(zf, ref[1])
    assert_matches(y, ss.lfilter(b, a, x))
    one = rng.standard_normal(4 * STREAM_MIN)  # split in time, segments in lanes
    assert_matches(dsp.sosfilt(SOS, one), ss.sosfilt(SOS, one), rtol=1e-10)


def test_pool_reuses_freed_outputs_without_touching_live_ones(rng):
    native._pool_release()
    x = rng.standard_normal((4, 1 << 18))  # 8 MB outputs: kept by the pool
    want = ss.sosfilt(SOS, x)
    kept = dsp.sosfilt(SOS, x)
    dropped = dsp.sosfilt(SOS, 2.0 * x)
    address = dropped.ctypes.data
    del dropped
    assert native._pool_bytes() == x.nbytes
    again = dsp.sosfilt(SOS, x)
    assert again.ctypes.data == address and again.ctypes.data != kept.ctypes.data
    assert native._pool_bytes() == 0
    assert_matches(again, want)
    assert_matches(kept, want)
    assert again.flags.writeable
    del again, kept
    y, _ = native.sosfilt(SOS, x, None, 1)  # the kernel's array owns its block
    assert y.flags.owndata and y.ctypes.data % 64 == 0
    del y
    assert native._pool_release() == 2 * x.nbytes
    assert native._pool_bytes() == 0


def test_pool_keeps_a_bounded_amount(rng):
    native._pool_release()
    sizes = range(1 << 20, 1 << 21, 1 << 17)  # eight sizes of 8 to 15 MB, four slots
    outs = [dsp.sosfilt(SOS, rng.standard_normal((1, n))) for n in sizes]
    del outs
    assert 0 < native._pool_bytes() <= 4 * 8 * max(sizes)
    small = dsp.sosfilt(SOS, rng.standard_normal((2, 100)))
    del small
    assert native._pool_release() <= 512 << 20


@pytest.mark.parametrize("at", [0, 3, 499, 999])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input_still_refused_naming_its_index(bad, at):
    x = np.linspace(-1.0, 1.0, 1000)
    x[at] = bad
    b, a = ss.butter(4, 0.2)
    sos = ss.butter(4, 0.2, output="sos")
    for call in (
        lambda: dsp.sosfilt(sos, x),
        lambda: dsp.sosfilt(np.array([[0.0, 0.0, 0.0, 1.0, 0.0, 0.0]]), x),
        lambda: dsp.lfilter(b, a, x),
        lambda: dsp.lfilter([0.0, 1.0], [1.0, 0.0], x),
        lambda: dsp.lfilter(ss.firwin(11, 0.3), [1.0], x),
        lambda: dsp.sosfiltfilt(sos, x),
        lambda: dsp.filtfilt(b, a, x),
        lambda: dsp.filtfilt(b, a, x, method="gust"),
    ):
        with pytest.raises(InputError, match=rf"`x` must be finite.*index {at}\b"):
            call()


def test_non_finite_input_refused_in_a_table_column():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"a": np.ones(50), "b": np.ones(50)})
    df.loc[7, "b"] = np.nan
    with pytest.raises(InputError, match="`x` must be finite"):
        dsp.sosfilt(SOS, df)


def test_overflow_still_rescaled_with_finite_state():
    # the output overflows float64 inside the cascade but fits at the end: the final
    # state is not finite, so the scaled rerun happens as before
    x = np.full(64, 1e306)
    sos = ss.butter(2, 0.4, output="sos")
    got = dsp.sosfilt(sos, x)
    assert np.isfinite(got).all()
    assert_matches(got / 1e306, ss.sosfilt(sos, x / 1e306))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_stream_refuses_a_non_finite_chunk_and_keeps_its_state(rng, bad):
    x = rng.standard_normal((2, 3000))
    f = dsp.SosFilter(SOS)
    wrong = rng.standard_normal((3, 100))
    wrong[1, 50] = bad
    with pytest.raises(InputError, match="`chunk` must be finite"):
        f.process(wrong)  # a refused first chunk fixes neither channels nor state
    first = f.process(x[:, :1000])
    chunk = x[:, 1000:2000].copy()
    chunk[0, 10] = bad
    with pytest.raises(InputError, match=r"`chunk` must be finite.*row 0, column 10"):
        f.process(chunk)
    rest = [f.process(x[:, 1000:2000]), f.process(x[:, 2000:])]
    assert_matches(np.concatenate([first, *rest], axis=1), ss.sosfilt(SOS, x))


def test_work_memory_comes_from_the_pool(rng):
    native._pool_release()
    x = rng.standard_normal((2, 1 << 20))
    y, _ = native.sosfilt(SOS, x, None, 1)
    address = y.ctypes.data
    del y
    work = native.empty_out(2, 1 << 20)
    assert work.shape == (2, 1 << 20) and work.dtype == np.float64
    assert work.ctypes.data == address and work.flags.owndata
    del work
    assert native._pool_bytes() == x.nbytes


def test_filters_take_work_memory_from_the_pool(rng):
    # the zero-phase filters' padded signal and reversed rows reuse freed outputs
    from pyjl.dsp import _kernels

    native._pool_release()
    shape = (2, 1 << 20)
    for make in (
        lambda: _kernels.work_array(*shape),
        lambda: _kernels.reversed_rows([np.ones(shape)], shape[1]),
    ):
        y, _ = native.sosfilt(SOS, rng.standard_normal(shape), None, 1)
        address = y.ctypes.data
        del y
        work = make()
        assert work.shape == shape and work.ctypes.data == address


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize(
    "lengths, pad",
    [((5,), 0), ((3, 70_000, 9), 4), ((0, 1 << 16, 1), 7), (((1 << 17) + 3,), 0), ((1, 2), 0)],
)
def test_reversed_rows_join_and_reverse(rng, lengths, pad, threads):
    # tasks of 2^16 samples: lengths cross their boundaries; a zero-length part
    parts = [rng.standard_normal((3, m)) for m in lengths]
    width = sum(lengths) + pad
    old = native._set_par_min_work(1)  # every thread, however short the rows
    try:
        got = native.reversed_rows(parts, width, threads)
    finally:
        native._set_par_min_work(old)
    joined = np.concatenate(parts, axis=1)[:, ::-1]
    np.testing.assert_array_equal(got[:, : joined.shape[1]], joined)
    np.testing.assert_array_equal(got[:, joined.shape[1] :], 0.0)
    assert got.flags.c_contiguous and got.shape == (3, width)


@pytest.mark.parametrize(
    "parts, width",
    [([np.ones((2, 3)), np.ones((3, 3))], 10), ([np.ones(3)], 10), ([np.ones((2, 3))], 2)],
)
def test_reversed_rows_refuse_parts_that_do_not_fit(parts, width):
    # rows of different counts or more samples than the width would write out of bounds
    with pytest.raises(ValueError):
        native.reversed_rows(parts, width, 1)


def test_reversed_rows_of_complex_parts_by_numpy(rng):
    from pyjl.dsp import _kernels

    parts = [rng.standard_normal((2, m)) + 1j * rng.standard_normal((2, m)) for m in (3, 11)]
    got = _kernels.reversed_rows(parts, 16)
    np.testing.assert_array_equal(got[:, :14], np.concatenate(parts, axis=1)[:, ::-1])
    np.testing.assert_array_equal(got[:, 14:], 0.0)


@pytest.mark.parametrize("n", [1000, 1001, 1007, 4099])
def test_zero_phase_on_whole_lines_matches_scipy(rng, n):
    # both passes run on rows padded to a multiple of eight samples: nothing kept changes
    x = rng.standard_normal((3, n))
    b, a = ss.butter(4, 0.1)
    for padtype, padlen in (("odd", None), ("even", 5), ("constant", 0), (None, None)):
        assert_matches(
            dsp.sosfiltfilt(SOS, x, padtype=padtype, padlen=padlen),
            ss.sosfiltfilt(SOS, x, padtype=padtype, padlen=padlen),
        )
        assert_matches(
            dsp.filtfilt(b, a, x, padtype=padtype, padlen=padlen),
            ss.filtfilt(b, a, x, padtype=padtype, padlen=padlen),
        )
