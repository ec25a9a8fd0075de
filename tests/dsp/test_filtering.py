"""sosfilt and lfilter (and what they share with filtfilt, sosfiltfilt) against
scipy.signal (rtol 1e-10)."""

import warnings

import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import given
from hypothesis import strategies as st

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, NumericalWarning

from .helpers import assert_matches, ba_filters, signals, sos_filters


@pytest.mark.usefixtures("engine")
@given(sos_filters(), signals(min_len=1))
def test_sosfilt_matches_scipy(sos, xa):
    x, axis = xa
    assert_matches(dsp.sosfilt(sos, x, axis=axis), ss.sosfilt(sos, x, axis=axis))


@pytest.mark.usefixtures("engine")
@given(sos_filters(), signals(min_len=1, max_len=200), st.integers(0, 2**32 - 1))
def test_sosfilt_with_zi(sos, xa, seed):
    x, axis = xa
    shape = list(x.shape)
    shape[axis] = 2
    zi = np.random.default_rng(seed).standard_normal([sos.shape[0]] + shape)
    y, zf = dsp.sosfilt(sos, x, axis=axis, zi=zi)
    y_ref, zf_ref = ss.sosfilt(sos, x, axis=axis, zi=zi)
    assert_matches(y, y_ref)
    assert_matches(zf, zf_ref)


@pytest.mark.usefixtures("engine")
@given(ba_filters(), signals(min_len=1), st.booleans(), st.integers(0, 2**32 - 1))
def test_lfilter_matches_scipy(ba, xa, with_zi, seed):
    b, a = ba
    x, axis = xa
    if not with_zi:
        assert_matches(dsp.lfilter(b, a, x, axis=axis), ss.lfilter(b, a, x, axis=axis))
        return
    shape = list(x.shape)
    shape[axis] = max(len(a), len(b)) - 1
    zi = np.random.default_rng(seed).standard_normal(shape)
    y, zf = dsp.lfilter(b, a, x, axis=axis, zi=zi)
    y_ref, zf_ref = ss.lfilter(b, a, x, axis=axis, zi=zi)
    assert_matches(y, y_ref)
    assert_matches(zf, zf_ref)


@pytest.mark.usefixtures("engine")
def test_lfilter_unnormalised_and_float32(rng):
    x = rng.standard_normal((2, 400)).astype(np.float32)
    b, a = np.array([0.5, 0.25, 0.1], np.float32), np.array([2.0, -0.4, 0.1], np.float32)
    got, want = dsp.lfilter(b, a, x), ss.lfilter(b, a, x)
    assert got.dtype == want.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    assert_matches(
        dsp.lfilter(b.astype(float), a.astype(float), x.astype(float)),
        ss.lfilter(b.astype(float), a.astype(float), x.astype(float)),
    )


@pytest.mark.usefixtures("engine")
def test_long_fir_uses_fft_and_matches(rng):
    b = ss.firwin(501, 0.1)
    x = rng.standard_normal((3, 20_000))
    assert dsp._kernels.fir_uses_fft(b.size, x.shape[1])
    zi = rng.standard_normal((3, 500))
    y, zf = dsp.lfilter(b, [1.0], x, zi=zi)
    y_ref, zf_ref = ss.lfilter(b, [1.0], x, zi=zi)
    assert_matches(y, y_ref)
    assert_matches(zf, zf_ref)


@pytest.mark.usefixtures("engine")
def test_complex_signal(rng):
    x = rng.standard_normal((2, 300)) + 1j * rng.standard_normal((2, 300))
    sos = ss.cheby1(5, 1, 0.3, output="sos")
    assert_matches(dsp.sosfilt(sos, x), ss.sosfilt(sos, x))
    b, a = ss.butter(3, 0.2)
    assert_matches(dsp.lfilter(b, a, x), ss.lfilter(b, a, x))
    assert_matches(dsp.filtfilt(b, a, x), ss.filtfilt(b, a, x))


@pytest.mark.usefixtures("engine")
def test_float32_keeps_scipy_dtype(rng):
    x = rng.standard_normal(500).astype(np.float32)
    sos = ss.butter(4, 0.2, output="sos")
    assert dsp.sosfilt(sos, x).dtype == ss.sosfilt(sos, x).dtype
    assert dsp.sosfiltfilt(sos, x).dtype == ss.sosfiltfilt(sos, x).dtype


