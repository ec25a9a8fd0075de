"""``find_peaks``, ``peak_prominences`` and ``peak_widths`` against :mod:`scipy.signal`:
random and structured signals, every condition as a number, a pair and an array, closed
forms (Gaussian bumps), the input forms, and the refusals (each naming the argument)."""

import inspect
import re
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import scipy.signal as ss
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from pyjl.dsp import find_peaks, peak_prominences, peak_widths
from pyjl.exceptions import InputError, InputTypeError

pytestmark = pytest.mark.filterwarnings(
    "ignore::scipy.signal._peak_finding_utils.PeakPropertyWarning"
)


def _same(ours, theirs):
    """Equal results, dtypes included: arrays, tuples of arrays, (peaks, properties)."""
    if isinstance(theirs, dict):
        assert list(ours) == list(theirs)
        for key in theirs:
            _same(ours[key], theirs[key])
    elif isinstance(theirs, tuple):
        assert type(ours) is tuple and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b)
    else:
        assert type(ours) is np.ndarray and ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)


def _signals(rng):
    """Random and structured signals: noise, plateaus, ties, edges, constants, tiny ones."""
    out = [rng.standard_normal(n) for n in (0, 1, 2, 3, 10, 200)]
    out += [
        np.round(rng.standard_normal(300) * 2),  # many ties and flat tops
        np.repeat(rng.integers(0, 5, 60), rng.integers(1, 5, 60)).astype(float),  # plateaus
        np.ones(12),
        np.array([3.0, 1, 2, 1, 3]),  # maxima at the edges are not peaks
        np.array([0, 1, 1, 0, 1, 1, 1, 0.0]),  # even and odd plateaus
        np.array([0, 2, 1, 2, 1, 2, 0.0]),  # equal peaks
        np.cumsum(rng.standard_normal(500)),
        np.sin(np.linspace(0, 20 * np.pi, 400)) + 0.1 * rng.standard_normal(400),
    ]
    return out


CONDITIONS = ["height", "threshold", "prominence", "width", "plateau_size"]


def _forms(x, name, rng):
    """A condition as a number, pairs (either side None) and arrays of x's length."""
    scale = {"width": 3.0, "plateau_size": 2.0}.get(name, float(np.std(x)) if x.size else 1.0)
    lo, hi = 0.2 * scale, 1.5 * scale
    forms = [lo, (lo, hi), (None, hi), (lo, None), (None, None), np.int64(1)]
    if x.size not in (2,):
        forms.append(rng.uniform(0, lo, x.size))
        forms.append((None, rng.uniform(lo, hi + 1, x.size)))
        forms.append((rng.uniform(0, lo, x.size), hi))
    return forms


def test_signatures_are_scipys():
    for f in (find_peaks, peak_prominences, peak_widths):
        assert inspect.signature(f) == inspect.signature(getattr(ss, f.__name__))


def test_default_call_equals_scipy(rng):
    for x in _signals(rng):
        _same(find_peaks(x), ss.find_peaks(x))


@pytest.mark.parametrize("name", CONDITIONS)
def test_each_condition_equals_scipy(rng, name):
    for x in _signals(rng):
        for form in _forms(x, name, rng):
            _same(find_peaks(x, **{name: form}), ss.find_peaks(x, **{name: form}))


def test_combined_conditions_equal_scipy(rng):
    for x in _signals(rng):
        s = float(np.std(x)) if x.size else 1.0
        kw = dict(
            height=(-s, None),
            threshold=(None, 5 * s),
            distance=3.5,
            prominence=0.1 * s,
            width=(1, None),
            wlen=25.5,
            rel_height=0.8,
            plateau_size=(1, 10),
        )
        _same(find_peaks(x, **kw), ss.find_peaks(x, **kw))


def test_wlen_and_rel_height_are_checked_only_where_they_act(rng):
    # SciPy reads wlen only for prominence or width, rel_height only for width
    x = rng.standard_normal(200)
    for kw in ({"wlen": 1}, {"rel_height": -1.0}, {"wlen": 0, "rel_height": -2.0}):
        _same(find_peaks(x, **kw), ss.find_peaks(x, **kw))
    _same(find_peaks(x, prominence=0.1, rel_height=-1.0), ss.find_peaks(x, prominence=0.1))
    with pytest.raises(InputError, match="`wlen`"):
        find_peaks(x, prominence=0.1, wlen=1)
    with pytest.raises(InputError, match="`rel_height`"):
        find_peaks(x, width=1, rel_height=-1.0)


