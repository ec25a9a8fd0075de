"""pyjl.dsp.ShortTimeFFT against scipy.signal.ShortTimeFFT and the defining sums."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.signal as ss

from pyjl import dsp
from pyjl.exceptions import InputError

RNG = np.random.default_rng(20261206)
MODES = ("onesided", "twosided", "centered", "onesided2X")


def pair(win, hop, **kw):
    """SciPy's object and pyjl's, made alike."""
    return ss.ShortTimeFFT(win, hop, 2.0, **kw), dsp.ShortTimeFFT(win, hop, 2.0, **kw)


def close(got, want, x, win, rtol=1e-11):
    """``got == want`` to rounding: the same dtype and shape, values relative to the
    largest a frame of ``x`` through ``win`` can make (a near-zero bin is noise)."""
    assert got.dtype == want.dtype and got.shape == want.shape
    scale = max(np.abs(want).max(initial=0.0), np.abs(x).max() * np.abs(win).sum(), 1e-300)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale)


@pytest.mark.parametrize("fft_mode", MODES)
@pytest.mark.parametrize("phase_shift", [0, None, 5])
@pytest.mark.parametrize("mfft", [None, 150])
@pytest.mark.parametrize("detr", [None, "constant", "linear"])
def test_stft_and_istft_match_scipy(fft_mode, phase_shift, mfft, detr):
    win = ss.windows.hann(128, sym=False)
    scale = "psd" if fft_mode == "onesided2X" else None
    ref, ours = pair(win, 37, fft_mode=fft_mode, mfft=mfft, phase_shift=phase_shift,
                     scale_to=scale)  # fmt: skip
    assert isinstance(ours, ss.ShortTimeFFT)
    x = RNG.standard_normal((3, 900))
    for padding in ("zeros", "edge", "even", "odd"):
        want = ref.stft_detrend(x, detr, padding=padding)
        close(ours.stft_detrend(x, detr, padding=padding), want, x, win)
    S = ref.stft(x)
    close(ours.istft(S, k1=900), ref.istft(S, k1=900), x, win, rtol=1e-10)
    close(ours.spectrogram(x), ref.spectrogram(x), x**2, win**2)
    y = RNG.standard_normal((3, 900))
    close(ours.spectrogram(x, y, detr), ref.spectrogram(x, y, detr), x * y, win**2)


def test_stft_is_the_defining_sum():
    """``S[q, p] = sum_k x[k] conj(w[k - p hop + m//2]) e^{-2 pi i q (k - p hop) / mfft}``
    (zero outside the signal), SciPy's definition, summed directly."""
    m, hop, n = 9, 4, 40
    win = RNG.standard_normal(m) + 1j * RNG.standard_normal(m)
    x = RNG.standard_normal(n) + 1j * RNG.standard_normal(n)
    sft = dsp.ShortTimeFFT(win, hop, 1.0, fft_mode="twosided", mfft=12)
    S = sft.stft(x)
    q = np.arange(sft.mfft)[:, None]
    for i, p in enumerate(range(sft.p_min, sft.p_max(n))):
        k = np.arange(p * hop - m // 2, p * hop - m // 2 + m)
        inside = (k >= 0) & (k < n)
        seg = np.where(inside, x[np.clip(k, 0, n - 1)], 0) * win.conj()
        # phase_shift 0: the FFT's time origin is the frame's centre p * hop
        phase = np.exp(-2j * np.pi * q * (k - p * hop) / sft.mfft)
        np.testing.assert_allclose(S[:, i], phase @ seg, rtol=1e-12, atol=1e-12)


def test_random_configurations_match_scipy():
    compared = 0
    for _ in range(150):
        m = int(RNG.integers(1, 40))
        hop = int(RNG.integers(1, m + 3))
        complex_win = RNG.random() < 0.3
        win = RNG.standard_normal(m) + (1j * RNG.standard_normal(m) if complex_win else 0)
        modes = MODES[1:3] if complex_win else MODES
        mode = modes[RNG.integers(len(modes))]
        kw = {
            "fft_mode": mode,
            "mfft": None if RNG.random() < 0.5 else m + int(RNG.integers(0, 9)),
            "phase_shift": [0, None, int(RNG.integers(-m + 1, m))][RNG.integers(3)],
            "scale_to": "magnitude" if mode == "onesided2X" else None,
        }
        ref, ours = pair(win, hop, **kw)
        ndim = int(RNG.integers(1, 3))
        shape = [int(RNG.integers(1, 4)) for _ in range(ndim)]
        axis = int(RNG.integers(-ndim, ndim))
        shape[axis] = int(RNG.integers(m - m // 2, 200))
        x = RNG.standard_normal(shape)
        if not ref.onesided_fft and RNG.random() < 0.5:
            x = x + 1j * RNG.standard_normal(shape)
        args = {
            "k_offset": int(RNG.integers(-3, 4)),
            "padding": ("zeros", "edge", "even", "odd")[RNG.integers(4)],
            "axis": axis,
        }
        want = ref.stft(x, **args)
        close(ours.stft(x, **args), want, x, win)
        if ref.invertible and args["k_offset"] == 0:
            S = np.moveaxis(want, axis if axis >= 0 else axis - 1, -2)
            close(ours.istft(S, k1=shape[axis]), ref.istft(S, k1=shape[axis]), x, win, 1e-9)
        compared += 1
    assert compared == 150


def test_a_function_detrends_each_slice_as_scipy_calls_it():
    seen = []

    def detr(s):
        seen.append(s.shape)
        return s - np.median(s, axis=-1, keepdims=True)

    win = ss.windows.hamming(16)
    ref, ours = pair(win, 5)
    x = RNG.standard_normal((2, 100))
    want = ref.stft_detrend(x, detr)
    n_ref, seen[:] = list(seen), []
    close(ours.stft_detrend(x, detr), want, x, win)
    assert seen == n_ref  # one call per slice, each on (channels, m)
    with pytest.raises(InputError, match="`detr` must return a slice of the same shape"):
        ours.stft_detrend(x, lambda s: s[..., :3])


def test_three_dimensional_signal_with_longer_fft():
    """SciPy's slice-by-slice FFT zero-pads with ``np.hstack`` and fails on 3-D input
    when ``mfft > m_num``; pyjl's answer equals SciPy's for each 2-D part."""
    win = ss.windows.hann(16, sym=False)
    ref, ours = pair(win, 4, mfft=20)
    x = RNG.standard_normal((2, 3, 100))
    with pytest.raises(ValueError):
        ref.stft(x)
    got = ours.stft(x)
    for i in range(2):
        np.testing.assert_allclose(got[i], ref.stft(x[i]), rtol=1e-12, atol=1e-12)


def test_istft_before_the_first_slice():
    """For ``k0 < 0`` SciPy's first slice index can be below ``p_min`` and then reads
    the last slices of ``S`` (a negative index): pyjl starts at ``p_min``, which equals
    SciPy's answer once those last slices are zero.  (The STFT of a signal padded with
    zeros hides it: the wrapped slice's tail is padding.)"""
    win = RNG.standard_normal(28)
    ref, ours = pair(win, 16, fft_mode="twosided")
    S = RNG.standard_normal((28, 3)) + 1j * RNG.standard_normal((28, 3))  # a spectrum edited
    last = (S.shape[-1] + ref.p_min - 1) * ref.hop - ref.m_num_mid  # where it starts
    zeroed = S.copy()
    zeroed[:, -1] = 0
    for k0 in (-5, -13):
        assert k0 // ref.hop < ref.p_min  # SciPy reads S[..., -1] as slice p_min - 1
        got, want = ours.istft(S, k0), ref.istft(zeroed, k0)
        np.testing.assert_allclose(got[: last - k0], want[: last - k0], atol=1e-12)
        assert not np.allclose(ref.istft(S, k0)[: last - k0], want[: last - k0])
    close(ours.istft(S), ref.istft(S), S, np.ones(1), rtol=1e-10)


def test_classmethods_and_properties_are_scipys():
    ours = dsp.ShortTimeFFT.from_window("hann", fs=100.0, nperseg=64, noverlap=48)
    ref = ss.ShortTimeFFT.from_window("hann", fs=100.0, nperseg=64, noverlap=48)
    assert type(ours) is dsp.ShortTimeFFT
    for name in ("hop", "m_num", "mfft", "f_pts", "p_min", "k_min", "delta_t", "scaling"):
        assert getattr(ours, name) == getattr(ref, name)
    np.testing.assert_array_equal(ours.f, ref.f)
    np.testing.assert_array_equal(ours.t(500), ref.t(500))
    unitary = dsp.ShortTimeFFT.from_win_equals_dual(np.ones(8), 4, 1.0)
    x = RNG.standard_normal(64)
    np.testing.assert_allclose(unitary.istft(unitary.stft(x), k1=64), x, atol=1e-12)


def test_array_likes_and_tables_in():
    win = ss.windows.hann(32, sym=False)
    ref, ours = pair(win, 8)
    x = RNG.standard_normal(300)
    want = ref.stft(x)
    close(ours.stft(list(x)), want, x, win)
    close(ours.stft(pd.Series(x)), want, x, win)
    frame = pd.DataFrame({"a": x, "b": 2 * x})
    close(ours.stft(frame, axis=0), ref.stft(frame.to_numpy(), axis=0), x, win)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: dsp.ShortTimeFFT(np.ones((2, 2)), 4, 1), "`win` must be a non-empty 1-D"),
        (lambda: dsp.ShortTimeFFT([], 4, 1), "`win` must be a non-empty 1-D"),
        (lambda: dsp.ShortTimeFFT([1, np.nan], 1, 1), "`win` must be finite"),
        (lambda: dsp.ShortTimeFFT(np.ones(4), 0, 1), "`hop` must be an integer >= 1"),
        (lambda: dsp.ShortTimeFFT(np.ones(4), 2, 0), "`fs` must be a finite number > 0"),
        (lambda: dsp.ShortTimeFFT(np.ones(4), 2, 1, dual_win=np.ones(5)), "`dual_win` must"),
        (lambda: dsp.ShortTimeFFT(np.ones(4), 2, 1, mfft=3), "`mfft` must be an integer >= 4"),
        (lambda: dsp.ShortTimeFFT(np.ones(4), 2, 1, fft_mode="x"), "`fft_mode` must be one"),
        (lambda: dsp.ShortTimeFFT(np.ones(4) + 1j, 2, 1), "for a complex window"),
        (lambda: dsp.ShortTimeFFT(np.ones(4), 2, 1, fft_mode="onesided2X"), "scaled to"),
        (lambda: dsp.ShortTimeFFT(np.ones(4), 2, 1, scale_to="db"), "`scale_to` must be"),
        (lambda: dsp.ShortTimeFFT(np.ones(4), 2, 1, phase_shift=4), "`phase_shift` must"),
        (lambda: dsp.closest_STFT_dual_window(np.ones(4), 5), "`hop` must be an integer"),
        (lambda: dsp.closest_STFT_dual_window(np.ones(4), 2, np.ones(3)), "`desired_dual`"),
    ],
)
def test_bad_construction_names_the_argument(make, match):
    with pytest.raises(InputError, match=match):
        make()


def test_bad_calls_name_the_argument_and_change_nothing():
    sft = dsp.ShortTimeFFT(np.ones(8), 4, 1.0)
    for attr, value, match in [
        ("fs", -1, "`fs`"),
        ("T", 0, "`T`"),
        ("mfft", 7, "`mfft`"),
        ("phase_shift", 2.5, "`phase_shift`"),
        ("fft_mode", "onesided2X", "`fft_mode`"),
    ]:
        before = getattr(sft, attr)
        with pytest.raises(InputError, match=match):
            setattr(sft, attr, value)
        assert getattr(sft, attr) == before
    x = np.zeros(16)
    for call, match in [
        (lambda: sft.stft(np.array([1.0, np.nan] * 8)), "`x` must be finite"),
        (lambda: sft.stft(np.ones(16) * 1j), "`x` must be real for fft_mode='onesided'"),
        (lambda: sft.stft(np.zeros(3)), "at least ceil"),
        (lambda: sft.stft(x, padding="wrap"), "`padding`"),
        (lambda: sft.stft(x, 0, 99), "`p0, p1`"),
        (lambda: sft.stft(x, axis=1), "`axis`"),
        (lambda: sft.stft_detrend(x, "quadratic"), "`detr`"),
        (lambda: sft.stft_detrend(x, np.nan), "`detr`"),
        (lambda: sft.scale_to("unitary"), "`scaling`"),
        (lambda: sft.stft(x, k_offset=100, padding="edge"), "`k_offset`"),
        (lambda: sft.istft(np.zeros((sft.f_pts, 2)), f_axis=0, t_axis=0), "`t_axis`"),
        (lambda: sft.istft(np.zeros((2, 2))), "`S` must have f_pts"),
        (lambda: sft.istft(np.zeros((sft.f_pts, 1))), "time slices"),
        (lambda: sft.istft(np.zeros((sft.f_pts, 3)), k1=100), "`k1`"),
        (lambda: sft.istft(np.full((sft.f_pts, 3), np.nan)), "`S` must be finite"),
    ]:
        with pytest.raises(InputError, match=match):
            call()
    bad = dsp.ShortTimeFFT(np.ones(8), 16, 1.0)  # frames 16 apart never overlap
    with pytest.raises(InputError, match="invertible"):
        bad.istft(np.zeros((bad.f_pts, 3)))


def test_big_endian_windows_are_read_as_their_numbers():
    # was a bare ValueError from the engine ("Big-endian buffer not supported")
    x, win = RNG.standard_normal(200), ss.windows.hann(16, sym=False)
    got = dsp.ShortTimeFFT(win.astype(">f8"), 8, 1.0).stft(x)
    assert np.allclose(got, ss.ShortTimeFFT(win, 8, 1.0).stft(x), rtol=1e-12, atol=1e-12)


def test_huge_counts_are_refused_by_name():
    # hop = 2**70 was NumPy's bare TypeError in np.pad, mfft = 2**70 a bare ValueError
    win = ss.windows.hann(16, sym=False)
    with pytest.raises(InputError, match="^`hop` must be an integer >= 1 and <= 16777216"):
        dsp.ShortTimeFFT(win, 2**70, 1.0)
    with pytest.raises(InputError, match="^`mfft` "):
        dsp.ShortTimeFFT(win, 8, 1.0, mfft=2**70)
    sft = dsp.ShortTimeFFT(win, 8, 1.0)
    with pytest.raises(InputError, match="^`mfft` "):
        sft.mfft = 2**70


def test_the_second_signal_of_a_cross_spectrogram_is_named_y():
    sft, x = dsp.ShortTimeFFT(ss.windows.hann(16, sym=False), 8, 1.0), RNG.standard_normal(64)
    for y in (np.r_[x[:-1], np.nan], x + 1j, np.zeros(0)):
        with pytest.raises(InputError, match="^`y` "):
            sft.spectrogram(x, y)


def test_results_that_overflow_are_refused_by_name():
    win = ss.windows.hann(16, sym=False)
    sft, x = dsp.ShortTimeFFT(win, 8, 1.0), RNG.standard_normal(64)
    big = x / np.abs(x).max() * 1e308
    for call in (lambda: sft.stft(big), lambda: sft.spectrogram(big)):
        with pytest.raises(InputError, match="^`x` and `win` must give a finite result"):
            call()
    dual = dsp.ShortTimeFFT(win, 8, 1.0, dual_win=np.full(16, 1e308))
    with pytest.raises(InputError, match="^`S` and `dual_win` must give a finite result"):
        dual.istft(sft.stft(x), k1=64)


def test_k1_before_k0_names_both():
    sft, x = dsp.ShortTimeFFT(ss.windows.hann(16, sym=False), 8, 1.0), RNG.standard_normal(64)
    with pytest.raises(InputError, match=r"^`k1` .*Fix: pass k1 from k0 \+ 1 = 65"):
        sft.istft(sft.stft(x), k0=64, k1=64)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"win": np.ones(16), "hop": 16, "desired_dual": np.zeros(16)}, "desired_dual"),
        ({"win": np.zeros(16), "hop": 8}, "desired_dual"),
        ({"win": np.r_[np.ones(8), np.zeros(8)], "hop": 16}, "win"),  # not invertible
        ({"win": np.ones(16), "hop": 8, "desired_dual": np.full(16, 1e308)}, "desired_dual"),
    ],
)
def test_closest_dual_window_failures_are_refused_by_name(kwargs, name):
    # SciPy's messages named no argument (or only `scaled`); a desired_dual of 1e308 gave NaN
    with pytest.raises(InputError, match=f"^`{name}` "):
        dsp.closest_STFT_dual_window(**kwargs)


