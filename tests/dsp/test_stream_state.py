"""The streaming filters' state ``zi_``: a checked assignment, and a state kept exact
through data near the float64 limit (compared with SciPy and the one-shot calls)."""

import warnings

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp
from pyjl.exceptions import InputError, NumericalWarning

SOS = ss.butter(6, 0.2, output="sos")  # 3 sections
TAPS = ss.firwin(21, 0.3)


def _sos(sos=SOS):
    return dsp.SosFilter(sos)


def _fir():
    return dsp.FirFilter(TAPS)


def _one_shot_sos(x):
    return ss.sosfilt(SOS, x, axis=-1)


def _one_shot_fir(x):
    return ss.lfilter(TAPS, 1.0, x, axis=-1)


STREAMS = [(_sos, _one_shot_sos, "(40, 3, 2)"), (_fir, _one_shot_fir, "(40, 20)")]
TAIL = {_sos: (3, 2), _fir: (20,)}  # the state's shape after its channel axis
WRONG = {
    _sos: [(1, 3, 2), (40, 1, 2), (0, 3, 2), (1, 1, 1), (40, 3, 1), (40, 3, 2, 1), (3, 2)],
    _fir: [(1, 20), (40, 2), (40, 200), (2, 20), (40,), (0, 20)],
}


@pytest.mark.parametrize("make, one_shot, want", STREAMS)
def test_wrong_shaped_state_is_refused_and_the_stream_goes_on(rng, make, one_shot, want):
    """A state of another shape than the stream's would be read out of bounds by the
    kernel: each is refused, naming the shape wanted, and the state is left as it was."""
    x = rng.standard_normal((40, 500))
    f = make()
    first = f.process(x[:, :10])
    for shape in WRONG[make]:
        with pytest.raises(
            InputError,
            match=rf"^`zi_` must have shape {re_shape(want)}.*"
            rf"got shape {re_shape(str(shape))}\. Fix: ",
        ):
            f.zi_ = np.zeros(shape)
    rest = f.process(x[:, 10:])
    np.testing.assert_allclose(np.hstack((first, rest)), one_shot(x), rtol=1e-12, atol=1e-12)


def re_shape(text):
    return text.replace("(", r"\(").replace(")", r"\)")


@pytest.mark.parametrize("make, one_shot, want", STREAMS)
def test_assigned_state_is_a_finite_float64_copy(rng, make, one_shot, want):
    """The assigned array is copied (never written or aliased by the stream), converted
    to float64 (integers, float32, strided), and refused when not finite."""
    x = rng.standard_normal((40, 300))
    f = make()
    f.process(x[:, :100])
    saved = f.zi_.copy()
    mine = np.asfortranarray(saved.astype(np.float32))
    f.zi_ = mine
    before = mine.copy()
    assert f.zi_.dtype == np.float64 and f.zi_.flags.c_contiguous
    assert not np.shares_memory(f.zi_, mine)
    f.process(x[:, 100:])
    np.testing.assert_array_equal(mine, before)
    bad = saved.copy()
    bad.flat[7] = np.nan
    with pytest.raises(InputError, match=r"^`zi_` must be finite"):
        f.zi_ = bad
    f.zi_ = saved.astype(np.int64)
    assert f.zi_.dtype == np.float64


@pytest.mark.parametrize("make, one_shot, want", STREAMS)
def test_restored_state_continues_the_stream_bit_for_bit(rng, make, one_shot, want):
    """``g.zi_ = f.zi_`` on a fresh filter, then the rest of the signal: the
    uninterrupted stream bit for bit, and SciPy's one-shot result; the saved array is
    not changed by either stream going on."""
    x = rng.standard_normal((40, 900))
    f = make()
    head = f.process(x[:, :333])
    saved = f.zi_
    kept = saved.copy()
    g = make()
    g.zi_ = saved
    tail_g = g.process(x[:, 333:])
    tail_f = f.process(x[:, 333:])
    np.testing.assert_array_equal(tail_g, tail_f)
    np.testing.assert_array_equal(g.zi_, f.zi_)
    np.testing.assert_array_equal(saved, kept)
    np.testing.assert_allclose(np.hstack((head, tail_g)), one_shot(x), rtol=1e-12, atol=1e-12)
    if make is _sos:  # 40 channels run in one serial pass: the one-shot's arithmetic
        np.testing.assert_array_equal(np.hstack((head, tail_g)), dsp.sosfilt(SOS, x))


