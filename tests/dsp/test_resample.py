"""upfirdn, resample_poly, decimate against scipy.signal."""

import warnings

import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import given
from hypothesis import strategies as st

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, NumericalWarning

from .helpers import assert_matches, signals


@pytest.mark.usefixtures("engine")
@given(
    signals(min_len=1),
    st.integers(1, 7),
    st.integers(1, 7),
    st.integers(1, 40),
    st.integers(0, 2**32 - 1),
)
def test_upfirdn_matches_scipy(xa, up, down, nh, seed):
    x, axis = xa
    h = np.random.default_rng(seed).standard_normal(nh)
    assert_matches(dsp.upfirdn(h, x, up, down, axis=axis), ss.upfirdn(h, x, up, down, axis=axis))


@pytest.mark.usefixtures("engine")
@given(
    signals(min_len=1),
    st.integers(1, 12),
    st.integers(1, 12),
    st.sampled_from(["constant", "mean", "median", "minimum", "maximum"]),
    st.sampled_from([("kaiser", 5.0), "hamming", ("kaiser", 8.0)]),
)
def test_resample_poly_matches_scipy(xa, up, down, padtype, window):
    x, axis = xa
    assert_matches(
        dsp.resample_poly(x, up, down, axis=axis, padtype=padtype, window=window),
        ss.resample_poly(x, up, down, axis=axis, padtype=padtype, window=window),
    )


@pytest.mark.usefixtures("engine")
def test_resample_poly_custom_taps_and_float32(rng):
    x = rng.standard_normal((500, 2))
    taps = ss.firwin(61, 0.3)
    assert_matches(dsp.resample_poly(x, 2, 3, window=taps), ss.resample_poly(x, 2, 3, window=taps))
    x32 = x.astype(np.float32)
    got, want = dsp.resample_poly(x32, 3, 2), ss.resample_poly(x32, 3, 2)
    assert got.dtype == want.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.usefixtures("engine")
@given(
    signals(min_len=60, max_len=400),
    st.integers(2, 9),
    st.sampled_from(["iir", "fir"]),
    st.booleans(),
)
def test_decimate_matches_scipy(xa, q, ftype, zero_phase):
    x, axis = xa
    try:
        want = ss.decimate(x, q, ftype=ftype, axis=axis, zero_phase=zero_phase)
    except ValueError:
        with pytest.raises(InputError):
            dsp.decimate(x, q, ftype=ftype, axis=axis, zero_phase=zero_phase)
        return
    assert_matches(
        dsp.decimate(x, q, ftype=ftype, axis=axis, zero_phase=zero_phase), want, rtol=1e-9
    )


def test_bad_rates(rng):
    x = rng.standard_normal(50)
    with pytest.raises(InputError, match="`up` must be an integer >= 1; got 0"):
        dsp.resample_poly(x, 0, 2)
    with pytest.raises(InputError, match="`down` must be an integer"):
        dsp.upfirdn([1.0], x, 1, 2.5)
    with pytest.raises(InputError, match="`padtype`"):
        dsp.resample_poly(x, 2, 3, padtype="sideways")
    with pytest.raises(InputError, match="`q` must be an integer >= 1"):
        dsp.decimate(x, 0)


MODES = [
    "constant",
    "wrap",
    "edge",
    "smooth",
    "symmetric",
    "reflect",
    "antisymmetric",
    "antireflect",
    "line",
]


@pytest.mark.usefixtures("engine")
@given(
    st.integers(2, 40),
    st.integers(1, 6),
    st.integers(1, 6),
    st.integers(1, 30),
    st.sampled_from(MODES),
    st.sampled_from(["float64", "complex128", "complex64"]),
    st.booleans(),
    st.integers(0, 2**32 - 1),
)
def test_upfirdn_modes_and_complex_match_scipy(n, up, down, nh, mode, dtype, complex_taps, seed):
    """Every extension mode, with complex data and taps; long taps reach past the
    signal's length, where the extensions repeat."""
    r = np.random.default_rng(seed)
    x = (
        (r.standard_normal((2, n)) + 1j * r.standard_normal((2, n))).astype(dtype)
        if dtype.startswith("complex")
        else r.standard_normal((2, n))
    )
    h = r.standard_normal(nh) + (1j * r.standard_normal(nh) if complex_taps else 0)
    cval = 0.75 if mode == "constant" else 0
    want = ss.upfirdn(h, x, up, down, mode=mode, cval=cval)
    got = dsp.upfirdn(h, x, up, down, mode=mode, cval=cval)
    assert_matches(got, want, rtol=1e-5 if dtype == "complex64" and not complex_taps else 1e-9)


