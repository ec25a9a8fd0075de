"""The dashboard's web server: the standard library's ``ThreadingHTTPServer`` serving the
pages (``static/``), Plotly.js from the installed ``plotly`` wheel, and the JSON API
(:mod:`pyjl.bo.dashboard.api`), bound to loopback by default and answering ``GET`` only.
"""

from __future__ import annotations

import errno
import html
import json
import logging
import socket
import sys
import threading
import webbrowser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from ... import _validate
from .api import answer
from .data import StudyReader, _NotFound

__all__ = ["serve", "Dashboard", "plotly_js"]

log = logging.getLogger("pyjl.bo.dashboard")

STATIC = Path(__file__).with_name("static")
_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


def plotly_js() -> Path:
    """The ``plotly.min.js`` shipped inside the ``plotly`` wheel (no CDN is ever used)."""
    try:
        import plotly
    except ImportError:
        raise _validate.error(
            "pyjl.bo.serve",
            "needs the plotly package (the dashboard's plots)",
            "no module named 'plotly'",
            'pip install "pyjl[dashboard]"',
        ) from None
    path = Path(plotly.__file__).with_name("package_data") / "plotly.min.js"
    if not path.is_file():
        raise _validate.error(
            "pyjl.bo.serve",
            "needs plotly's bundled plotly.min.js",
            f"plotly {plotly.__version__} without {path}",
            'reinstall it: pip install --force-reinstall "plotly>=5"',
        )
    return path


def _page(study: str | None, message: str = "") -> bytes:
    """The page shell: the studies list (``study=None``) or one study's page."""
    title = "pyjl studies" if study is None else f"{study} · pyjl study"
    text = (STATIC / "page.html.in").read_text(encoding="utf-8")
    text = text.replace("{{title}}", html.escape(title))
    text = text.replace("{{study}}", html.escape(json.dumps(study)))
    text = text.replace("{{message}}", html.escape(message))
    return text.encode()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base's name)
        log.debug("dashboard: " + format, *args)

    def _send(self, status: int, body: bytes, ctype: str, cache: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=86400" if cache else "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        path, reader = url.path, self.server.reader
        if path.startswith("/api/"):
            status, body = answer(reader, path[len("/api/") :], url.query)
            self._send(status, body, "application/json")
        elif path == "/":
            self._send(200, _page(None), "text/html; charset=utf-8")
        elif path.startswith("/study/"):
            name = unquote(path[len("/study/") :])
            try:
                reader.study(name)
                status, message = 200, ""
            except _NotFound as exc:
                status, message = 404, str(exc)
            except Exception as exc:  # the page says what went wrong; the API has details
                status, message = 503, f"the storage cannot be read now: {exc}"
            self._send(status, _page(name, message), "text/html; charset=utf-8")
        elif path == "/static/plotly.min.js":
            self._send(200, self.server.plotly, "text/javascript", cache=True)
        elif path.startswith("/static/") and "/" not in path[len("/static/") :]:
            file = STATIC / path[len("/static/") :]
            if file.suffix in _TYPES and file.is_file():
                self._send(200, file.read_bytes(), _TYPES[file.suffix])
            else:
                self._send(404, b"not found", "text/plain")
        else:
            self._send(404, _page(None, f"no page {path}"), "text/html; charset=utf-8")

    def _refuse(self) -> None:
        body = json.dumps({"error": "the dashboard is read-only: GET only", "status": 405})
        self.send_response(405)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    do_POST = do_PUT = do_DELETE = do_PATCH = _refuse  # noqa: N815


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, reader: StudyReader, plotly: bytes):
        self.reader, self.plotly = reader, plotly
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return  # the browser went away before its answer was sent
        super().handle_error(request, client_address)