@pytest.mark.parametrize("make, one_shot, want", STREAMS)
def test_state_before_the_first_chunk_fixes_the_channels(rng, make, one_shot, want):
    """A state assigned before the first chunk is its initial state (SciPy's ``zi``) and
    fixes the channel count as a first chunk would, until ``reset()``; None restarts from
    zeros at the next chunk."""
    x = rng.standard_normal((3, 200))
    zi = rng.standard_normal((3,) + TAIL[make])
    f = make()
    f.zi_ = zi
    with pytest.raises(InputError, match=r"^`chunk` must keep 3 channel\(s\) until reset\(\)"):
        f.process(x[:2])
    with pytest.raises(InputError, match=r"^`zi_` must have shape \(3, "):
        f.zi_ = zi[:2]
    got = f.process(x)
    if make is _sos:
        ref = ss.sosfilt(SOS, x, zi=zi.transpose(1, 0, 2))[0]
    else:
        ref = ss.lfilter(TAPS, 1.0, x, zi=zi)[0]
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12)
    f.zi_ = None  # the next chunk starts from zeros, the channel count kept
    np.testing.assert_allclose(f.process(x), one_shot(x), rtol=1e-12, atol=1e-12)
    f.reset()  # the state and the channel count are free again
    f.zi_ = zi[:2]
    ref2 = f.process(x[:2])
    assert ref2.shape == (2, 200)


# --- data near the float64 limit ------------------------------------------------------
BIG_SOS = ss.butter(4, 0.2, output="sos")
# the same filter with 2**20 of gain moved from the second section to the first: the
# first section's output and state exceed float64 inside the burst, the output does not
SHIFTED = BIG_SOS * np.array([[2.0**20] * 3 + [1.0] * 3, [2.0**-20] * 3 + [1.0] * 3])


def _burst(n=200):
    x = np.zeros(n)
    x[50:60] = 1.5e308  # finite, the filter's true output too (it peaks at 1.68e308)
    return x


@pytest.mark.parametrize(
    "cuts", [[100], [55], [50, 51, 52, 57, 60, 61, 90], list(range(1, 200, 3))]
)
@pytest.mark.parametrize("sos", [BIG_SOS, SHIFTED], ids=["butter", "shifted-gain"])
def test_sos_stream_reruns_data_near_the_float64_limit(cuts, sos):
    """Samples near 1.8e308 overflow inside the sections: the stream reruns the chunk at a
    power-of-two scale as the one-shot ``sosfilt`` does, and keeps its state at that
    scale while the true state exceeds float64 (a cut inside the burst), so any chunking
    gives the one-shot result to rounding, finite and without a warning, and the stream
    goes on."""
    x = _burst()
    f = dsp.SosFilter(sos)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = np.concatenate([f.process(p) for p in np.split(x, cuts)])
        more = f.process(np.zeros(40))
    full = np.concatenate((x, np.zeros(40)))
    ref = dsp.sosfilt(sos, full)
    s = 2.0**1023  # exact: SciPy on the data divided by a power of two, scaled back
    np.testing.assert_array_equal(ref, ss.sosfilt(sos, full / s) * s)
    got = np.concatenate((out, more))
    assert np.isfinite(got).all() and np.isfinite(f.zi_).all()
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-13 * np.abs(ref).max())


def test_sos_stream_near_the_limit_scales_channels_apart(rng):
    """Only the channel near the limit is rescaled: the others stay SciPy's result."""
    x = rng.standard_normal((3, 200))
    x[1] = _burst()
    f = dsp.SosFilter(BIG_SOS)
    out = np.hstack([f.process(x[:, :55]), f.process(x[:, 55:])])
    np.testing.assert_array_equal(out[[0, 2]], ss.sosfilt(BIG_SOS, x[[0, 2]]))
    ref = dsp.sosfilt(BIG_SOS, x)
    np.testing.assert_allclose(out[1], ref[1], rtol=0, atol=1e-13 * np.abs(ref[1]).max())


def test_sos_stream_output_beyond_float64_warns_as_the_one_shot():
    """A true output beyond float64 warns (NumericalWarning) where the one-shot call
    does, infinite at the same samples; the stream goes on finite afterwards."""
    sos = BIG_SOS.copy()
    sos[0, :3] *= 4.0  # gain 4: the burst's output exceeds 1.8e308
    x = np.concatenate((_burst(), np.zeros(300)))
    with pytest.warns(NumericalWarning, match="sosfilt's output is not finite"):
        ref = dsp.sosfilt(sos, x)
    f = dsp.SosFilter(sos)
    with pytest.warns(NumericalWarning, match="SosFilter's output is not finite"):
        head = f.process(x[:55])
    with pytest.warns(NumericalWarning, match="SosFilter's output is not finite"):
        mid = f.process(x[55:100])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tail = f.process(x[100:])
    got = np.concatenate((head, mid, tail))
    np.testing.assert_array_equal(np.isfinite(got), np.isfinite(ref))
    ok = np.isfinite(ref)
    np.testing.assert_allclose(got[ok], ref[ok], rtol=0, atol=1e-13 * np.abs(ref[ok]).max())
    assert np.isfinite(tail).all()