def test_threads_do_not_change_results(rng):
    import pyjl

    x = rng.standard_normal((7, 3000))
    sos = ss.butter(8, 0.05, output="sos")
    old = pyjl.engines.get_num_threads()
    try:
        pyjl.engines.set_num_threads(1)
        one = dsp.sosfilt(sos, x)
        pyjl.engines.set_num_threads(2)
        two = dsp.sosfilt(sos, x)
    finally:
        pyjl.engines.set_num_threads(old)
    np.testing.assert_array_equal(one, two)


def test_bad_inputs_name_the_argument(rng):
    x = rng.standard_normal(100)
    with pytest.raises(InputError, match=r"`sos` must have shape \(n_sections, 6\)"):
        dsp.sosfilt(np.ones((2, 5)), x)
    with pytest.raises(InputError, match=r"`sos\[:, 3\]`"):
        dsp.sosfilt([[1, 0, 0, 2, 0.1, 0.1]], x)
    with pytest.raises(InputError, match=r"`a\[0\]` must be non-zero"):
        dsp.lfilter([1.0], [0.0, 1.0], x)
    with pytest.raises(InputError, match=r"`x` must be finite.*index 3"):
        dsp.sosfilt(ss.butter(2, 0.1, output="sos"), np.r_[0, 1, 2, np.nan, 4.0])
    with pytest.raises(InputError, match=r"`zi` must have shape"):
        dsp.sosfilt(ss.butter(2, 0.1, output="sos"), x, zi=np.zeros((1, 3)))
    with pytest.raises(InputError, match=r"`axis`"):
        dsp.lfilter([1.0], [1.0], x, axis=2)
    with pytest.raises(InputError, match="padtype"):
        dsp.filtfilt([1.0, 1.0], [1.0], x, padtype="wrap")
    with pytest.raises(InputError, match="method"):
        dsp.filtfilt([1.0, 1.0], [1.0], x, method="pads")
    # an integrator (pole on the unit circle) is allowed, as in SciPy
    assert_matches(dsp.lfilter([1.0], [1.0, -1.0], x), ss.lfilter([1.0], [1.0, -1.0], x))


def test_empty_signal_gives_empty_result():
    sos = ss.butter(2, 0.1, output="sos")
    assert dsp.sosfilt(sos, np.zeros((3, 0))).shape == (3, 0)
    y, zf = dsp.lfilter([1.0, 0.5], [1.0], np.zeros((2, 0)), zi=np.ones((2, 1)))
    assert y.shape == (2, 0)
    np.testing.assert_array_equal(zf, np.ones((2, 1)))


def test_sosfilt_is_bit_identical_to_scipy_per_channel(rng):
    """Same arithmetic in the same order: multi-channel results equal SciPy's exactly."""
    x = rng.standard_normal((5, 4000))
    for sos in (
        ss.butter(8, 0.1, output="sos"),
        ss.ellip(9, 0.5, 70, [0.2, 0.3], "band", output="sos"),
    ):
        zi = rng.standard_normal((sos.shape[0], 5, 2))
        y, zf = dsp.sosfilt(sos, x, zi=zi)
        y_ref, zf_ref = ss.sosfilt(sos, x, zi=zi)
        np.testing.assert_array_equal(y, y_ref)
        np.testing.assert_array_equal(zf, zf_ref)


@pytest.mark.parametrize("design", [(8, 0.1), (4, 0.002), (2, 1e-4)])
def test_long_single_channel_split_in_time(rng, design):
    """One long channel is filtered in time segments on several threads; the
    decaying zero-input correction keeps it equal to SciPy, final state included
    (slow poles, here butter(2, 1e-4), keep one serial pass)."""
    import pyjl

    sos = ss.butter(*design, output="sos")
    x = rng.standard_normal(700_000) + 3.0
    zi = rng.standard_normal((sos.shape[0], 2))
    old = pyjl.engines.get_num_threads()
    try:
        pyjl.engines.set_num_threads(3)
        y, zf = dsp.sosfilt(sos, x, zi=zi)
    finally:
        pyjl.engines.set_num_threads(old)
    y_ref, zf_ref = ss.sosfilt(sos, x, zi=zi)
    assert_matches(y, y_ref)
    assert_matches(zf, zf_ref)