class Dashboard:
    """A running dashboard (from :func:`serve` with ``block=False``).

    Attributes
    ----------
    url : str
        Where it answers, e.g. ``http://127.0.0.1:8080/``.
    storage : str
        The URL of the storage it reads.
    """

    def __init__(self, server: _Server, thread: threading.Thread | None):
        self._server, self._thread = server, thread
        self._stopped = False
        host, port = (str(a) for a in server.server_address[:2])
        host = f"[{host}]" if ":" in host else host
        self.url = f"http://{host}:{port}/"
        self.storage = server.reader.url

    def study_url(self, name: str) -> str:
        """The page of study ``name``."""
        return f"{self.url}study/{quote(name, safe='')}"

    def stop(self) -> None:
        """Stop serving and close the storage (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()
        self._server.reader.close()

    def __enter__(self) -> Dashboard:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Dashboard({self.url!r}, storage={self.storage!r})"


def serve(
    storage,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    study: str | None = None,
    open_browser: bool = False,
    block: bool = True,
) -> Dashboard:
    """Serve the study dashboard of ``storage`` (read-only) at ``http://host:port/``.

    See :mod:`pyjl.bo.dashboard`. Needs ``pip install "pyjl[dashboard]"`` (plotly, for
    its Plotly.js).

    Parameters
    ----------
    storage : str or path-like or storage
        ``sqlite:///study.db``, a path, ``postgresql://user@host/db`` or an open storage;
        opened read-only (the dashboard never writes).
    host : str, default "127.0.0.1"
        The interface to listen on (loopback: this machine only).
    port : int, default 8080
        The TCP port; 0 picks a free one (see ``Dashboard.url``).
    study : str or None, default None
        Open this study's page in the browser (with ``open_browser``); it must exist.
    open_browser : bool, default False
        Open the page in the default web browser.
    block : bool, default True
        Serve until interrupted (Ctrl-C); ``False`` serves from a background thread and
        returns at once (notebooks, tests): call ``.stop()`` on the result.

    Returns
    -------
    Dashboard
        ``.url``, ``.study_url(name)``, ``.stop()``.

    Examples
    --------
    >>> import json, os, tempfile, urllib.request
    >>> from pyjl.bo import Real, Space, minimize, serve
    >>> db = os.path.join(tempfile.mkdtemp(), "dash.db")
    >>> _ = minimize(lambda p: p["x"] ** 2, Space({"x": Real(-1.0, 1.0)}), n_calls=3,
    ...              storage=db, study="demo", seed=0, progress=False)
    >>> board = serve(db, port=0, block=False)
    >>> with urllib.request.urlopen(board.url + "api/studies") as r:
    ...     [(s["name"], s["n_trials"]) for s in json.load(r)["studies"]]
    [('demo', 3)]
    >>> board.stop()
    """
    plotly = plotly_js().read_bytes()
    if not isinstance(host, str) or not host:
        raise _validate.error("host", "must be a host name or address", host, "pass '127.0.0.1'")
    port = _validate.integer(port, "port", low=0, high=65535)
    reader = StudyReader(storage)
    try:
        if study is not None:
            reader.study(study)
        server = _Server((host, port), reader, plotly)
    except _NotFound as exc:
        reader.close()
        raise _validate.error(
            "study", f"must be a study of the storage ({exc})", repr(study), "pass one of them"
        ) from None
    except OSError as exc:
        reader.close()
        # an unresolvable name, or an address no interface of this machine has: the host
        if isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL:
            raise _validate.error(
                "host",
                "must be an address or name of this machine",
                f"{host!r} ({exc.strerror or exc})",
                "pass e.g. --host 127.0.0.1 (the default)",
            ) from None
        raise _validate.error(
            "port",
            f"must be free on {host}",
            f"{port} ({exc.strerror or exc})",
            "pass another --port, or 0 for any free one",
        ) from None
    board = Dashboard(server, None)
    page = board.study_url(study) if study is not None else board.url
    if open_browser:
        webbrowser.open(page)
    if not block:
        board._thread = threading.Thread(
            target=server.serve_forever, name="pyjl-dashboard", daemon=True
        )
        board._thread.start()
        return board
    print(f"pyjl dashboard of {reader.url} at {page} (Ctrl-C stops it)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        board.stop()
    return board
