"""The progress bar: tqdm's widget only where ipywidgets can draw it."""

from __future__ import annotations

import importlib.util

import tqdm.std

from pyjl._progress import progress_bar


def test_text_bar_without_ipywidgets(monkeypatch):
    # in a Jupyter kernel tqdm.auto would pick the widget and warn "IProgress not found"
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "ipywidgets" else real(name, *a),
    )
    bar = progress_bar(range(3), disable=True)
    assert type(bar) is tqdm.std.tqdm
    assert list(bar) == [0, 1, 2]
