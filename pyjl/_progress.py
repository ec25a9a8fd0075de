"""The progress bar of every long loop: tqdm's."""

from __future__ import annotations

import importlib.util
from typing import Any

__all__ = ["progress_bar"]


def progress_bar(iterable: Any = None, **kwargs: Any) -> Any:
    """A tqdm bar over ``iterable`` (keywords: tqdm's): the notebook widget in Jupyter
    where ipywidgets is installed, else the text bar.

    ``tqdm.auto`` picks the widget in any Jupyter kernel, and without ipywidgets warns
    "IProgress not found" on every bar; the text bar renders there too.
    """
    if importlib.util.find_spec("ipywidgets") is None:
        from tqdm.std import tqdm
    else:
        from tqdm.auto import tqdm
    return tqdm(iterable, **kwargs)
