"""The one-step small-call kernels (``lfilter_small``, ``upfirdn_small`` of the native
engine): SciPy's results for the calls they take, None (the full path) for every other
call, and through the public functions the same errors and warnings as before."""

import warnings

import numpy as np
import pytest
from scipy import signal

from pyjl import dsp
from pyjl._native import dsp as kernels
from pyjl.engines import native
from pyjl.exceptions import InputError, NumericalWarning


@pytest.fixture
def wired(monkeypatch):
    """The native engine with its small-call kernels (the engine methods, where the
    engine module does not have them yet, call the compiled ones)."""
    for name in ("lfilter_small", "upfirdn_small"):
        if not hasattr(native.NativeEngine, name):
            kernel = getattr(kernels, name)
            monkeypatch.setattr(
                native.NativeEngine, name, lambda self, *args, k=kernel: k(*args), raising=False
            )


SHAPES = [(1,), (16,), (4, 16), (256,), (4, 256), (3, 5000)]


@pytest.mark.parametrize("shape", SHAPES)
def test_lfilter_small_equals_scipy(rng, shape):
    x = rng.standard_normal(shape)
    for b, a in (signal.butter(4, 0.1), signal.butter(8, 0.3), (signal.firwin(9, 0.3), [1.0])):
        b, a = np.asarray(b, dtype=float), np.asarray(a, dtype=float)
        y = kernels.lfilter_small(b, a, x, None)
        assert y is not None and y.shape == x.shape
        want = signal.lfilter(b, a, x)
        np.testing.assert_allclose(y, want, rtol=0, atol=1e-14 * np.abs(want).max())
        if a.size > 1:  # IIR: SciPy's arithmetic, bit for bit
            assert np.array_equal(y, want)
        zi = rng.standard_normal(shape[:-1] + (max(a.size, b.size) - 1,))
        zi_before = zi.copy()
        y, zf = kernels.lfilter_small(b, a, x, zi)
        y_ref, zf_ref = signal.lfilter(b, a, x, zi=zi)
        np.testing.assert_allclose(y, y_ref, rtol=0, atol=1e-14 * np.abs(y_ref).max())
        np.testing.assert_allclose(zf, zf_ref, rtol=0, atol=1e-14 * np.abs(zf_ref).max())
        assert np.array_equal(zi, zi_before)  # the caller's state is never written


def test_lfilter_small_declines_other_calls(rng):
    b, a = signal.butter(4, 0.1)
    x = rng.standard_normal((4, 64))
    declined = [
        (b, a, x.astype(np.float32), None),
        (b, a, x[:, ::2], None),  # not contiguous
        (b, a, x.reshape(2, 2, 64), None),  # 3-D
        (b, a, x[:, :0], None),  # empty
        (b, a, np.asarray(x, order="F"), None),
        (b.astype(np.complex128), a, x, None),
        (b, a, x, np.zeros((4, 3))),  # state of the wrong length
        (b, a, x, np.zeros((1, 4))),  # a broadcast state: the full path
        (b, a, x.tolist(), None),
        (np.ones(65), np.ones(1), x, None),  # more coefficients than the stack copies
        (b, a, rng.standard_normal((64, 4096)), None),  # work for a second thread
    ]
    for args in declined:
        assert kernels.lfilter_small(*args) is None
    for bad in (np.nan, np.inf):
        xb = x.copy()
        xb[2, 5] = bad
        assert kernels.lfilter_small(b, a, xb, None) is None
        zb = np.zeros((4, 4))
        zb[1, 1] = bad
        assert kernels.lfilter_small(b, a, x, zb) is None
    # finite input whose output overflows: the full path reruns it scaled
    assert kernels.lfilter_small(b, a, np.full(16, 1e308), None) is None


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(("up", "down", "nh"), [(1, 1, 1), (3, 2, 15), (1, 4, 31), (5, 1, 4)])
def test_upfirdn_small_equals_scipy(rng, shape, up, down, nh):
    x = rng.standard_normal(shape)
    h = rng.standard_normal(nh)
    y = kernels.upfirdn_small(h, x, up, down)
    want = signal.upfirdn(h, x, up, down)
    assert y is not None and y.shape == want.shape
    np.testing.assert_allclose(y, want, rtol=0, atol=1e-13 * np.abs(want).max())