def test_complex64_stays_single(rng):
    x = (rng.standard_normal(300) + 1j * rng.standard_normal(300)).astype(np.complex64)
    h = ss.firwin(21, 0.3).astype(np.float32)
    for got, want in (
        (dsp.upfirdn(h, x, 2, 3), ss.upfirdn(h, x, 2, 3)),
        (dsp.resample_poly(x, 3, 2), ss.resample_poly(x, 3, 2)),
        (dsp.decimate(x, 3, ftype="fir"), ss.decimate(x, 3, ftype="fir")),
    ):
        assert got.dtype == want.dtype == np.complex64
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


@pytest.mark.usefixtures("engine")
@given(
    signals(min_len=2, max_len=120),
    st.integers(1, 7),
    st.integers(1, 7),
    st.sampled_from(["mean", "median", "minimum", "maximum"] + MODES),
    st.sampled_from(["float64", "float32", "int64"]),
)
def test_resample_poly_every_padtype_and_dtype(xa, up, down, padtype, dtype):
    x, axis = xa
    x = (10 * x).astype(dtype)
    want = ss.resample_poly(x, up, down, axis=axis, padtype=padtype)
    got = dsp.resample_poly(x, up, down, axis=axis, padtype=padtype)
    if dtype == "float32":  # SciPy filters in float32, pyjl in float64: rounding of x's size
        assert_matches(got, want, rtol=1e-5, floor=1e-6 * float(np.max(np.abs(x), initial=0)))
    else:
        assert_matches(got, want, rtol=1e-9)


@pytest.mark.usefixtures("engine")
def test_resample_poly_cval_and_complex_taps(rng):
    x = rng.standard_normal((3, 90))
    assert_matches(
        dsp.resample_poly(x, 5, 3, axis=1, cval=2.5), ss.resample_poly(x, 5, 3, axis=1, cval=2.5)
    )
    taps = ss.firwin(31, 0.2) * np.exp(0.3j * np.arange(31))
    assert_matches(
        dsp.resample_poly(x, 2, 3, axis=1, window=taps),
        ss.resample_poly(x, 2, 3, axis=1, window=taps),
    )


@pytest.mark.filterwarnings("ignore:Badly conditioned filter")
def test_decimate_with_dlti(rng):
    """FIR, real IIR (run as SOS) and complex IIR (transfer function) systems."""
    x = rng.standard_normal((2, 600))
    z, p, k = ss.butter(2, 0.05, output="zpk")
    rot = np.exp(2j * np.pi * 0.05)
    systems = [
        ss.dlti(ss.firwin(31, 1 / 3, window="hamming"), 1.0),
        ss.dlti(*ss.cheby1(6, 0.05, 0.25)),
        ss.dlti(z.astype(complex) * rot, p * rot, k),
    ]
    for system in systems:
        for zero_phase in (True, False):
            assert_matches(
                dsp.decimate(x, 3, ftype=system, zero_phase=zero_phase),
                ss.decimate(x, 3, ftype=system, zero_phase=zero_phase),
                rtol=1e-8,
            )


@pytest.mark.parametrize("dtype", ["float32", "complex64", "int32", "float16", "float64"])
def test_decimate_by_one_through_an_fir_system_keeps_the_dtype_as_scipy(rng, dtype):
    # SciPy's zero-phase FIR path is resample_poly(x, 1, q), which copies x when q == 1
    x = (rng.standard_normal(64) * 10).astype(dtype)
    system = ss.dlti([1.0, 0.5], [1.0])
    got, want = dsp.decimate(x, 1, ftype=system), ss.decimate(x, 1, ftype=system)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_decimate_by_one_with_the_default_fir_is_refused(rng):
    x = rng.standard_normal(64)
    with pytest.raises(ValueError):  # SciPy: firwin's "Invalid cutoff frequency"
        ss.decimate(x, 1, ftype="fir")
    with pytest.raises(InputError, match="`q` must be >= 2 with ftype='fir'"):
        dsp.decimate(x, 1, ftype="fir")
    assert_matches(dsp.decimate(x, 1), ss.decimate(x, 1), rtol=1e-10)