def test_unstable_filters_warn_and_match_scipy(rng):
    """SciPy filters with any denominator; pyjl warns and gives the same numbers."""
    x = rng.standard_normal(60)
    with pytest.warns(NumericalWarning, match="`a` describes an unstable filter"):
        y = dsp.lfilter([1.0], [1.0, -1.5], x)
    assert_matches(y, ss.lfilter([1.0], [1.0, -1.5], x))
    sos = [[1, 0, 0, 1, -2.5, 1.2]]
    with pytest.warns(NumericalWarning, match="`sos` describes an unstable filter"):
        y = dsp.sosfilt(sos, x)
    assert_matches(y, ss.sosfilt(sos, x))
    # a pole cancelled by a zero is no instability: [1,2,3]/[1,2,3] is the identity
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = dsp.filtfilt([1, 2, 3], [1, 2, 3], x)
    assert_matches(y, ss.filtfilt([1, 2, 3], [1, 2, 3], x))
    np.testing.assert_allclose(y, x, rtol=1e-12, atol=1e-12)


def test_a_low_order_denominator_warns_as_its_roots_say(rng):
    """Up to order 2 the pole radius comes from the quadratic formula, not numpy.roots:
    the warning is the same either way, on both sides of the unit circle."""
    x = rng.standard_normal(40)
    cases = [
        np.r_[rng.choice([-1, 1]) * rng.uniform(0.1, 2.5), rng.uniform(-2.5, 2.5, size=k)]
        for k in (1, 2)
        for _ in range(200)
    ]
    cases += [[1.0, -1.0], [1.0, -2.0, 1.0], [1.0, 0.0, -1.0], [1.0, -1.8, 0.81], [2.0, 0.0, 2.0]]
    cases += [[1.0, -2.0 * np.cos(0.3) * r, r * r] for r in (1 - 1e-7, 1 + 1e-7, 1 + 1e-6)]
    for a in cases:
        a = np.asarray(a, dtype=float)
        r = float(np.max(np.abs(np.roots(a))))
        if abs(r - (1.0 + 1e-9)) < 1e-12:
            continue  # on the tolerance itself: either answer is right
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            dsp.lfilter([1.0], a, x)
        unstable = [w for w in seen if "unstable filter" in str(w.message)]
        assert bool(unstable) == (r > 1.0 + 1e-9), (a, r)


@pytest.mark.parametrize("dt", [np.complex64, np.complex128])
def test_complex_coefficients_match_scipy(rng, dt):
    """Complex b and a run the complex kernel; complex64 in stays complex64."""
    x = (rng.standard_normal((3, 400)) + 1j * rng.standard_normal((3, 400))).astype(dt)
    b = (rng.standard_normal(4) + 1j * rng.standard_normal(4)).astype(dt)
    a = np.array([1.5, -0.4 + 0.3j, 0.1j], dtype=dt)
    zi = (rng.standard_normal((3, 3)) + 1j * rng.standard_normal((3, 3))).astype(dt)
    rtol = 1e-4 if dt == np.complex64 else 1e-10
    y, zf = dsp.lfilter(b, a, x, zi=zi)
    y_ref, zf_ref = ss.lfilter(b, a, x, zi=zi)
    assert_matches(y, y_ref, rtol=rtol)
    assert_matches(zf, zf_ref, rtol=rtol)
    assert_matches(dsp.lfilter(b, [1.0], x, axis=0), ss.lfilter(b, [1.0], x, axis=0), rtol=rtol)
    assert_matches(dsp.filtfilt(b, a, x), ss.filtfilt(b, a, x), rtol=rtol)
    # complex FIR taps, long enough for the FFT path, and complex b over a real a
    taps = (ss.firwin(301, 0.2) * np.exp(0.3j * np.arange(301))).astype(dt)
    zi_fir = (rng.standard_normal((3, 300)) + 1j * rng.standard_normal((3, 300))).astype(dt)
    xl = (rng.standard_normal((3, 1500)) + 1j * rng.standard_normal((3, 1500))).astype(dt)
    assert dsp._kernels.fir_uses_fft(taps.size, xl.shape[1])
    for got, want in zip(
        dsp.lfilter(taps, [1.0], xl, zi=zi_fir), ss.lfilter(taps, [1.0], xl, zi=zi_fir)
    ):
        assert_matches(got, want, rtol=rtol)
    for got, want in zip(dsp.lfilter(b, a.real, x, zi=zi), ss.lfilter(b, a.real, x, zi=zi)):
        assert_matches(got, want, rtol=rtol)
    # real data, complex coefficients
    xr = rng.standard_normal(300)
    assert_matches(dsp.lfilter(b.astype(complex), a, xr), ss.lfilter(b.astype(complex), a, xr))
    sos = np.array([[1, 0.5j, 0.2, 1, -0.3 + 0.2j, 0.1], [0.5, 0, 0, 1, 0.2j, 0]])
    assert_matches(dsp.sosfilt(sos, xr), ss.sosfilt(sos, xr))
    assert_matches(dsp.sosfiltfilt(sos, xr), ss.sosfiltfilt(sos, xr))


