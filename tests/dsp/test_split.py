"""One long sosfilt (or IIR lfilter) channel split in time: segments in SIMD lanes, each
corrected by the
zero-input response of its predecessor's final state (from the filter's unit-state
responses, or by the recursion where those would not fit in the cache), run on the
team of worker threads (one thread runs the same segments alone); against SciPy, whose
arithmetic is the serial kernel's."""

import os
import select
import threading

import numpy as np
import pytest
import scipy.signal as ss

import pyjl.dsp as dsp

from .helpers import assert_matches

native = pytest.importorskip("pyjl._native.dsp", reason="the native DSP kernels are not built")
# every long channel splits, new filter or not; at every lane width the CPU runs
pytestmark = pytest.mark.usefixtures("split_now", "lane_width")

FILTERS = {
    "butter8": ss.butter(8, 0.1, output="sos"),  # responses in one group of lanes
    "butter10": ss.butter(10, 0.2, output="sos"),  # ten unit states: two groups
    "cheby1_3": ss.cheby1(3, 1.0, 0.3, output="sos"),  # a first-order section
    "narrow": ss.butter(8, 0.004, output="sos"),  # responses too long: the recursion
}


def _scipy(sos, x, zi):
    y, zf = ss.sosfilt(sos, x, zi=zi.transpose(1, 0, 2))
    return y, zf.transpose(1, 0, 2)


def _close_to_serial(got, serial):
    # the serial kernel is SciPy's arithmetic; the split differs by rounding only
    scale = float(np.max(np.abs(serial)))
    np.testing.assert_allclose(got, serial, rtol=1e-12, atol=1e-12 * scale)


@pytest.mark.parametrize("name", ["butter8", "butter10", "cheby1_3"])
def test_unit_state_responses_are_scipys(name):
    sos = FILTERS[name]
    T, H = native._zir_responses(sos)
    assert T > 0 and T % 64 == 0 and H.shape == (2 * sos.shape[0], T)
    for j in range(H.shape[0]):
        zi = np.zeros((sos.shape[0], 2))
        zi.flat[j] = 1.0
        y, zf = ss.sosfilt(sos, np.zeros(T), zi=zi)
        # a column whose states decayed sooner than the others' ends in zeros
        np.testing.assert_allclose(H[j], y, rtol=1e-13, atol=1e-24)
        # after T samples every state is below rounding of the one it started from
        assert np.abs(zf).max() <= 1e-24


@pytest.mark.parametrize(
    "design",
    [(8, 0.1, "low"), (4, [0.1, 0.3], "band"), (4, 0.05, "high"), (2, 1e-3, "low")],
)
def test_steady_states_are_scipys(design):
    # a segment starts from the steady state of its level: sosfilt_zi's and lfilter_zi's,
    # as close to the recursion's fixed point in exact arithmetic for the float
    # coefficients as SciPy's (whose linear solve is off by 2.5e-12 of it for a section
    # of butter(2, 1e-3), by 3e-8 for butter(6, 0.02) in direct form)
    order, wn, btype = design
    sos = ss.butter(order, wn, btype, output="sos")
    b, a = ss.butter(order, wn, btype)
    for got, theirs, exact in (
        (native._steady_state_of(sos), ss.sosfilt_zi(sos).ravel(), _dc_state_exact(sos)),
        (native._steady_state_of(b, a), ss.lfilter_zi(b, a), _dc_state_exact([b], a)),
    ):
        scale = float(np.max(np.abs(exact)))
        np.testing.assert_allclose(got, theirs, rtol=0, atol=1e-10 * scale)
        err, err_theirs = np.max(np.abs(got - exact)), np.max(np.abs(theirs - exact))
        assert err <= max(err_theirs, 1e-15 * scale)


def _dc_state_exact(sections, a=None):
    """The fixed point of each section (or of the direct form ``b = sections[0]``, ``a``)
    under a unit constant input, each fed the one before's output level, in fractions."""
    from fractions import Fraction

    z, level = [], Fraction(1)
    for row in sections:
        bs = [Fraction(v) for v in (row[:3] if a is None else row)]
        as_ = [Fraction(v) for v in (row[3:] if a is None else a)]
        y = level * sum(bs) / sum(as_)
        acc, part = Fraction(0), []
        for j in range(len(as_) - 1, 0, -1):
            acc += bs[j] * level - as_[j] * y
            part.append(float(acc))
        z += part[::-1]
        level = y
    return np.array(z)