@pytest.mark.parametrize("distance", [1, 1.5, 2, 3.0001, 7, 50, 10**6, 2**63, 2**64, 1e300])
def test_distance_equals_scipy(rng, distance):
    for x in _signals(rng):
        _same(find_peaks(x, distance=distance), ss.find_peaks(x, distance=min(distance, 10**5)))


@pytest.mark.parametrize("wlen", [None, 1.1, 2, 3, 3.2, 5, 8, 40.5, 10**9])
def test_prominences_and_widths_equal_scipy(rng, wlen):
    for x in _signals(rng):
        peaks = ss.find_peaks(x)[0]
        ref_wlen = None if wlen is None else min(wlen, 10**6)
        _same(peak_prominences(x, peaks, wlen), ss.peak_prominences(x, peaks, ref_wlen))
        for rel in (0.0, 0.25, 0.5, 1.0, 2.5):
            _same(
                peak_widths(x, peaks, rel, wlen=wlen),
                ss.peak_widths(x, peaks, rel, wlen=ref_wlen),
            )
        _same(
            find_peaks(x, prominence=(None, None), width=(None, None), wlen=wlen),
            ss.find_peaks(x, prominence=(None, None), width=(None, None), wlen=ref_wlen),
        )


def test_widths_with_given_prominence_data(rng):
    x = np.cumsum(rng.standard_normal(300))
    peaks = ss.find_peaks(x)[0]
    data = ss.peak_prominences(x, peaks, wlen=31)
    _same(peak_widths(x, peaks, 0.7, data), ss.peak_widths(x, peaks, 0.7, data))
    # lists and other integer dtypes are read as SciPy's float64 and intp arrays
    as_lists = tuple(a.tolist() for a in data)
    _same(peak_widths(x, peaks.tolist(), 0.7, as_lists), ss.peak_widths(x, peaks, 0.7, data))


@given(st.lists(st.integers(-3, 3), min_size=0, max_size=40), st.integers(0, 3))
def test_small_integer_signals_equal_scipy(values, k):
    x = np.array(values, dtype=float)
    kw = [{}, {"plateau_size": (None, None)}, {"threshold": 0}, {"distance": 2}][k]
    _same(find_peaks(x, **kw), ss.find_peaks(x, **kw))
    peaks = ss.find_peaks(x)[0]
    _same(peak_prominences(x, peaks), ss.peak_prominences(x, peaks))
    _same(peak_widths(x, peaks), ss.peak_widths(x, peaks))


def test_gaussian_bumps_closed_forms():
    """Well-separated Gaussian bumps on a flat baseline: peaks at the centres, prominences
    the heights, widths at half prominence the FWHM 2 sqrt(2 ln 2) sigma."""
    t = np.arange(2000.0)
    centres, heights, sigmas = [200, 700, 1200, 1700], [1.0, 2.5, 0.7, 4.0], [10, 25, 5.5, 40]
    x = 3.0 + sum(
        h * np.exp(-0.5 * ((t - c) / s) ** 2) for c, h, s in zip(centres, heights, sigmas)
    )
    peaks, props = find_peaks(x, prominence=0.1, width=(None, None))
    np.testing.assert_array_equal(peaks, centres)
    assert_allclose(props["prominences"], heights, rtol=1e-9)
    fwhm = 2 * np.sqrt(2 * np.log(2)) * np.array(sigmas)
    assert np.all(np.abs(props["widths"] - fwhm) < 1.0)
    assert_allclose(props["width_heights"], 3.0 + np.array(heights) / 2, rtol=1e-9)
    widths = peak_widths(x, peaks, rel_height=0.5)[0]
    np.testing.assert_array_equal(widths, props["widths"])
    assert_allclose(peak_prominences(x, peaks)[0], heights, rtol=1e-9)


@pytest.mark.parametrize(
    "form",
    [
        pd.Series,
        lambda v: pd.Series(v, index=np.arange(len(v)) * 10 + 5),  # positions, not labels
        lambda v: pd.DataFrame({"a": v}),
        lambda v: pa.array(v),
        lambda v: pa.chunked_array([v[:7], v[7:]]),
        list,
        lambda v: v.astype(np.float32),
        lambda v: v[::-1].copy()[::-1],  # non-contiguous
    ],
)
def test_input_forms(form):
    x = np.array([0, 3, 1, 4, 4, 0, 2, 1, 5, 0, 1, 0.0])
    peaks, props = find_peaks(form(x), height=(None, None), prominence=1)
    _same((peaks, props), ss.find_peaks(x, height=(None, None), prominence=1))
    assert peaks.dtype == np.intp
    _same(peak_prominences(form(x), pd.Series(peaks)), ss.peak_prominences(x, peaks))
    _same(peak_widths(form(x), list(peaks)), ss.peak_widths(x, peaks))


