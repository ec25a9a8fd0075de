"""The study dashboard: a local, read-only web app over a study storage
(``pyjl study serve URL``, :func:`serve`; the extra ``pip install "pyjl[dashboard]"``).

* :mod:`~pyjl.bo.dashboard.server`: :func:`serve` and the running :class:`Dashboard`
  (the standard library's ``ThreadingHTTPServer``; Plotly.js from the ``plotly`` wheel).
* :mod:`~pyjl.bo.dashboard.api`: the JSON API the pages use.
* :mod:`~pyjl.bo.dashboard.data`: :class:`StudyReader`, the storage opened read-only,
  incremental trial fetches, the cached GP posterior and parameter importance.
* ``static/``: the pages (HTML, JavaScript, CSS).
"""

from .data import StudyReader
from .server import Dashboard, serve

__all__ = ["serve", "Dashboard", "StudyReader"]