def test_complex_coefficients_name_the_engine_without_a_kernel(rng, monkeypatch):
    """An engine without the complex kernel refuses by name, never falls back."""
    from pyjl.dsp import _kernels

    class NoComplex:
        name = "toy"

    monkeypatch.setattr(_kernels, "engine", lambda: NoComplex())
    with pytest.raises(NotImplementedError, match="'toy'.*'lfilter_complex'.*complex128"):
        dsp.lfilter([1.0], [1.0, 0.5j], rng.standard_normal(10))


def test_zi_is_checked_like_data(rng):
    """NaN/inf in `zi` is refused like NaN data (naming the first bad index); a `zi`
    of the wrong shape is an InputError, as is stretching zi along the filtered axis."""
    x = rng.standard_normal((2, 50))
    sos = ss.butter(2, 0.1, output="sos")
    zi = np.zeros((1, 2, 2))
    zi[0, 1, 0] = np.nan
    with pytest.raises(InputError, match=r"`zi` must be finite.*nan at index \(0, 1, 0\)"):
        dsp.sosfilt(sos, x, zi=zi)
    with pytest.raises(InputError, match=r"`zi` must be finite.*inf at index 1"):
        dsp.lfilter([1.0, 0.5, 0.2], [1.0], x[0], zi=[0.0, np.inf])
    with pytest.raises(InputError, match=r"`zi` must have shape \(2, 2\)"):
        dsp.lfilter([1.0, 0.5, 0.2], [1.0], x, zi=np.zeros((2, 1)))
    with pytest.raises(InputError, match=r"`zi` must have shape \(1, 2, 2\)"):
        dsp.sosfilt(sos, x, zi=np.zeros((1, 2, 3)))
    # size-1 channel axes broadcast, as in SciPy
    y, _ = dsp.lfilter([1.0, 0.5], [1.0], x, zi=np.ones((1, 1)))
    assert_matches(y, ss.lfilter([1.0, 0.5], [1.0], x, zi=np.ones((1, 1)))[0])