def test_complex_result_from_arrow_is_numpy(rng):
    """Arrow has no complex type: complex results of Arrow input come back as NumPy."""
    pa = pytest.importorskip("pyarrow")
    x = rng.standard_normal(64)
    h = np.array([1.0, 0.5j])
    got = dsp.upfirdn(h, pa.array(x), 2)
    assert isinstance(got, np.ndarray)
    assert_matches(got, ss.upfirdn(h, x, 2))


def test_bad_modes(rng):
    x = rng.standard_normal(50)
    with pytest.raises(InputError, match="`mode` must be one of"):
        dsp.upfirdn([1.0], x, mode="circular")
    with pytest.raises(InputError, match="`cval` must be a finite number"):
        dsp.upfirdn([1.0], x, cval=np.nan)
    with pytest.raises(InputError, match="`cval` must be None unless padtype='constant'"):
        dsp.resample_poly(x, 2, 3, padtype="mean", cval=1.0)
    with pytest.raises(InputError, match="`window` must be a window name/tuple or 1-D"):
        dsp.resample_poly(x, 2, 3, window=np.ones((2, 3)))
    with pytest.raises(InputError, match="`ftype` must be one of"):
        dsp.decimate(x, 2, ftype="butter")


def test_nan_window_parameter_is_refused(rng):
    with pytest.raises(InputError, match=r"`window\[1\]` must be finite"):
        dsp.resample_poly(rng.standard_normal(50), 2, 3, window=("kaiser", np.nan))


def test_decimate_near_the_float64_limit(rng):
    """Linear: at 1e308 the result is the unit-scale result times 1e308 (the filter's
    internal state would overflow without scaling)."""
    x = rng.standard_normal(600)
    x /= np.abs(x).max()
    for ftype in ("iir", "fir"):
        got = dsp.decimate(x * 1e308, 4, ftype=ftype)
        np.testing.assert_allclose(
            got / 1e308, ss.decimate(x, 4, ftype=ftype), rtol=1e-9, atol=1e-12
        )


def test_more_refusals(rng):
    x = rng.standard_normal(50)
    with pytest.raises(InputError, match=r"`cval` must be a finite number \(real"):
        dsp.resample_poly(x, 2, 3, cval=1j)
    with pytest.raises(InputError, match="`window` must be a window SciPy knows"):
        dsp.resample_poly(x, 2, 3, window="bogus")


# --- rate factors too large to run ------------------------------------------------
HUGE = 2**70


@pytest.mark.parametrize(
    "call, name, rule",
    [
        (
            lambda x: dsp.upfirdn([1.0, 2.0, 3.0], x, down=HUGE),
            "down",
            r"must be below 2\*\*62 \(sample positions are 64-bit integers\)",
        ),
        (
            lambda x: dsp.upfirdn([1.0, 2.0, 3.0], x, up=HUGE),
            "up",
            r"must keep the upsampled length \(n - 1\) \* up \+ len\(h\) below 2\*\*62",
        ),
        (
            lambda x: dsp.upfirdn([1.0, 2.0, 3.0], x[:1], up=2**61, down=2**61),
            "up",
            r"must give a polyphase filter that fits in memory",
        ),
        (
            lambda x: dsp.upfirdn([1.0, 2.0, 3.0], x, down=2**50, mode="reflect"),
            "down",
            r"must give a padded signal that fits in memory",
        ),
        (lambda x: dsp.resample_poly(x, HUGE, 3), "up", r"must give a result that fits in memory"),
        (lambda x: dsp.resample_poly(x, 2, HUGE + 1), "down", r"must give a result that fits"),
        (lambda x: dsp.decimate(x, HUGE), "q", r"must be <= 100_000 with ftype='iir'"),
        (lambda x: dsp.decimate(x, 100_001), "q", r"must be <= 100_000 with ftype='iir'"),
        (
            lambda x: dsp.decimate(x, HUGE, ftype="fir"),
            "q",
            r"must give an anti-aliasing filter \(20 \* q \+ 1 taps\) that fits in memory",
        ),
    ],
)
def test_huge_rate_factors_are_refused(rng, call, name, rule):
    with pytest.raises(InputError, match=rf"^`{name}` {rule}.*; got \d+\. Fix: "):
        call(rng.standard_normal(64))


def test_large_valid_factors_match_scipy(rng):
    x = rng.standard_normal(64)
    for down in (2**40, 2**61):  # beyond the signal: only the first output remains
        np.testing.assert_array_equal(
            dsp.upfirdn([1.0, 2.0, 3.0], x, down=down), ss.upfirdn([1.0, 2.0, 3.0], x, down=down)
        )
    assert_matches(dsp.decimate(x, 100_000), ss.decimate(x, 100_000))
    assert_matches(dsp.decimate(x, 1000, ftype="fir"), ss.decimate(x, 1000, ftype="fir"))