def test_condition_as_series_and_integer_signal():
    x = np.array([0, 3, 1, 4, 0, 2, 0])
    bound = pd.Series(np.full(7, 2.5))
    _same(find_peaks(x, height=bound), ss.find_peaks(x, height=np.full(7, 2.5)))
    _same(find_peaks(x.astype(bool)), ss.find_peaks(x.astype(bool)))


def test_infinite_bounds_refused():
    """None is no bound; an infinite or NaN bound is refused (pyjl's rule for bounds)."""
    x = np.array([0, 1, 0, 2, 0.0])
    for bad, name in (((-np.inf, None), "height[0]"), (np.r_[0, 0, np.inf, 0, 0], "height")):
        with pytest.raises(InputError, match=re.escape(f"`{name}`")):
            find_peaks(x, height=bad)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_signal_refused(bad):
    x = np.array([0, 1, 0, 2, 0, 1, 0.0])
    x[4] = bad
    for call in (
        lambda: find_peaks(x),
        lambda: peak_prominences(x, [1]),
        lambda: peak_widths(x, [1]),
        lambda: find_peaks(pd.Series(x)),
    ):
        with pytest.raises(InputError, match=r"`x`.*index 4"):
            call()


def test_pandas_missing_values_refused():
    x = pd.Series([0, 1, None, 1, 0], dtype="Float64")
    with pytest.raises(InputError, match="`x`"):
        find_peaks(x)


BAD_FIND = [
    ({"x": np.ones((2, 3))}, "x", "1-D array"),
    ({"x": 3.0}, "x", "1-D array"),
    ({"x": None}, "x", ""),
    ({"x": ["a", "b"]}, "x", ""),
    ({"x": [1j, 2]}, "x", ""),
    ({"x": pd.DataFrame({"a": [1.0, 2], "b": [1, 2]})}, "x", "1-D array"),
    ({"distance": 0.5}, "distance", ">= 1"),
    ({"distance": -1}, "distance", ""),
    ({"distance": np.nan}, "distance", ""),
    ({"distance": "3"}, "distance", ""),
    ({"wlen": 1, "prominence": 1}, "wlen", "> 1"),  # checked where it acts
    ({"wlen": np.inf, "width": 1}, "wlen", ""),
    ({"rel_height": -0.1, "width": 1}, "rel_height", ">= 0"),
    ({"rel_height": np.nan, "width": 1}, "rel_height", ""),
    ({"height": np.nan}, "height", "finite"),
    ({"height": (np.nan, None)}, "height[0]", "finite"),
    ({"height": (None, np.nan)}, "height[1]", "finite"),
    ({"height": (3, 1)}, "height", "min <= max"),
    ({"height": "ab"}, "height", ""),
    ({"height": True}, "height", ""),
    ({"height": 1j}, "height", ""),
    ({"threshold": np.ones(5)}, "threshold", "length 9"),
    ({"threshold": (None, np.ones(4))}, "threshold[1]", "length 9"),
    ({"prominence": np.ones((9, 1))}, "prominence", ""),
    ({"prominence": (1, 2, 3)}, "prominence", ""),
    ({"width": np.r_[np.ones(8), np.nan]}, "width", "index 8"),
    ({"width": (None, np.inf)}, "width[1]", "finite"),
    ({"plateau_size": ("a", None)}, "plateau_size[0]", ""),
]


@pytest.mark.parametrize(("kwargs", "name", "text"), BAD_FIND)
def test_find_peaks_refusals_name_the_argument(kwargs, name, text):
    kw = {"x": np.array([0, 1, 0, 2, 0, 3, 0, 1, 0.0]), **kwargs}
    with pytest.raises(InputError) as info:
        find_peaks(**kw)
    assert f"`{name}`" in str(info.value)
    assert text in str(info.value)


