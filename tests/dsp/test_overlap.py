"""``check_COLA`` and ``check_NOLA`` against :mod:`scipy.signal` over windows, lengths,
overlaps and tolerances, against closed forms (boxcar and Hann overlaps, a window with
holes), against what ``istft`` does (it warns exactly when NOLA fails), and every refusal
(each naming the argument)."""

import warnings

import numpy as np
import pytest
import scipy.signal as ss

from pyjl.dsp import check_COLA, check_NOLA, istft, stft
from pyjl.exceptions import InputError, InputTypeError

RNG = np.random.default_rng(20261206)
WINDOWS = ["boxcar", "hann", "hamming", "bartlett", "blackman", ("tukey", 0.5), ("kaiser", 8)]


@pytest.mark.parametrize("window", WINDOWS)
def test_equal_scipy(window):
    for nperseg in (1, 2, 3, 10, 51, 64, 256):
        for noverlap in sorted({0, nperseg // 2, nperseg - 1, (2 * nperseg) // 3}):
            if noverlap >= nperseg:
                continue
            for tol in (1e-10, 1e-3, 0.0):
                for ours, theirs in ((check_COLA, ss.check_COLA), (check_NOLA, ss.check_NOLA)):
                    got, want = (
                        ours(window, nperseg, noverlap, tol),
                        theirs(window, nperseg, noverlap, tol),
                    )
                    assert type(got) is type(want) and got == want, (window, nperseg, noverlap)


def test_array_windows_equal_scipy():
    for n in (5, 16, 33):
        w = RNG.uniform(0.1, 1.0, n)
        w[RNG.integers(0, n, 2)] = 0.0  # some holes
        for noverlap in range(n):
            for tol in (1e-10, 0.5):
                assert check_COLA(w, n, noverlap, tol) == ss.check_COLA(w, n, noverlap, tol)
                assert check_NOLA(w, n, noverlap, tol) == ss.check_NOLA(w, n, noverlap, tol)
                assert check_NOLA(list(w), float(n), np.int64(noverlap), tol) == ss.check_NOLA(
                    w, n, noverlap, tol
                )


def test_closed_forms():
    # a boxcar adds up to a constant whenever the hop divides the segment
    for nperseg in (8, 12, 30):
        for step in range(1, nperseg + 1):
            assert bool(check_COLA("boxcar", nperseg, nperseg - step)) == (nperseg % step == 0)
            assert check_NOLA("boxcar", nperseg, nperseg - step)
    # the periodic Hann window is COLA at hops nperseg / k, k >= 2, and not at other hops
    assert all(check_COLA("hann", 240, 240 - 240 // k) for k in (2, 3, 4, 5, 6, 8))
    assert not check_COLA("hann", 240, 240 - 70)
    assert not check_COLA("hann", 240, 0)  # no overlap: the window itself is not constant
    # a window that is zero on every other sample: hop 8 leaves holes, hop 1 does not
    w = np.ones(16)
    w[::2] = 0
    assert not check_NOLA(w, 16, 8) and check_NOLA(w, 16, 15)
    # the tolerance: at half overlap the squared Hann folds to sin^4 + cos^4, in [0.5, 1]
    assert check_NOLA("hann", 128, 64, tol=0.45) and not check_NOLA("hann", 128, 64, tol=0.55)


@pytest.mark.parametrize(
    "window, nperseg, noverlap",
    [("hann", 64, 0), ("hann", 64, 32), ("boxcar", 16, 5), ("hann", 32, 31)],
)
def test_istft_warns_exactly_when_nola_fails(window, nperseg, noverlap):
    x = RNG.standard_normal(512)
    zxx = stft(x, window=window, nperseg=nperseg, noverlap=noverlap, boundary="zeros")[2]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        istft(zxx, window=window, nperseg=nperseg, noverlap=noverlap)
    nola_warned = any("NOLA" in str(w.message) for w in caught)
    assert nola_warned == (not check_NOLA(window, nperseg, noverlap))


REFUSALS = [
    ("nperseg", lambda f: f("hann", -10, 0), InputError),
    ("nperseg", lambda f: f("hann", 0, 0), InputError),
    ("nperseg", lambda f: f("hann", 10.5, 0), InputTypeError),
    ("noverlap", lambda f: f("hann", 10, 20), InputError),
    ("noverlap", lambda f: f("hann", 10, 10), InputError),
    ("noverlap", lambda f: f("hann", 64, -32), InputError),
    ("noverlap", lambda f: f("hann", 64, 2.5), InputTypeError),
    ("window", lambda f: f(np.ones((2, 2)), 10, 0), InputError),
    ("window", lambda f: f(np.ones(20), 10, 0), InputError),
    ("window", lambda f: f(np.r_[np.ones(9), np.nan], 10, 0), InputError),
    ("window", lambda f: f(np.zeros(10), 10, 0), InputError),
    ("window", lambda f: f("bogus", 10, 0), InputError),
    ("window", lambda f: f(("kaiser", np.nan), 10, 0), InputError),
    ("tol", lambda f: f("hann", 10, 5, -1.0), InputError),
    ("tol", lambda f: f("hann", 10, 5, np.nan), InputError),
    ("tol", lambda f: f("hann", 10, 5, "small"), InputTypeError),
]


@pytest.mark.parametrize("func", [check_COLA, check_NOLA])
@pytest.mark.parametrize(
    "name, call, kind", REFUSALS, ids=[f"{r[0]}-{i}" for i, r in enumerate(REFUSALS)]
)
def test_refusals_name_the_argument(func, name, call, kind):
    with pytest.raises(kind) as info:
        call(func)
    message = str(info.value)  # a window's parameter is named as `window[1]`
    assert (f"`{name}`" in message or f"`{name}[" in message) and "Fix:" in message