# --- taps and data near the float64 limits ------------------------------------------
@pytest.mark.parametrize("mode", ["constant", "reflect", "line", "smooth", "antisymmetric"])
def test_upfirdn_scaled_taps_and_data_match_scipy(rng, mode):
    """Linear: taps or data times 2**900 give SciPy's result times 2**900 (to rounding:
    the polyphase sums run in another order)."""
    x, h = rng.standard_normal(100), ss.firwin(9, 0.3)
    want = ss.upfirdn(h, x, 2, 3, mode=mode) * 2.0**900
    for got in (
        dsp.upfirdn(h * 2.0**900, x, 2, 3, mode=mode),
        dsp.upfirdn(h, x * 2.0**900, 2, 3, mode=mode),
    ):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14 * np.abs(want).max())


def test_upfirdn_1e308_taps(rng):
    """1e308 taps: finite where the true result is (an unscaled run overflows inside its
    sums); where it is not, a NumericalWarning, never a silent inf."""
    x = 0.8 + 0.01 * rng.standard_normal(50)
    h = np.array([1e308, 1e308, -1e308])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = dsp.upfirdn(h, x, up=2)
    np.testing.assert_allclose(got / 1e308, ss.upfirdn(h / 1e308, x, up=2), rtol=1e-12, atol=1e-14)
    with pytest.warns(NumericalWarning, match="upfirdn's output is not finite for 2 of 4"):
        y = dsp.upfirdn(np.array([1e308, 1e308]), np.ones(3))  # 2e308 in the middle
    np.testing.assert_array_equal(y, [1e308, np.inf, np.inf, 1e308])


@pytest.mark.parametrize("ftype", ["fir", "iir"])
@pytest.mark.parametrize("zero_phase", [True, False])
def test_decimate_order_zero_as_scipy(rng, ftype, zero_phase):
    # n=0: a one-tap FIR (plain downsampling) or an order-0 IIR, as SciPy builds them
    x = rng.standard_normal(100)
    got = dsp.decimate(x, 2, n=0, ftype=ftype, zero_phase=zero_phase)
    assert_matches(got, ss.decimate(x, 2, n=0, ftype=ftype, zero_phase=zero_phase), rtol=1e-12)


@pytest.mark.parametrize(
    "x",
    [
        np.array([2**53 + 1, 2**62 + 1, -(2**63)], dtype=np.int64),
        np.array([2**64 - 1, 2**53 + 1], dtype=np.uint64),
        np.array([-3, 7], dtype=np.int8),
    ],
)
def test_resample_poly_integers_unchanged_when_rates_reduce_to_one(x):
    """up == down after the gcd: SciPy returns a copy of x, in its dtype, every integer
    exact (through float64 those beyond 2**53 would round)."""
    want = ss.resample_poly(x, 2, 2)
    for got in (dsp.resample_poly(x, 2, 2), dsp.resample_poly(list(x), 3, 3)):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    got = dsp.resample_poly(x, 1, 1)
    got[0] = 1
    assert want[0] != 1 and x[0] == want[0]  # a copy


def test_resample_poly_integer_table_unchanged_when_rates_reduce_to_one():
    import pandas as pd

    df = pd.DataFrame({"a": np.array([2**53 + 1, 5], np.int64), "b": [1, 2**62 + 1]})
    got = dsp.resample_poly(df, 4, 4)
    assert isinstance(got, pd.DataFrame) and list(got.dtypes) == [np.int64, np.int64]
    np.testing.assert_array_equal(got.to_numpy(), ss.resample_poly(df.to_numpy(), 4, 4))


def test_resample_poly_float32_taps_are_scaled_in_float32(rng):
    """SciPy scales given taps by ``up`` in their own dtype: float32 taps on float64
    data agree to float64 rounding, not to float32's."""
    x = rng.standard_normal(500)
    w = ss.firwin(41, 0.3).astype(np.float32)
    assert_matches(dsp.resample_poly(x, 3, 2, window=w), ss.resample_poly(x, 3, 2, window=w))


def test_resample_poly_float16_data_rounds_the_taps_as_scipy(rng):
    x = rng.standard_normal(400).astype(np.float16)
    got, want = dsp.resample_poly(x, 3, 2), ss.resample_poly(x, 3, 2)
    assert got.dtype == want.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * np.abs(want).max())


