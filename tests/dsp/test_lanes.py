"""The native IIR kernels in SIMD lanes (channels or time segments, eight per call, in
vectors of 8, 4 or 2: each width the CPU runs) against the scalar kernels (bit for bit:
the same operations per lane) and SciPy."""

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp

from .helpers import assert_matches

native = pytest.importorskip("pyjl._native.dsp", reason="the native DSP kernels are not built")
pytestmark = pytest.mark.usefixtures("lane_width")  # every width the CPU runs

CHANNELS = [1, 3, 4, 5, 7, 8, 9, 17, 32]
N = 611  # crosses the 256-sample tiles, not a multiple of the 8-sample transposes


@pytest.fixture(autouse=True)
def every_thread():
    """Spread even these small inputs over the threads asked for (as before the kernels
    kept small calls on the caller's thread), so the lanes' split across threads is tested."""
    old = native._set_par_min_work(1)
    yield
    native._set_par_min_work(old)


@pytest.fixture
def scalar():
    """Run a kernel call with the lanes switched off (the scalar reference)."""

    def call(fn, *args):
        native._set_lanes(False)
        try:
            return fn(*args)
        finally:
            native._set_lanes(True)

    return call


def _equal(got, want):
    for g, w in zip(got, want, strict=True):
        assert g.shape == w.shape
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("n_ch", CHANNELS)
@pytest.mark.parametrize("order", range(1, 11))
def test_sosfilt_lanes_equal_scalar_and_scipy(rng, scalar, n_ch, order):
    sos = ss.butter(order, 0.15, output="sos")
    x = rng.standard_normal((n_ch, N))
    zi = rng.standard_normal((n_ch, sos.shape[0], 2))
    got = native.sosfilt(sos, x, zi, 2)
    _equal(got, scalar(native.sosfilt, sos, x, zi, 2))
    _equal(got, native.sosfilt(sos, x, zi, 1))
    y_ref, zf_ref = ss.sosfilt(sos, x, zi=zi.transpose(1, 0, 2))
    assert_matches(got[0], y_ref)
    assert_matches(got[1], zf_ref.transpose(1, 0, 2))


def _lfilter_agrees(scalar, b, a, x, zi):
    """The lanes give the scalar path's bits and SciPy's numbers."""
    got = native.lfilter(b, a, x, zi, 2)
    _equal(got, scalar(native.lfilter, b, a, x, zi, 2))
    y_ref, zf_ref = ss.lfilter(b, a, x, zi=zi)
    assert_matches(got[0], y_ref)
    assert_matches(got[1], zf_ref)


@pytest.mark.parametrize("n_ch, n", [(8, 16_384), (24, 65_536), (33, 16_384), (16, 16_896)])
@pytest.mark.parametrize("order", [3, 8, 9])
def test_sosfilt_rows_4k_apart_equal_scalar_and_scipy(rng, scalar, n_ch, n, order):
    # rows a multiple of 4 kB apart (a stream's 2^k-sample chunks) run their lanes a few
    # samples apart and each lane's first and last samples alone: still the same bits
    sos = ss.butter(order, 0.15, output="sos")
    x = rng.standard_normal((n_ch, n))
    zi = rng.standard_normal((n_ch, sos.shape[0], 2))
    got = native.sosfilt(sos, x, zi, 2)
    _equal(got, scalar(native.sosfilt, sos, x, zi, 2))
    y_ref, zf_ref = ss.sosfilt(sos, x, zi=zi.transpose(1, 0, 2))
    np.testing.assert_array_equal(got[0], y_ref)
    np.testing.assert_array_equal(got[1], zf_ref.transpose(1, 0, 2))


@pytest.mark.parametrize("n_ch, n", [(8, 16_384), (24, 65_536), (33, 16_384), (16, 16_896)])
@pytest.mark.parametrize("order", [1, 2, 8, 13])
def test_lfilter_rows_4k_apart_equal_scalar_and_scipy(rng, scalar, n_ch, n, order):
    # as for sosfilt: rows a multiple of 4 kB apart run their lanes a few samples apart
    # (order 13: the general loop, the state in memory), still the scalar path's bits
    b, a = ss.butter(order, 0.15)
    x = rng.standard_normal((n_ch, n))
    zi = rng.standard_normal((n_ch, order))
    _lfilter_agrees(scalar, b, a, x, zi)


@pytest.mark.parametrize("n_ch", CHANNELS)
@pytest.mark.parametrize("order", range(1, 11))
def test_lfilter_lanes_equal_scalar_and_scipy(rng, scalar, n_ch, order):
    b, a = ss.cheby1(order, 1.0, 0.3)
    x = rng.standard_normal((n_ch, N))
    zi = rng.standard_normal((n_ch, order))
    _lfilter_agrees(scalar, b, a, x, zi)