def test_a_pole_at_one_has_no_steady_state():
    assert native._steady_state_of([1.0, 0.0], [1.0, -1.0]) is None  # an integrator
    assert native._steady_state_of([[1.0, 0.0, 0.0, 1.0, -1.0, 0.0]]) is None


def test_long_responses_are_not_kept():
    assert native._zir_responses(FILTERS["narrow"]) == (0, None)


@pytest.mark.parametrize("n", [32_767, 32_768, 65_536, 65_545, 131_072])
@pytest.mark.parametrize("n_threads", [1, 2, 3, 5])
@pytest.mark.parametrize("name", ["butter8", "butter10", "cheby1_3"])
def test_split_equals_scipy_and_serial(rng, name, n, n_threads):
    # 32,768 samples: the shortest channel split in time (32,767 is not); 2^16 and 2^17
    # give segments a multiple of 4 kB apart (shortened, the rest filtered after them);
    # 3 and 5 threads: more tasks than cores, the last block of lanes partly filled; one
    # thread: the segments of one block of lanes
    sos = FILTERS[name]
    x = rng.standard_normal((1, n))
    zi = rng.standard_normal((1, sos.shape[0], 2))
    y, zf = native.sosfilt(sos, x, zi, n_threads)
    y_ref, zf_ref = _scipy(sos, x, zi)
    assert_matches(y, y_ref)
    assert_matches(zf, zf_ref)
    _close_to_serial(y, y_ref)
    _close_to_serial(zf, zf_ref)


@pytest.mark.parametrize("at", [None, 10_000, 700_000])
def test_split_by_the_recursion(rng, at):
    # responses longer than the cache holds are run by the recursion in lanes; a NaN in
    # a segment reaches every later sample, as in SciPy
    sos = FILTERS["narrow"]
    x = rng.standard_normal((1, 1_500_000))
    if at is not None:
        x[0, at] = np.nan
    y, zf = native.sosfilt(sos, x, None, 2)
    y_ref, zf_ref = _scipy(sos, x, np.zeros((1, sos.shape[0], 2)))
    if at is None:
        assert_matches(y, y_ref)
        assert_matches(zf, zf_ref)
        _close_to_serial(y, y_ref)
        _close_to_serial(native.sosfilt(sos, x, None, 1)[0], y_ref)
    else:
        assert np.isfinite(y[0, :at]).all() and np.isnan(y[0, at:]).all()
        assert_matches(y[0, :at], y_ref[0, :at])


@pytest.mark.parametrize(
    "lengths",
    [
        (65_536,) * 6,
        (1, 65_536, 1, 65_536, 2, 32_768, 32_767, 32_769, 3),
        (98_304, 65_536 + 8, 1, 131_072),
    ],
)
@pytest.mark.parametrize("name", ["butter8", "butter10"])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_stream_of_split_chunks_equals_scipy(rng, name, lengths, n_threads):
    # a stream's chunks, each split in time on its own (2^16 samples: the benchmark's),
    # between chunks of one to three samples: the concatenation is SciPy's on the whole
    import pyjl

    sos = FILTERS[name]
    x = rng.standard_normal(sum(lengths)) + 50.0  # an offset: each segment starts near it
    zi = ss.sosfilt_zi(sos) * x[0]
    f = dsp.SosFilter(sos, zi=zi)
    old = pyjl.get_num_threads()
    pyjl.set_num_threads(n_threads)
    try:
        out = np.concatenate([f.process(p) for p in np.split(x, np.cumsum(lengths)[:-1])])
    finally:
        pyjl.set_num_threads(old)
    y_ref, zf_ref = ss.sosfilt(sos, x, zi=zi)
    assert_matches(out, y_ref)
    assert_matches(f.zi_[0], zf_ref)