def test_when_sosfilt_is_bit_identical_to_scipy(rng):
    """One channel is bit-identical to SciPy while it runs in one serial pass: below
    the time-split threshold min(2 * max(16384, 4 * decay), 8 * max(2048, 2 * decay)),
    or with several channels; a longer one is split in time (in lanes, on one thread
    too) and agrees to rounding."""
    import pyjl

    sos = ss.butter(8, 0.1, output="sos")  # decay 1,833 samples: threshold 29,328
    short, long_ = rng.standard_normal(29_327), rng.standard_normal(40_000)
    old = pyjl.engines.get_num_threads()
    try:
        for threads in (1, 2):
            pyjl.engines.set_num_threads(threads)
            np.testing.assert_array_equal(dsp.sosfilt(sos, short), ss.sosfilt(sos, short))
            ref = ss.sosfilt(sos, long_)
            y = dsp.sosfilt(sos, long_)
            assert np.max(np.abs(y - ref)) <= 1e-14 * np.max(np.abs(ref))
            two = np.stack([long_, short.tolist() + [0.0] * 10_673])
            np.testing.assert_array_equal(dsp.sosfilt(sos, two), ss.sosfilt(sos, two))
        pyjl.engines.set_num_threads(2)
        b, a = ss.butter(8, 0.1)  # a direct form too ill-conditioned to split: serial
        np.testing.assert_array_equal(dsp.lfilter(b, a, long_), ss.lfilter(b, a, long_))
        b, a = ss.butter(4, 0.1)  # split in time, as sosfilt: to rounding
        ref = ss.lfilter(b, a, long_)
        assert np.max(np.abs(dsp.lfilter(b, a, long_) - ref)) <= 1e-13 * np.max(np.abs(ref))
        # decay 931: threshold 16,384
        np.testing.assert_array_equal(
            dsp.lfilter(b, a, short[:16_383]), ss.lfilter(b, a, short[:16_383])
        )
        ref = ss.lfilter(b, a, short[:16_384])
        y = dsp.lfilter(b, a, short[:16_384])
        assert not np.array_equal(y, ref)
        assert np.max(np.abs(y - ref)) <= 1e-13 * np.max(np.abs(ref))
    finally:
        pyjl.engines.set_num_threads(old)


@pytest.mark.parametrize("x_dt", [np.float32, np.float64, np.complex64, np.int32])
@pytest.mark.parametrize("c_dt", [np.float32, np.float64, np.complex64])
def test_result_dtypes_are_scipys(rng, x_dt, c_dt):
    """float32 (complex64) stays single precision exactly where SciPy keeps it.
    (SciPy pads single-precision data in single precision, pyjl in double: a
    single-precision input agrees to single precision only.)"""
    x = (rng.standard_normal((2, 120)) * 10).astype(x_dt)
    single = {np.float32, np.complex64} & {x_dt, c_dt}
    sos = ss.butter(4, 0.2, output="sos").astype(c_dt)
    b, a = (c.astype(c_dt) for c in ss.butter(3, 0.2))
    for fn in (
        lambda m: m.sosfilt(sos, x),
        lambda m: m.sosfiltfilt(sos, x),
        lambda m: m.lfilter(b, a, x),
        lambda m: m.filtfilt(b, a, x),
        lambda m: m.lfilter(b, np.ones(1, c_dt), x),
    ):
        got, want = fn(dsp), fn(ss)
        assert got.dtype == want.dtype
        assert_matches(got, want, rtol=1e-4 if single else 1e-10)


# --- data and coefficients near the float64 limits (linear: power-of-two scaling is exact)
S900 = 2.0**900


def _overflow_cases(x):
    b, a = ss.butter(3, 0.2)
    sos = ss.butter(4, 0.2, output="sos")
    fir = ss.firwin(21, 0.3)
    return [
        ("lfilter x", lambda: dsp.lfilter(b, a, x * S900), ss.lfilter(b, a, x) * S900),
        ("lfilter b", lambda: dsp.lfilter(b * S900, a, x), ss.lfilter(b, a, x) * S900),
        (
            "lfilter fir b",
            lambda: dsp.lfilter(fir * S900, [1.0], x),
            ss.lfilter(fir, [1.0], x) * S900,
        ),
        ("sosfilt x", lambda: dsp.sosfilt(sos, x * S900), ss.sosfilt(sos, x) * S900),
        ("filtfilt x", lambda: dsp.filtfilt(b, a, x * S900), ss.filtfilt(b, a, x) * S900),
        (
            "filtfilt gust x",
            lambda: dsp.filtfilt(b, a, x * S900, method="gust"),
            ss.filtfilt(b, a, x, method="gust") * S900,
        ),
        ("filtfilt b", lambda: dsp.filtfilt(b * 2.0**500, a, x), ss.filtfilt(b, a, x) * 2.0**1000),
        ("sosfiltfilt x", lambda: dsp.sosfiltfilt(sos, x * S900), ss.sosfiltfilt(sos, x) * S900),
    ]