@pytest.mark.parametrize(("nb", "na"), [(2, 9), (9, 3), (16, 16), (30, 30)])
def test_lfilter_lanes_uneven_and_long_filters(rng, scalar, nb, na):
    # 16 and 30 coefficients run the general loop (state in memory), not the unrolled ones
    b = rng.standard_normal(nb)
    a = np.poly(rng.uniform(-0.6, 0.6, na - 1))
    x = rng.standard_normal((11, N))
    got = native.lfilter(b, a, x, None, 2)
    _equal(got, scalar(native.lfilter, b, a, x, None, 2))
    assert_matches(got[0], ss.lfilter(b, a, x))


def test_public_calls_stay_bit_identical_to_scipy(rng):
    # several channels run in one serial pass per channel: SciPy's arithmetic exactly
    sos = ss.ellip(6, 1.0, 40.0, [0.1, 0.3], btype="band", output="sos")
    b, a = ss.butter(8, 0.1)
    x = rng.standard_normal((13, 2000))
    np.testing.assert_array_equal(dsp.sosfilt(sos, x), ss.sosfilt(sos, x))
    np.testing.assert_array_equal(dsp.lfilter(b, a, x), ss.lfilter(b, a, x))


@pytest.mark.parametrize("n_ch", [8, 9, 17])
def test_nan_stays_in_its_lane(rng, n_ch):
    sos = ss.butter(4, 0.2, output="sos")
    b, a = ss.butter(4, 0.2)
    x = rng.standard_normal((n_ch, N))
    x[3, 100] = np.nan
    x[n_ch - 1, 7] = np.inf
    for got, want in (
        (native.sosfilt(sos, x, None, 2)[0], ss.sosfilt(sos, x)),
        (native.lfilter(b, a, x, None, 2)[0], ss.lfilter(b, a, x)),
    ):
        assert np.isnan(got[3, 100:]).all() and np.isfinite(got[3, :100]).all()
        clean = [c for c in range(n_ch) if c not in (3, n_ch - 1)]
        assert np.isfinite(got[clean]).all()
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 8, 9])
def test_short_signals(rng, scalar, n):
    sos = ss.butter(10, 0.2, output="sos")
    b, a = ss.butter(3, 0.2)
    x = rng.standard_normal((9, n))
    zi = rng.standard_normal((9, 5, 2))
    got = native.sosfilt(sos, x, zi, 2)
    _equal(got, scalar(native.sosfilt, sos, x, zi, 2))
    _equal(native.lfilter(b, a, x, None, 2), scalar(native.lfilter, b, a, x, None, 2))
    if n:
        assert_matches(got[0], ss.sosfilt(sos, x, zi=zi.transpose(1, 0, 2))[0])


@pytest.mark.usefixtures("split_now")
@pytest.mark.parametrize("n", [2 * 16384, 200_003, 600_000])
def test_single_channel_split_in_time_lanes(rng, n):
    # one long channel runs as time segments in lanes; equal to SciPy to rounding
    sos = ss.butter(8, 0.1, output="sos")
    x = rng.standard_normal((1, n))
    zi = rng.standard_normal((1, 4, 2))
    y, zf = native.sosfilt(sos, x, zi, 2)
    y_ref, zf_ref = ss.sosfilt(sos, x, zi=zi.transpose(1, 0, 2))
    assert_matches(y, y_ref)
    assert_matches(zf, zf_ref.transpose(1, 0, 2))
    y1, zf1 = native.sosfilt(sos, x, zi, 1)  # one thread: the same split, in one block
    assert_matches(y1, y_ref)
    assert_matches(zf1, zf_ref.transpose(1, 0, 2))
    native._set_lanes(False)
    try:  # without lanes one thread runs one serial pass: SciPy exactly
        np.testing.assert_array_equal(native.sosfilt(sos, x, zi, 1)[0], y_ref)
    finally:
        native._set_lanes(True)


@pytest.mark.usefixtures("split_now")
@pytest.mark.parametrize("lanes", [True, False])
@pytest.mark.parametrize("at", [1_000, 150_000, 299_000])
def test_single_channel_split_carries_nan_on(rng, lanes, at):
    # a NaN in one time segment must reach every later sample, as in SciPy
    sos = ss.butter(4, 0.1, output="sos")
    x = rng.standard_normal((1, 300_000))
    x[0, at] = np.nan
    native._set_lanes(lanes)
    try:
        y, zf = native.sosfilt(sos, x, None, 2)
    finally:
        native._set_lanes(True)
    assert np.isfinite(y[0, :at]).all() and np.isnan(y[0, at:]).all() and np.isnan(zf).all()
    assert_matches(y[0, :at], ss.sosfilt(sos, x[0, :at]))


@pytest.mark.parametrize("ba", [(np.ones(1), np.array([1.0, -1.0])), ss.butter(8, 0.1)])
def test_lfilter_one_long_channel_is_scipy_exactly(rng, ba):
    # one channel in one lane, not split in time (a pole on the unit circle; butter(8, 0.1)
    # has unit-state responses beyond the split's bound): SciPy's arithmetic exactly
    b, a = ba
    x = rng.standard_normal((1, 100_000))
    np.testing.assert_array_equal(native.lfilter(b, a, x, None, 2)[0], ss.lfilter(b, a, x))