@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.longdouble, np.int64])
def test_windows_of_any_real_dtype_as_scipy(dtype):
    win = (ss.windows.hann(16, sym=False) * (10 if dtype == np.int64 else 1)).astype(dtype)
    x = RNG.standard_normal((2, 200))
    for kw in ({}, {"scale_to": "psd"}, {"fft_mode": "twosided"}):
        ref, ours = pair(win, 4, **kw)
        for detr in (None, "constant", "linear"):
            close(ours.stft_detrend(x, detr), ref.stft_detrend(x, detr), x, win.astype(float))
    # SciPy's inverse sums into float64 (complex128 two-sided) whatever S's precision
    for mode, f_pts in (("onesided", 9), ("twosided", 16)):
        ref, ours = pair(win.astype(np.float32), 4, fft_mode=mode)
        S = (RNG.standard_normal((f_pts, 40)) + 1j * RNG.standard_normal((f_pts, 40))).astype(
            np.complex64
        )
        want, got = ref.istft(S), ours.istft(S)
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "name, args",
    [
        ("p_max", (4,)),
        ("p_num", (4,)),
        ("k_max", (4,)),
        ("t", (4,)),
        ("upper_border_begin", (4,)),
        ("p_range", (44, 1000)),
        ("extent", (40,)),
    ],
)
def test_the_methods_kept_from_scipy_refuse_as_input_errors(name, args):
    # SciPy refuses these with a plain ValueError: the same call is refused, in its words
    win = np.hanning(14) + 0.1
    theirs = ss.ShortTimeFFT(win, 3, fs=1.0, fft_mode="twosided")
    ours = dsp.ShortTimeFFT(win, 3, fs=1.0, fft_mode="twosided")
    with pytest.raises(ValueError) as want:
        getattr(theirs, name)(*args)
    with pytest.raises(InputError) as got:
        getattr(ours, name)(*args)
    assert str(got.value).startswith(str(want.value).rstrip(".!"))


def test_a_dual_window_scipy_cannot_build_is_an_input_error():
    for make in (
        lambda cls: cls(np.hanning(4), 8, fs=1.0).dual_win,
        lambda cls: cls.from_dual(np.ones(4), 8, 1.0),
        lambda cls: cls.from_win_equals_dual(np.ones(4), 8, 1.0),
    ):
        with pytest.raises(ValueError) as want:
            make(ss.ShortTimeFFT)
        with pytest.raises(InputError) as got:
            make(dsp.ShortTimeFFT)
        assert str(got.value).startswith(str(want.value).rstrip(".!"))
