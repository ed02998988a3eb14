"""Serve an offline source's folder on 127.0.0.1, the way a real site would answer.

A plain threaded ``http.server`` in the crawl's process: it only ever binds the loopback
interface, picks a free port, and stops with the crawl.
"""

from __future__ import annotations

import logging
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static files with correct types for feeds and GBK pages, and no access log on stderr."""

    # Headers and body go out in two writes; with Nagle's algorithm on, the second waits for
    # the client's delayed ACK (about 40 ms a request on Linux loopback).
    disable_nagle_algorithm = True

    extensions_map = {  # noqa: RUF012 - class attribute of the stdlib handler
        **SimpleHTTPRequestHandler.extensions_map,
        ".xml": "application/xml",
        ".html": "text/html",
        ".txt": "text/plain",
        ".pdf": "application/pdf",
    }

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("demo server: " + format, *args)


class LoopbackSite:
    """A folder served over HTTP on ``127.0.0.1:<free port>`` in a daemon thread."""

    def __init__(self, root: Path, port: int = 0) -> None:
        if not root.is_dir():
            raise FileNotFoundError(f"offline site folder not found: {root}")
        handler = partial(_QuietHandler, directory=str(root))
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="loopback-site", daemon=True)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> LoopbackSite:
        """Start serving; returns self so ``LoopbackSite(root).start()`` reads naturally."""
        self._thread.start()
        logger.info("Serving %s at %s", self._server.RequestHandlerClass, self.base_url)
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()