def test_callers_on_several_threads_share_the_team(rng):
    # while one call holds the team, the others run their tasks alone: same results
    sos = FILTERS["butter8"]
    xs = [rng.standard_normal((1, 131_072)) for _ in range(6)]
    got = [None] * len(xs)

    def work(i):
        for _ in range(5):
            got[i] = native.sosfilt(sos, xs[i], None, 2)[0]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(xs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for x, y in zip(xs, got, strict=True):
        assert_matches(y, ss.sosfilt(sos, x))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork() on this platform")
def test_split_in_a_forked_child(rng):
    # the child of a fork has none of the parent's workers: it starts its own
    sos = FILTERS["butter8"]
    x = rng.standard_normal((1, 131_072))
    native.sosfilt(sos, x, None, 2)  # the parent's team is running
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.write(w, native.sosfilt(sos, x, None, 2)[0].tobytes())
        finally:
            os._exit(0)
    os.close(w)
    data = b""
    while len(data) < x.nbytes and select.select([r], [], [], 60)[0]:
        part = os.read(r, 1 << 20)
        if not part:
            break
        data += part
    os.close(r)
    os.waitpid(pid, 0)
    assert len(data) == x.nbytes
    assert_matches(np.frombuffer(data).reshape(1, -1), ss.sosfilt(sos, x))


# direct forms whose unit-state responses stay within the split's bound (largest 1.8 to 19)
BA = {
    "butter2": ss.butter(2, 0.1),
    "butter4": ss.butter(4, 0.1),
    "cheby1_4": ss.cheby1(4, 1.0, 0.2),
    "bessel4": ss.bessel(4, 0.1),
    "first_order": ss.butter(1, 0.05),
    "fir_longer": (np.array([0.2, 0.3, 0.1, 0.05, 0.02]), np.array([1.0, -0.5])),
}


@pytest.mark.parametrize("n", [32_768, 65_536, 131_077])
@pytest.mark.parametrize("n_threads", [1, 2, 3])
@pytest.mark.parametrize("name", sorted(BA))
def test_lfilter_split_equals_scipy(rng, name, n, n_threads):
    # one long channel of lfilter with a denominator, split in time as sosfilt's; a DC
    # offset makes the states far from zero at every segment boundary
    b, a = BA[name]
    x = rng.standard_normal((1, n)) + 3.0
    zi = rng.standard_normal((1, max(len(a), len(b)) - 1))
    k = zi.shape[1] + 1
    bp, ap = np.zeros(k), np.zeros(k)
    bp[: len(b)], ap[: len(a)] = b, a
    y, zf = native.lfilter(bp, ap, x, zi, n_threads)
    y_ref, zf_ref = ss.lfilter(b, a, x[0], zi=zi[0])
    _close_to_serial(y[0], y_ref)
    _close_to_serial(zf[0], zf_ref)


def test_lfilter_split_is_used_and_chunks_chain(rng):
    # chunks of 2^16 with the state carried equal the one call; the split is taken (its
    # result differs from SciPy's serial pass by rounding somewhere in 10^6 samples)
    b, a = BA["butter4"]
    x = rng.standard_normal(1 << 20)
    y_ref, zf_ref = ss.lfilter(b, a, x, zi=np.zeros(4))
    y = native.lfilter(b, a, x[None], None, 2)[0][0]
    assert not np.array_equal(y, y_ref)
    _close_to_serial(y, y_ref)
    z, parts = np.zeros((1, 4)), []
    for s in range(0, x.size, 1 << 16):
        out, z = native.lfilter(b, a, x[None, s : s + (1 << 16)], z, 2)
        parts.append(out[0])
    _close_to_serial(np.concatenate(parts), y_ref)
    _close_to_serial(z[0], zf_ref)


@pytest.mark.parametrize("at", [10, 70_000, 299_990])
def test_lfilter_split_carries_nan_on(rng, at):
    # a NaN in one segment reaches every later sample and the state, as in SciPy
    b, a = BA["butter2"]
    x = rng.standard_normal((1, 300_000))
    x[0, at] = np.nan
    y, zf = native.lfilter(b, a, x, None, 2)
    assert np.isfinite(y[0, :at]).all() and np.isnan(y[0, at:]).all() and np.isnan(zf).all()
    _close_to_serial(y[0, :at], ss.lfilter(b, a, x[0, :at]))


def _exact_sos(sos, x, zi):
    # the same sections in extended precision (x87 long double, 64-bit mantissa)
    S = [[np.longdouble(v) for v in row] for row in sos]
    Z = [[np.longdouble(v) for v in row] for row in zi]
    y = np.empty(len(x), dtype=np.longdouble)
    for t, v in enumerate(x.astype(np.longdouble)):
        for c, z in zip(S, Z, strict=True):
            out = c[0] * v + z[0]
            z[0] = c[1] * v - c[4] * out + z[1]
            z[1] = c[2] * v - c[5] * out
            v = out
        y[t] = v
    return y


def _exact_ba(b, a, x, zi):
    # the direct form II transposed in extended precision
    B, A = [np.longdouble(v) for v in b], [np.longdouble(v) for v in a]
    z = [np.longdouble(v) for v in zi]
    k = len(B)
    y = np.empty(len(x), dtype=np.longdouble)
    for t, v in enumerate(x.astype(np.longdouble)):
        out = z[0] + B[0] * v
        for j in range(k - 2):
            z[j] = z[j + 1] + v * B[j + 1] - out * A[j + 1]
        z[k - 2] = v * B[k - 1] - out * A[k - 1]
        y[t] = out
    return y


@pytest.mark.skipif(np.finfo(np.longdouble).eps >= 1e-18, reason="no extended long double")
@pytest.mark.parametrize(
    "form, design",
    [
        ("sos", (4, 0.05, "high")),
        ("sos", (2, [0.1, 0.2], "band")),
        ("ba", (2, 0.1, "high")),
        ("ba", (2, [0.1, 0.2], "band")),
    ],
)
def test_split_of_an_offset_signal_is_as_accurate_as_scipy(rng, form, design):
    # data far from zero through a filter that removes the offset (a sensor's raw counts
    # high-passed): each segment starts from the steady state of the level before it, so
    # the corrections cancel no offset transient and the split is as close to the exact
    # result as SciPy's one pass (started from rest, the direct form's was 18x further)
    x = rng.standard_normal(65_536) + 1e6
    b, a = ss.butter(*design)
    if form == "sos":
        sos = ss.tf2sos(b, a)
        zi = ss.sosfilt_zi(sos) * x[0]
        exact = _exact_sos(sos, x, zi)
        ours = native.sosfilt(sos, x[None], zi[None], 2)[0][0]
        theirs = ss.sosfilt(sos, x, zi=zi)[0]
    else:
        zi = ss.lfilter_zi(b, a) * x[0]
        exact = _exact_ba(b, a, x, zi)
        ours = native.lfilter(b, a, x[None], zi[None], 2)[0][0]
        theirs = ss.lfilter(b, a, x, zi=zi)[0]
    assert not np.array_equal(ours, theirs)  # split
    scale = float(np.max(np.abs(exact)))
    err_ours = float(np.max(np.abs(ours - exact))) / scale
    err_theirs = float(np.max(np.abs(theirs - exact))) / scale
    assert err_ours <= 3 * err_theirs + 1e-14


@pytest.mark.parametrize("form", ["sos", "ba"])
def test_a_new_filter_splits_where_its_set_up_pays(rng, form):
    # the split's set-up (unit-state responses, steady state, poles) is a few lane runs
    # of the recursion: a new biquad splits on its first call
    native._set_split_setup(4)
    b, a = ss.butter(2, 0.1 + 1e-3 * rng.uniform())  # a filter no test has used
    sos = ss.tf2sos(b, a)
    x = rng.standard_normal((1, 40_000))

    def ours(v):
        if form == "sos":
            return native.sosfilt(sos, v, None, 2)[0][0]
        return native.lfilter(b, a, v, None, 2)[0][0]

    theirs = ss.sosfilt(sos, x[0]) if form == "sos" else ss.lfilter(b, a, x[0])
    first = ours(x)
    assert not np.array_equal(first, theirs)  # split at once
    _close_to_serial(first, theirs)


def test_a_new_filter_of_many_sections_splits_from_its_second_call(rng):
    # 16 sections: four lane runs of their responses cost more than a first call just
    # long enough to split would gain; it runs serially (SciPy's result exactly), and
    # its second call splits
    native._set_split_setup(4)
    sos = ss.butter(32, 0.3 + 1e-3 * rng.uniform(), output="sos")
    decay = native._decay_length(sos)
    n = 2 * max(16384, 4 * decay)
    assert n < 4 * 4 * (decay + 1024)  # below the set-up's bound
    x = rng.standard_normal((1, n))
    theirs = ss.sosfilt(sos, x[0])
    np.testing.assert_array_equal(native.sosfilt(sos, x, None, 2)[0][0], theirs)
    second = native.sosfilt(sos, x, None, 2)[0][0]
    assert not np.array_equal(second, theirs)
    _close_to_serial(second, theirs)


SHORT_DECAY = {  # decays of 346 to 931 samples: eight lanes of 2,048 from 16,384 on
    "butter2": ss.butter(2, 0.1, output="sos"),
    "butter4": ss.butter(4, 0.1, output="sos"),
    "butter4_wide": ss.butter(4, 0.3, output="sos"),
}


@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("name", sorted(SHORT_DECAY))
def test_a_short_channel_of_a_short_decay_splits(rng, name, n_threads):
    # from 8 x 2,048 samples on (segments at least twice the decay): split, to rounding;
    # one sample fewer: one serial pass, SciPy's result exactly
    sos = SHORT_DECAY[name]
    assert 2 * native._decay_length(sos) <= 2048
    for n in (16_384, 20_000, 32_767):
        x = rng.standard_normal((1, n)) + 3.0
        zi = rng.standard_normal((1, sos.shape[0], 2))
        y, zf = native.sosfilt(sos, x, zi, n_threads)
        y_ref, zf_ref = _scipy(sos, x, zi)
        assert not np.array_equal(y, y_ref)
        _close_to_serial(y, y_ref)
        _close_to_serial(zf, zf_ref)
    x = rng.standard_normal((1, 16_383))
    y, zf = native.sosfilt(sos, x, None, n_threads)
    y_ref, zf_ref = _scipy(sos, x, np.zeros((1, sos.shape[0], 2)))
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(zf, zf_ref)


def test_the_short_split_waits_for_a_long_decay(rng):
    # butter(8, 0.1), decay 1,833: eight segments of 3,666 from 29,328 samples on
    sos = FILTERS["butter8"]
    for n, split in ((29_327, False), (29_328, True)):
        x = rng.standard_normal((1, n))
        y = native.sosfilt(sos, x, None, 1)[0]
        y_ref = ss.sosfilt(sos, x[0])
        assert np.array_equal(y[0], y_ref) != split
        _close_to_serial(y[0], y_ref)


@pytest.mark.parametrize("n", [16_383, 16_384, 24_576])
def test_a_short_direct_form_splits_as_sosfilt(rng, n):
    # lfilter's one-step path for small calls leaves these to the split; butter(2, 0.1)'s
    # responses peak at 1.8
    b, a = ss.butter(2, 0.1)
    x = rng.standard_normal(n)
    zi = ss.lfilter_zi(b, a) * x[0]
    y, zf = dsp.lfilter(b, a, x, zi=zi)
    y_ref, zf_ref = ss.lfilter(b, a, x, zi=zi)
    assert np.array_equal(y, y_ref) == (n < 16_384)
    _close_to_serial(y, y_ref)
    _close_to_serial(zf, zf_ref)


@pytest.mark.parametrize("at", [100, 9_000, 16_383])
def test_a_short_split_carries_nan_on(rng, at):
    sos = SHORT_DECAY["butter4"]
    x = rng.standard_normal((1, 16_384))
    x[0, at] = np.nan
    y, zf = native.sosfilt(sos, x, None, 2)
    y_ref = ss.sosfilt(sos, x[0])
    assert np.isnan(y[0, at:]).all() and np.isnan(zf).all()
    _close_to_serial(y[0, :at], y_ref[:at])


@pytest.mark.parametrize("chunk", [16_384, 24_000, 65_536])
def test_streams_of_two_filters_alternating(rng, chunk):
    # chunk after chunk the split keeps the last filter's set-up at hand: two streams
    # (and a third filter differing from one in the last bit of one coefficient)
    # alternating must each use their own
    sos_a, sos_b = SHORT_DECAY["butter4"], FILTERS["butter8"]
    sos_c = sos_a.copy()
    sos_c[-1, -1] = np.nextafter(sos_c[-1, -1], 0.0)
    x = rng.standard_normal(4 * chunk)
    streams = [dsp.SosFilter(s) for s in (sos_a, sos_b, sos_c)]
    outs = [[], [], []]
    for i in range(0, x.size, chunk):
        for k, f in enumerate(streams):
            outs[k].append(f.process(x[i : i + chunk]))
    for k, s in enumerate((sos_a, sos_b, sos_c)):
        _close_to_serial(np.concatenate(outs[k]), ss.sosfilt(s, x))


@pytest.mark.parametrize("shape", [(8, 512), (8, 8192), (16, 16_384), (3, 4096), (9, 32_768)])
def test_rows_a_multiple_of_4_kb_apart_are_scipys(rng, shape):
    # channels in lanes whose rows start a multiple of 4 kB apart (a stream's 2^k chunk of
    # several channels): SciPy's result bit for bit, on one thread and two
    sos = FILTERS["butter8"]
    b, a = ss.butter(4, 0.1)
    x = rng.standard_normal(shape)
    for n_threads in (1, 2):
        np.testing.assert_array_equal(
            native.sosfilt(sos, x, None, n_threads)[0], ss.sosfilt(sos, x)
        )
        np.testing.assert_array_equal(
            native.lfilter(b, a, x, None, n_threads)[0], ss.lfilter(b, a, x)
        )