X = np.array([0, 1, 0, 2, 0, 3, 0.0])
BAD_PEAKS = [
    ([7], "peaks", "not a valid index", InputError),
    ([-1], "peaks", "not a valid index", InputError),
    ([1.0, 3.0], "peaks", "cannot safely cast", InputTypeError),
    ([True], "peaks", "", InputTypeError),
    ([[1, 3]], "peaks", "1-D array", InputError),
    (3, "peaks", "1-D array", InputError),
    (None, "peaks", "", InputError),
    (["a"], "peaks", "", InputTypeError),
]


@pytest.mark.parametrize(("peaks", "name", "text", "cls"), BAD_PEAKS)
def test_peaks_refusals(peaks, name, text, cls):
    for call in (peak_prominences, peak_widths):
        with pytest.raises(cls) as info:
            call(X, peaks)
        assert f"`{name}`" in str(info.value) and text in str(info.value)


def test_overflowing_properties_refused():
    """Data spanning more than the float64 range: SciPy returns an infinite prominence."""
    x = np.array([-1e308, 1e308, -1e308, 0, -1.0])
    assert np.isinf(ss.peak_prominences(x, [1])[0][0])
    for call in (lambda: peak_prominences(x, [1]), lambda: find_peaks(x, prominence=1)):
        with pytest.raises(InputError, match="`x` must keep every peak property finite"):
            call()
    with pytest.raises(InputError, match="`rel_height`"):
        peak_widths(np.array([0, 1e300, 0]), [1], rel_height=1e10)


def test_empty_peaks_and_signal_as_scipy():
    _same(peak_prominences(X, []), ss.peak_prominences(X, []))
    _same(peak_widths([], []), ss.peak_widths([], []))
    _same(find_peaks([]), ss.find_peaks([]))
    with pytest.raises(InputError, match="`peaks`"):
        peak_prominences([], [0])


GOOD = ss.peak_prominences(X, [1, 3])
BAD_DATA = [
    ((None, None, None), "prominence_data[0]", InputTypeError),
    (GOOD[:2], "prominence_data", InputTypeError),
    ("abc", "prominence_data", InputTypeError),
    ((GOOD[0][:1], GOOD[1], GOOD[2]), "prominence_data[0]", InputError),
    ((GOOD[0], GOOD[1], GOOD[2][:1]), "prominence_data[2]", InputError),
    ((GOOD[0], GOOD[1] + 0.5, GOOD[2]), "prominence_data[1]", InputTypeError),
    ((GOOD[0], GOOD[1] - 1, GOOD[2]), "prominence_data", InputError),
    ((GOOD[0], GOOD[1], GOOD[2] + 10), "prominence_data", InputError),
    ((GOOD[0], GOOD[2], GOOD[1]), "prominence_data", InputError),
    ((-GOOD[0], GOOD[1], GOOD[2]), "prominence_data[0]", InputError),
    ((GOOD[0] * np.nan, GOOD[1], GOOD[2]), "prominence_data[0]", InputError),
]


@pytest.mark.parametrize(("data", "name", "cls"), BAD_DATA)
def test_prominence_data_refusals(data, name, cls):
    with pytest.raises(cls) as info:
        peak_widths(X, [1, 3], prominence_data=data)
    assert f"`{name}`" in str(info.value)


def test_nan_refused_where_scipy_is_silently_wrong():
    """Beside a NaN SciPy misses the highest peak (NaN compares false); pyjl refuses it."""
    x = np.array([0, 2, 0, np.nan, 5, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert 4 not in ss.find_peaks(x)[0]
    with pytest.raises(InputError, match="index 3"):
        find_peaks(x)


def test_conditions_as_0d_arrays_and_as_2_by_n_pairs_read_as_scipy():
    # a 0-d array raised a bare TypeError (len() of unsized object); a (2, n) array of
    # per-sample bounds, which SciPy unpacks as (min, max), was refused
    from pyjl.dsp import find_peaks

    x = np.array([0, 3, 1, 4, 1, 2, 2, 0, 5, 0.0])
    n = x.size
    for kw in ("height", "threshold", "prominence", "width", "plateau_size"):
        ours = find_peaks(x, **{kw: np.array(1.0)})
        theirs = ss.find_peaks(x, **{kw: 1.0})
        np.testing.assert_array_equal(ours[0], theirs[0])
    pair = np.array([np.zeros(n), np.full(n, 4.5)])
    np.testing.assert_array_equal(find_peaks(x, height=pair)[0], ss.find_peaks(x, height=pair)[0])
