"""savgol_coeffs and savgol_filter against scipy.signal and closed forms (SciPy's own
test_savitzky_golay runs against pyjl.dsp in tests/peers/scipy)."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import scipy.signal as ss
from hypothesis import given, settings
from hypothesis import strategies as st

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, NumericalWarning

from .helpers import assert_matches

MODES = ["interp", "mirror", "constant", "nearest", "wrap"]


@pytest.mark.usefixtures("engine")
@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 40),
    st.integers(1, 30),
    st.integers(0, 6),
    st.integers(0, 4),
    st.sampled_from(MODES),
    st.integers(1, 3),
    st.integers(0, 2**32 - 1),
)
def test_matches_scipy(n, m, p, d, mode, channels, seed):
    """Every mode (the extensions of scipy.ndimage), odd and even windows, windows longer
    than the signal, derivatives beyond the order; rows of channels."""
    x = np.random.default_rng(seed).standard_normal((channels, n))
    kw = dict(deriv=d, delta=0.25, mode=mode, cval=-1.5)
    try:
        want = ss.savgol_filter(x, m, p, **kw)
    except ValueError:
        with pytest.raises(InputError):
            dsp.savgol_filter(x, m, p, **kw)
        return
    assert_matches(dsp.savgol_filter(x, m, p, **kw), want, rtol=1e-9, floor=1e-9)


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("mode", MODES)
def test_long_windows_and_many_channels(rng, mode):
    """Windows past FFT_MIN_TAPS (overlap-add) and the axis of a 3-D array."""
    x = rng.standard_normal((2, 3000, 3))
    # SciPy's coefficients for (301, 4) are 1.6e-8 off the exact ones (pyjl's 8e-15:
    # test_coeffs_keep_their_digits_where_scipys_lose_them), its filter as much
    for m, p, rtol in ((301, 4, 1e-7), (31, 3, 1e-9)):
        want = ss.savgol_filter(x, m, p, axis=1, mode=mode)
        got = dsp.savgol_filter(x, m, p, axis=1, mode=mode)
        assert_matches(got, want, rtol=rtol, floor=rtol)


@pytest.mark.parametrize("mode", ["interp", "nearest", "mirror"])
def test_polynomials_pass_unchanged(mode):
    """A polynomial of degree <= polyorder is its own fit: smoothing returns it and the
    derivatives are exact (away from the ends, where an extension is no polynomial)."""
    t = np.arange(60) * 0.1
    x = 2 - t + 0.5 * t**2 - 0.1 * t**3
    inner = slice(10, -10) if mode != "interp" else slice(None)
    assert_matches(dsp.savgol_filter(x, 11, 3, mode=mode)[inner], x[inner], rtol=1e-10, floor=1e-9)
    slope = dsp.savgol_filter(x, 11, 3, deriv=1, delta=0.1, mode=mode)
    assert_matches(slope[inner], (-1 + t - 0.3 * t**2)[inner], rtol=1e-9, floor=1e-9)
    curve = dsp.savgol_filter(x, 11, 3, deriv=2, delta=0.1, mode=mode)
    assert_matches(curve[inner], (1 - 0.6 * t)[inner], rtol=1e-8, floor=1e-8)


def test_coeffs_match_scipy_and_fit_polynomials():
    for m, p, d, pos, use in [
        (5, 2, 0, None, "conv"),
        (8, 3, 1, 2.5, "dot"),
        (21, 4, 2, None, "dot"),
    ]:
        want = ss.savgol_coeffs(m, p, deriv=d, delta=0.5, pos=pos, use=use)
        got = dsp.savgol_coeffs(m, p, deriv=d, delta=0.5, pos=pos, use=use)
        assert_matches(got, want, rtol=1e-12, floor=1e-14)
    # use="dot" at pos evaluates the fitted cubic's value there: exact on a cubic
    t = np.arange(9.0)
    x = t**3 - 4 * t
    assert dsp.savgol_coeffs(9, 3, pos=2.5, use="dot") @ x == pytest.approx(2.5**3 - 10)
    assert not np.any(dsp.savgol_coeffs(7, 2, deriv=3))  # a derivative beyond the order


def _exact_coeffs(m, p, d=0, delta=1.0):
    """SciPy's definition (the minimum-norm ``c`` with ``sum_i c_i t_i^j = j! delta^-j``
    at ``j = d``, else 0, ``t`` the window's offsets from its middle), in 50 digits."""
    import mpmath as mp

    with mp.workdps(50):
        t = [mp.mpf(i) - mp.mpf(m - 1) / 2 for i in range(m)][::-1]  # use="conv"
        A = mp.matrix([[ti**j for ti in t] for j in range(p + 1)])
        y = mp.matrix(p + 1, 1)
        y[d] = mp.factorial(d) / mp.mpf(delta) ** d
        c = A.T * mp.inverse(A * A.T) * y
        return np.array([float(v) for v in c])


@pytest.mark.parametrize("m, p, d", [(51, 11, 0), (301, 4, 0), (25, 14, 0), (31, 10, 2)])
def test_coeffs_keep_their_digits_where_scipys_lose_them(m, p, d):
    # SciPy fits on the integer offsets, whose powers lose float64's digits from about
    # polyorder 10 (at (51, 11) its coefficients sum to 0.001, not 1); pyjl fits on [-1, 1]
    want = _exact_coeffs(m, p, d, 0.5)
    got = dsp.savgol_coeffs(m, p, deriv=d, delta=0.5)
    assert np.max(np.abs(got - want)) <= 1e-12 * np.max(np.abs(want))
    # so a polynomial of degree p passes unchanged, where SciPy's smoothing returns noise
    t = np.linspace(-1, 1, 4 * m)
    poly = np.polynomial.Polynomial(np.random.default_rng(m).standard_normal(p + 1))
    if d == 0:
        y = dsp.savgol_filter(poly(t), m, p, mode="interp")
        np.testing.assert_allclose(y, poly(t), rtol=1e-8, atol=1e-8 * np.abs(poly(t)).max())