def test_sos_stream_near_the_limit_still_refuses_nan(rng):
    """A NaN chunk while the state is kept scaled is refused, the state kept."""
    f = dsp.SosFilter(BIG_SOS)
    x = _burst()
    f.process(x[:55])
    state = f.zi_
    bad = x[55:].copy()
    bad[3] = np.nan
    with pytest.raises(InputError, match=r"`chunk` must be finite"):
        f.process(bad)
    np.testing.assert_array_equal(f.zi_, state)
    ref = dsp.sosfilt(BIG_SOS, x)
    rest = f.process(x[55:])
    np.testing.assert_allclose(rest, ref[55:], rtol=0, atol=1e-13 * np.abs(ref).max())


@pytest.mark.parametrize("cuts", [[5], [1, 2, 7], [3, 4], [9]])
def test_fir_stream_keeps_a_state_beyond_float64_as_the_one_shot_needs_none(cuts):
    # taps [-3, 2, 2] on 1e308: the output after the first sample fits in float64, the
    # state (2 x + 2 x) does not; scaled back to float64 it was inf and then NaN
    taps, x = np.array([-3.0, 2.0, 2.0]), np.full(10, 1e308)
    with pytest.warns(NumericalWarning):
        want = dsp.lfilter(taps, [1.0], x)  # -inf at the first sample, then +-1e308
    f = dsp.FirFilter(taps)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumericalWarning)  # the first sample's -inf
        got = np.concatenate([f.process(part) for part in np.split(x, cuts)])
    np.testing.assert_array_equal(got, want)
    assert np.isfinite(got[1:]).all()


@pytest.mark.parametrize("make", ["sos", "fir"])
def test_a_stream_pickled_by_an_earlier_pyjl_continues(rng, make):
    # earlier streams kept their state in the plain attribute zi_ (now a checked property)
    # and had none of the attributes derived from the coefficients since
    sos, taps = ss.butter(4, 0.2, output="sos"), ss.firwin(21, 0.3)
    x = rng.standard_normal((3, 400))
    f = dsp.SosFilter(sos) if make == "sos" else dsp.FirFilter(taps)
    head = f.process(x[:, :150])
    old = {k: v for k, v in f.__dict__.items() if k not in ("_sos_unit", "_sb", "_zi_tail")}
    old["zi_"] = old.pop("_zi")
    g = type(f).__new__(type(f))
    g.__setstate__(old)
    got = np.concatenate([head, g.process(x[:, 150:])], axis=1)
    want = ss.sosfilt(sos, x) if make == "sos" else ss.lfilter(taps, 1.0, x)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_a_read_state_is_read_only_so_changes_go_through_the_check():
    import scipy.signal as ss

    f = dsp.SosFilter(ss.butter(4, 0.1, output="sos"))
    f.process(np.ones(50))
    with pytest.raises(ValueError, match="read-only"):
        f.zi_[0, 0, 0] = np.nan  # would have bypassed the finiteness check
    f.zi_ = np.zeros_like(f.zi_)  # assignment, checked and copied, works
    assert not f.zi_.any()


def test_coefficients_read_are_copies(rng):
    # an edit in place of the filter's own arrays would skip every check (a0 = 2
    # ignored, NaN taps): what is read is a copy, which SciPy's kernels take as given
    import pickle

    sos = ss.butter(2, 0.1, output="sos")
    given = sos.copy()
    x = rng.standard_normal(300)
    filters = [
        (dsp.SosFilter(given), "sos", lambda y: ss.sosfilt(sos, y)),
        (dsp.FirFilter(given[0, :3]), "taps", lambda y: ss.lfilter(sos[0, :3], 1.0, y)),
        (dsp.Resampler(3, 2), "h", lambda y: ss.resample_poly(y, 3, 2)),
    ]
    given[0, 0] = 7.0  # the caller's array changes afterwards: not the filters'
    for f, name, want in filters:
        for g in (f, pickle.loads(pickle.dumps(f))):
            getattr(g, name)[0] = 2.0  # a copy: the filter keeps its own
            assert getattr(g, name).flags.writeable
        out = f.process(x)
        if name == "h":
            out = np.r_[out, f.flush()]
        np.testing.assert_allclose(out, want(x), rtol=1e-12, atol=1e-14)
    f = dsp.SosFilter(sos)
    np.testing.assert_array_equal(ss.sosfilt(f.sos, x), f.process(x))  # SciPy takes it


def test_a_stream_pickled_with_public_coefficients_continues(rng):
    # earlier pyjl kept sos/taps/h as plain attributes; such a state still loads
    sos = ss.butter(3, 0.2, output="sos")
    x = rng.standard_normal(200)
    for f, old, new in [
        (dsp.SosFilter(sos), "sos", "_sos"),
        (dsp.FirFilter([1.0, 2.0, 3.0]), "taps", "_given"),
        (dsp.Resampler(3, 2), "h", "_h"),
    ]:
        f.process(x[:50])
        state = f.__getstate__()
        state[old] = np.array(state.pop(new))
        g = object.__new__(type(f))
        g.__setstate__(state)
        np.testing.assert_array_equal(g.process(x[50:]), f.process(x[50:]))
        np.testing.assert_array_equal(getattr(g, old), getattr(f, old))