@pytest.mark.parametrize("case", range(8))
def test_scaled_data_match_scipy_scaled(rng, case):
    """Filtering ``x * 2**900`` (or with ``b * 2**900``) gives SciPy's unit-scale result
    times 2**900, bit for bit where pyjl's arithmetic is SciPy's (FIR: to rounding)."""
    x = rng.standard_normal((2, 300))
    label, call, want = _overflow_cases(x)[case]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning, no NumericalWarning
        got = call()
    if "fir" in label:
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14 * np.abs(want).max())
    else:
        np.testing.assert_array_equal(got, want, err_msg=label)


def test_scaled_lfilter_state_matches_scipy(rng):
    b, a = ss.butter(3, 0.2)
    x = rng.standard_normal(200)
    zi = ss.lfilter_zi(b, a) * x[0]
    y, zf = dsp.lfilter(b * S900, a, x * 2.0**100, zi=zi * 2.0**1000)
    y_ref, zf_ref = ss.lfilter(b, a, x, zi=zi)
    np.testing.assert_array_equal(y, y_ref * 2.0**1000)
    np.testing.assert_array_equal(zf, zf_ref * 2.0**1000)


def _coef(name):
    return (ss.butter(2, 0.2, output="sos"),) if name.startswith("sos") else ss.butter(2, 0.2)


@pytest.mark.parametrize("name", ["filtfilt", "sosfiltfilt", "lfilter", "sosfilt"])
def test_1e308_data_give_a_finite_result(rng, name):
    """A unit-gain low-pass of a signal near the float64 limit (peak ~ 1.9 * 2**1023) is
    finite, and SciPy's unit-scale result times 2**1023 exactly, although the padded
    signal and the filter states overflow in an unscaled run (SciPy's is not finite)."""
    x = 1.8 + 0.05 * rng.standard_normal((3, 200))
    coef = _coef(name)
    with np.errstate(all="ignore"):
        assert not np.all(np.isfinite(getattr(ss, name)(*coef, x * 2.0**1023)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = getattr(dsp, name)(*coef, x * 2.0**1023)
    np.testing.assert_array_equal(got, getattr(ss, name)(*coef, x) * 2.0**1023)


def test_1e308_coefficients(rng):
    x = rng.standard_normal(64)
    b = np.array([1e308, 0.0])
    np.testing.assert_allclose(
        dsp.lfilter(b / 4, [1.0, -0.5], x / 4) / 1e308,
        ss.lfilter([0.25, 0.0], [1.0, -0.5], x / 4),
        rtol=1e-12,
    )
    with pytest.warns(NumericalWarning, match="exceeds the range of float64"):
        y = dsp.filtfilt(b, [1.0], x)  # the true result, 1e616 * x, overflows
    assert np.all(np.isinf(y[x != 0]))
    with pytest.warns(NumericalWarning, match="lfilter's output is not finite"):
        dsp.lfilter([1e308, 1e308], [1.0], np.ones(8))


@pytest.mark.parametrize("name", ["lfilter", "sosfilt"])
def test_state_near_the_float64_limit_matches_scipy(rng, name):
    """Numerator times 2**500, data times 2**523 and ``zi`` times 2**1023 (the units of
    b times x): ``y`` and ``zf`` are SciPy's unit-scale ones times 2**1023, bit for bit,
    where SciPy's own unscaled run overflows."""
    x = 1.2 + 0.05 * rng.standard_normal((2, 100))
    if name == "sosfilt":
        coef = ss.butter(4, 0.2, output="sos")
        big = coef.copy()
        big[0, :3] *= 2.0**500
        zi = 0.01 * rng.standard_normal((2, 2, 2))
        args, big_args = (coef,), (big,)
    else:
        b, a = ss.butter(3, 0.2)
        zi = 0.01 * rng.standard_normal((2, 3))
        args, big_args = (b, a), (b * 2.0**500, a)
    with np.errstate(all="ignore"):
        unscaled = getattr(ss, name)(*big_args, x * 2.0**523, zi=zi * 2.0**1023)
    assert not all(np.all(np.isfinite(u)) for u in unscaled)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y, zf = getattr(dsp, name)(*big_args, x * 2.0**523, zi=zi * 2.0**1023)
    y_ref, zf_ref = getattr(ss, name)(*args, x, zi=zi)
    np.testing.assert_array_equal(y, y_ref * 2.0**1023)
    np.testing.assert_array_equal(zf, zf_ref * 2.0**1023)
