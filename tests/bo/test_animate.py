"""plots.animate: one frame per trial once 2 are complete, frames that differ, a GIF that
Pillow opens at the asked frame rate, the study only read, bad input refused."""

from __future__ import annotations

import hashlib
import shutil

import numpy as np
import pytest

from pyjl.bo import Categorical, Optimizer, Real, Space, minimize, plots
from pyjl.exceptions import InputError

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
Image = pytest.importorskip("PIL.Image")


def frames(path) -> list[np.ndarray]:
    with Image.open(path) as im:
        assert im.format == "GIF"
        out = []
        for i in range(im.n_frames):
            im.seek(i)
            out.append(np.asarray(im.convert("RGB")))
        return out


def test_one_frame_per_trial_once_two_are_complete(tmp_path):
    opt = Optimizer(Space({"x": Real(-2.0, 2.0)}), n_initial=2, seed=0)
    opt.tell({"x": -1.5}, 3.0)
    opt.tell_failed({"x": 1.9}, "boom")
    for x in (0.7, -0.4, 0.1, 1.2):  # trials 2..5: the first frame is after trial 2
        opt.tell({"x": x}, (x - 0.2) ** 2)
    path = tmp_path / "a.gif"
    assert plots.animate(opt, "x", path, fps=4, n_grid=40) == 4
    got = frames(path)
    assert len(got) == 4
    assert all(f.shape == got[0].shape for f in got)
    assert all(not np.array_equal(a, b) for a, b in zip(got, got[1:]))
    with Image.open(path) as im:
        assert im.info["duration"] == 250  # ms per frame at 4 fps


def test_a_result_animates_without_writing_its_study(tmp_path):
    db = tmp_path / "s.db"
    space = Space({"x": Real(-2.0, 2.0), "c": Categorical(["a", "b"])})
    res = minimize(
        lambda p: (p["x"] - 0.3) ** 2 + (p["c"] == "b"),
        space,
        n_calls=6,
        n_initial=3,
        storage=str(db),
        seed=1,
        progress=False,
    )
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    assert plots.animate(res, "c", tmp_path / "c.gif", n_grid=20) == 5
    assert len(frames(tmp_path / "c.gif")) == 5
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


@pytest.fixture(scope="module")
def opt():
    o = Optimizer(Space({"x": Real(-2.0, 2.0)}), n_initial=2, seed=0)
    for x in (-1.0, 0.5, 1.5):
        o.tell({"x": x}, x**2)
    return o


@pytest.mark.parametrize(
    "args, kwargs, words",
    [
        (("nope", "a.gif"), {}, "must be a parameter"),
        (("x", "a.png"), {}, "must end in .gif or .mp4"),
        (("x", 3), {}, "must be a file path"),
        (("x", "a.gif"), {"fps": 0}, "fps"),
        (("x", "a.gif"), {"fps": 2.5}, "fps"),
        (("x", "a.gif"), {"fps": 100}, "fps"),
        (("x", "a.gif"), {"n_grid": 0}, "n_grid"),
    ],
)
def test_bad_arguments_are_refused(opt, tmp_path, args, kwargs, words):
    name, path = args
    path = tmp_path / path if isinstance(path, str) else path
    with pytest.raises(InputError, match=words):
        plots.animate(opt, name, path, **kwargs)
    assert not list(tmp_path.iterdir())


def test_not_a_study_and_too_few_trials_are_refused(tmp_path):
    with pytest.raises(InputError, match="must be an Optimizer or a Result"):
        plots.animate({"x": 1}, "x", tmp_path / "a.gif")
    one = Optimizer(Space({"x": Real(0.0, 1.0)}), seed=0)
    one.tell({"x": 0.5}, 1.0)
    with pytest.raises(InputError, match="at least 2 completed trials"):
        plots.animate(one, "x", tmp_path / "a.gif")


def test_mp4_needs_ffmpeg(opt, tmp_path, monkeypatch):
    if shutil.which("ffmpeg") is None:
        with pytest.raises(InputError, match="ffmpeg"):
            plots.animate(opt, "x", tmp_path / "a.mp4")
        return
    assert plots.animate(opt, "x", tmp_path / "a.mp4", n_grid=20) == 2
    assert (tmp_path / "a.mp4").stat().st_size > 0
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputError, match="ffmpeg"):
        plots.animate(opt, "x", tmp_path / "b.mp4")


def test_the_next_trial_is_marked_at_its_choice_not_its_text(tmp_path, monkeypatch):
    # a tuple (1, 2) and the string "(1, 2)" print alike: the mark goes by the choice
    from matplotlib.axes import Axes

    cat = Categorical([(1, 2), "(1, 2)", "z"])
    opt = Optimizer(Space({"c": cat, "x": Real(0.0, 1.0)}), n_initial=2, seed=0)
    told = ["z", (1, 2), "(1, 2)", (1, 2), "(1, 2)"]
    for i, c in enumerate(told):
        opt.tell({"c": c, "x": 0.1 * i}, float(i))
    marks = []
    axvline = Axes.axvline

    def record(self, x=0, *args, **kwargs):
        if "asked next" in str(kwargs.get("label", "")):
            marks.append(x)
        return axvline(self, x, *args, **kwargs)

    monkeypatch.setattr(Axes, "axvline", record)
    plots.animate(opt, "c", tmp_path / "c.gif", n_grid=10)
    assert marks == [cat.index(c) for c in told[2:]]  # after trials 1, 2, 3: the next one