def test_resample_poly_huge_kaiser_beta_is_refused_as_by_firwin(rng):
    """i0(1e4) overflows: SciPy designs NaN taps and returns NaN; pyjl refuses the
    window by name, with firwin's words."""
    x = rng.standard_normal(50)
    with np.errstate(invalid="ignore"):
        assert np.all(np.isnan(ss.resample_poly(x, 3, 2, window=("kaiser", 1e4))))
    rule = r"^`window` must give a window with finite values whose taps do not all vanish"
    for call in (
        lambda: dsp.resample_poly(x, 3, 2, window=("kaiser", 1e4)),
        lambda: dsp.firwin(61, 1 / 3, window=("kaiser", 1e4)),
    ):
        with pytest.raises(InputError, match=rule + r"; got \('kaiser', 10000.0\)\. Fix: .*beta"):
            call()


def test_resample_poly_output_beyond_float64_warns(rng):
    """A constant 1.7e308 at 3/2: the overshoot near the start exceeds float64 (inf, with
    upfirdn's NumericalWarning); the rest is SciPy's unit-scale result times 1.7e308."""
    want = ss.resample_poly(np.ones(20), 3, 2) * 1.7
    with pytest.warns(NumericalWarning, match="resample_poly's output is not finite"):
        got = dsp.resample_poly(np.full(20, 1.7e308), 3, 2)
    np.testing.assert_array_equal(np.isinf(got), want > 1.7976931348623157)
    np.testing.assert_allclose(got[want < 1.79] / 1e308, want[want < 1.79], rtol=1e-13)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # finite where the true output is: no warning
        got = dsp.resample_poly(np.full(20, 1.5e308), 3, 2)
    np.testing.assert_allclose(got / 1e308, want / 1.7 * 1.5, rtol=1e-13)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int16, np.complex128])
@pytest.mark.parametrize(("shape", "axis"), [((0,), -1), ((3, 0), -1), ((0, 4), 0)])
def test_no_samples_give_no_output_as_in_scipy(dtype, shape, axis):
    x = np.zeros(shape, dtype)
    calls = [
        lambda m: m.upfirdn([1.0, 2.0, 1.0], x, 3, 2, axis=axis),
        lambda m: m.resample_poly(x, 3, 2, axis=axis),
        lambda m: m.resample_poly(x, 2, 2, axis=axis),
    ]
    if dtype is not np.complex128:  # SciPy drops the imaginary part (pyjl smooths both)
        calls.append(lambda m: m.savgol_filter(x, 5, 2, mode="nearest", axis=axis))
    for zero_phase in (True, False):
        calls.append(
            lambda m, z=zero_phase: m.decimate(x, 3, ftype="fir", axis=axis, zero_phase=z)
        )
    for call in calls:
        want, got = call(ss), call(dsp)
        assert (got.shape, got.dtype) == (want.shape, want.dtype)
    with pytest.raises(InputError, match="`window_length` must be at most the length"):
        dsp.savgol_filter(x, 5, 2, axis=axis)  # mode="interp" fits a window: SciPy too


@pytest.mark.parametrize("dtype", [np.int16, np.uint8, np.int64, np.float32])
@pytest.mark.parametrize("padtype", ["constant", "minimum", "mean", "median", "line"])
def test_resample_poly_dtype_with_given_taps_and_a_background_as_scipy(dtype, padtype):
    # SciPy subtracts the mean or median (float64 for integers) before filtering
    x = (np.arange(30) % 7).astype(dtype)
    taps = (np.hanning(9) + 0.1).astype(np.float32)
    want = ss.resample_poly(x, 2, 3, window=taps, padtype=padtype)
    got = dsp.resample_poly(x, 2, 3, window=taps, padtype=padtype)
    assert got.dtype == want.dtype
    assert_matches(got, want, rtol=1e-5, floor=1e-5)


def test_decimate_refuses_an_iir_order_whose_design_overflows():
    # SciPy's cheby1 raises a bare OverflowError (errno 34) at n = 1000
    x = np.random.default_rng(0).standard_normal(5000)
    with pytest.raises(OverflowError):
        ss.decimate(x, 2, n=1000)
    with pytest.raises(InputError, match=r"`n` must give a Chebyshev I .*got 1000"):
        dsp.decimate(x, 2, n=1000)
    np.testing.assert_allclose(dsp.decimate(x, 2, n=12), ss.decimate(x, 2, n=12), rtol=1e-9)