def test_upfirdn_small_declines_other_calls(rng):
    h, x = signal.firwin(15, 0.4), rng.standard_normal((2, 32))
    for args in [
        (h, x.astype(np.float32), 3, 2),
        (h.astype(np.float32), x, 3, 2),
        (h, x[:, ::2], 3, 2),
        (h, x[:, :0], 3, 2),
        (h[:0], x, 3, 2),
        (h, x, 0, 2),
        (h, x, 3, 0),
        (h, x, 3.0, 2),
        (h, x, 2**40, 1),
        (h, rng.standard_normal((64, 4096)), 3, 2),
        (np.full(3, np.nan), x, 3, 2),
        (h, np.full((2, 4), np.inf), 3, 2),
        (np.full(3, 1e308), np.full(4, 1e308), 1, 1),
    ]:
        assert kernels.upfirdn_small(*args) is None


@pytest.mark.usefixtures("wired")
def test_public_functions_through_small_kernels(rng):
    b, a = signal.butter(4, 0.1)
    for shape in ((16,), (4, 256)):
        x = rng.standard_normal(shape)
        assert np.array_equal(dsp.lfilter(b, a, x), signal.lfilter(b, a, x))
        assert np.array_equal(dsp.lfilter(b, list(a), x), signal.lfilter(b, a, x))
        zi = np.zeros(shape[:-1] + (7,))
        fir = signal.firwin(8, 0.3)
        got, want = dsp.lfilter(fir, [1.0], x, zi=zi), signal.lfilter(fir, [1.0], x, zi=zi)
        for g, w in zip(got, want, strict=True):
            np.testing.assert_allclose(g, w, rtol=0, atol=1e-14)
        np.testing.assert_allclose(
            dsp.upfirdn(fir, x, 3, 2), signal.upfirdn(fir, x, 3, 2), rtol=0, atol=1e-14
        )
    # a complex numerator with zero imaginary part keeps SciPy's complex result
    x = rng.standard_normal(16)
    y = dsp.lfilter(b.astype(np.complex128), a, x)
    assert y.dtype == np.complex128
    np.testing.assert_allclose(y, signal.lfilter(b.astype(np.complex128), a, x), atol=1e-14)


@pytest.mark.usefixtures("wired")
def test_public_checks_unchanged_on_small_calls(rng):
    b, a = signal.butter(4, 0.1)
    x = rng.standard_normal(16)
    xb = x.copy()
    xb[3] = np.nan
    with pytest.raises(InputError, match="x"):
        dsp.lfilter(b, a, xb)
    with pytest.raises(InputError, match="x"):
        dsp.upfirdn(signal.firwin(5, 0.3), xb)
    with pytest.raises(InputError, match="h"):
        dsp.upfirdn(np.array([1.0, np.inf]), x)
    with pytest.raises(InputError, match="up"):
        dsp.upfirdn(np.ones(3), x, up=0)
    with pytest.raises(InputError, match="a\\[0\\]"):
        dsp.lfilter(b, np.array([0.0, 1.0]), x)
    # an unstable denominator warns on every call, where the warning points at the caller
    for _ in range(2):
        with pytest.warns(NumericalWarning, match="unstable") as caught:
            dsp.lfilter([1.0], np.array([1.0, -1.5]), x)
        assert caught[0].filename == __file__
    # data near the float64 limit is filtered scaled, as SciPy where SciPy's fits
    big = np.full(16, 1e307)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = dsp.lfilter(np.array([0.5, 0.5]), np.array([1.0]), big)
    np.testing.assert_allclose(y, signal.lfilter([0.5, 0.5], [1.0], big), rtol=1e-15)


@pytest.mark.parametrize("lanes", [True, False])
def test_one_thread_paths_equal_scipy(rng, lanes):
    """Small calls on one thread run without a parallel region, in lanes or (lanes off,
    or more taps than a lane kernel takes) one channel at a time: SciPy's arithmetic."""
    x = rng.standard_normal((3, 200))
    a_long = np.zeros(70)
    a_long[[0, -1]] = 1.0, 0.5  # poles of radius 0.5 ** (1 / 69): stable
    b_long = rng.standard_normal(70)
    b, a = signal.butter(6, 0.2)
    kernels._set_lanes(lanes)
    try:
        assert np.array_equal(kernels.lfilter_small(b, a, x, None), signal.lfilter(b, a, x))
        assert np.array_equal(dsp.lfilter(b_long, a_long, x), signal.lfilter(b_long, a_long, x))
    finally:
        kernels._set_lanes(True)