def test_dtypes():
    x = np.random.default_rng(1).standard_normal(50)
    assert dsp.savgol_filter(x.astype(np.float32), 7, 2).dtype == np.float32
    assert dsp.savgol_filter(np.arange(50), 7, 2).dtype == np.float64
    assert dsp.savgol_filter(x.astype(np.float16), 7, 2).dtype == np.float64  # as SciPy's


def test_complex_data_keep_their_imaginary_part():
    """The filter is real: it smooths both parts (SciPy drops the imaginary one)."""
    rng = np.random.default_rng(2)
    z = rng.standard_normal(80) + 1j * rng.standard_normal(80)
    got = dsp.savgol_filter(z, 9, 3, mode="mirror")
    want = ss.savgol_filter(z.real, 9, 3, mode="mirror") + 1j * ss.savgol_filter(
        z.imag, 9, 3, mode="mirror"
    )
    assert got.dtype == np.complex128
    assert_matches(got, want, rtol=1e-10, floor=1e-12)


def test_tables_smooth_their_columns(rng):
    values = rng.standard_normal((100, 2))
    df = pd.DataFrame(values, columns=["a", "b"], index=pd.RangeIndex(100, 200))
    got = dsp.savgol_filter(df, 11, 2)
    assert isinstance(got, pd.DataFrame) and got.index.equals(df.index)
    assert_matches(got.to_numpy(), ss.savgol_filter(values, 11, 2, axis=0), rtol=1e-10)
    tbl = pa.table({"a": values[:, 0], "b": values[:, 1]})
    got = dsp.savgol_filter(tbl, 11, 2, deriv=1)
    assert isinstance(got, pa.Table) and got.column_names == ["a", "b"]
    want = ss.savgol_filter(values, 11, 2, deriv=1, axis=0)
    assert_matches(np.column_stack([got["a"], got["b"]]), want, rtol=1e-10, floor=1e-12)


@pytest.mark.parametrize("peak", [1e300, 1e-300])
def test_data_near_the_float64_limits(peak):
    """Scaled by a power of two per channel (exact): SciPy's result on the scaled data."""
    x = np.random.default_rng(3).uniform(-1, 1, 64) * peak
    s = 2.0 ** np.floor(np.log2(peak))
    got = dsp.savgol_filter(x, 9, 3)
    assert np.all(np.isfinite(got))
    assert_matches(got / s, ss.savgol_filter(x / s, 9, 3), rtol=1e-10, floor=1e-12)


def test_an_output_beyond_float64_warns():
    x = 1e300 * np.arange(20.0) ** 2  # a second derivative of 2e300 / delta**2
    with pytest.warns(NumericalWarning, match="savgol_filter"):
        y = dsp.savgol_filter(x, 5, 2, deriv=2, delta=1e-10)
    assert np.all(np.isinf(y))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: dsp.savgol_filter(np.ones(10), 5, 5), "`polyorder`"),
        (lambda: dsp.savgol_filter(np.ones(10), 0, 0), "`window_length`"),
        (lambda: dsp.savgol_filter(np.ones(10), 5.5, 2), "`window_length`"),
        (lambda: dsp.savgol_filter(np.ones(4), 5, 2), "`window_length` must be at most"),
        (lambda: dsp.savgol_filter(np.ones(10), 5, 2, deriv=-1), "`deriv`"),
        (lambda: dsp.savgol_filter(np.ones(10), 5, 2, delta=0.0), "`delta`"),
        (lambda: dsp.savgol_filter(np.ones(10), 5, 2, mode="reflect"), "`mode`"),
        (lambda: dsp.savgol_filter(np.ones(10), 5, 2, mode="constant", cval=np.nan), "`cval`"),
        (lambda: dsp.savgol_filter(np.ones(10), 5, 2, axis=1), "`axis`"),
        (lambda: dsp.savgol_filter(np.r_[1.0, np.nan, 2.0], 3, 1), "`x` must be finite"),
        (lambda: dsp.savgol_coeffs(5, 2, pos=5), "`pos`"),
        (lambda: dsp.savgol_coeffs(5, 2, use="corr"), "`use`"),
        (lambda: dsp.savgol_coeffs(5, 2, xp="numpy"), "`xp`"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(InputError, match=match):
        call()


def test_extreme_derivative_scales_are_refused_or_underflow_to_zero():
    # delta=1e-200 gave inf coefficients (and an all-NaN filter) silently; delta=1e200 a
    # bare OverflowError, where the true coefficients (about 1e-400) are 0
    from pyjl.exceptions import InputError

    with pytest.raises(InputError, match="`deriv` must give finite coefficients"):
        dsp.savgol_coeffs(5, 2, deriv=2, delta=1e-200)
    assert not np.any(dsp.savgol_coeffs(5, 2, deriv=2, delta=1e200))
    np.testing.assert_allclose(
        dsp.savgol_coeffs(5, 2, deriv=2, delta=1e100) * 1e200,
        ss.savgol_coeffs(5, 2, deriv=2),
        rtol=1e-12,
    )
