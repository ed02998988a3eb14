"""A loopback site that misbehaves on purpose, deterministically.

Every article path is ``/f/<fault>/t20240101_<n>.html``; :data:`FAULTS` says what the fault
does and whether the article is eventually served (then the crawl must emit it exactly once)
or never (then the crawl must account for it with a reason). Faults that heal ("first
attempt fails, then the page is served") count attempts per path, so a retry sees the
healthy answer. The server binds 127.0.0.1 only; other host names (``localhost``,
``127.0.0.2``, ``169.254.169.254``) stand for other domains in redirects and are never in the
test source's ``allowed_domains``.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from benchmarks.sitegen import SyntheticSite

EMIT = "emit"  # eventually served: exactly one record
REFUSE = "refuse"  # never served as an article: no record, a counted reason
EITHER = "either"  # a page that may or may not give a record; never a crash, never twice


@dataclass(frozen=True)
class Fault:
    name: str
    outcome: str
    note: str


FAULTS: tuple[Fault, ...] = (
    Fault("ok", EMIT, "a healthy page"),
    Fault("e500", EMIT, "500 on the first attempt"),
    Fault("e502", EMIT, "502 on the first attempt"),
    Fault("e503", EMIT, "503 on the first two attempts"),
    Fault("e429", EMIT, "429 with Retry-After: 1 on the first attempt"),
    Fault("reset", EMIT, "connection reset on the first attempt"),
    Fault("timeout", EMIT, "no answer within the timeout on the first attempt"),
    Fault("trickle", EMIT, "the body trickles in small pieces, within the timeout"),
    Fault("truncated_once", EMIT, "Content-Length larger than the body on the first attempt"),
    Fault("gbk_as_utf8", EMIT, "GBK bytes served with charset=utf-8"),
    Fault("gb18030", EMIT, "GB18030 bytes, charset only in a meta tag"),
    Fault("utf8_bom", EMIT, "UTF-8 with a BOM and no declared charset"),
    Fault("utf8_bom_says_gbk", EMIT, "UTF-8 with a BOM served with charset=gbk"),
    Fault("malformed", EMIT, "unclosed and mis-nested tags"),
    Fault("chain", EMIT, "three redirects, then the page"),
    Fault("always500", REFUSE, "500 on every attempt"),
    Fault("always_reset", REFUSE, "connection reset on every attempt"),
    Fault("always_timeout", REFUSE, "a server that never answers in time"),
    Fault("trickle_forever", REFUSE, "one byte at a time, never finishing in time"),
    Fault("truncated", REFUSE, "Content-Length larger than the body on every attempt"),
    Fault("empty", REFUSE, "200 with an empty body"),
    Fault("binary", REFUSE, "random bytes served as text/html"),
    Fault("huge", REFUSE, "a 50 MB page with Content-Length"),
    Fault("huge_chunked", REFUSE, "a 50 MB page without Content-Length"),
    Fault("gzip_bomb", REFUSE, "a small gzip body that inflates to 256 MB"),
    Fault("loop", REFUSE, "a redirect loop"),
    Fault("offsite_localhost", REFUSE, "redirect to another host name (localhost)"),
    Fault("offsite_127002", REFUSE, "redirect to 127.0.0.2"),
    Fault("offsite_metadata", REFUSE, "redirect to 169.254.169.254"),
    Fault("deep", EITHER, "the article inside 5,000 nested elements"),
    Fault("nul_bytes", EITHER, "NUL and control bytes inside the markup"),
)
BY_NAME = {f.name: f for f in FAULTS}
HUGE = 50 * 1024 * 1024


def article_path(fault: str, n: int = 1) -> str:
    return f"/f/{fault}/t20240101_{n}.html"


def all_article_paths() -> list[str]:
    return [article_path(f.name) for f in FAULTS]


@cache
def _site() -> SyntheticSite:
    return SyntheticSite(len(FAULTS) + 4, seed=7)


def page_html(fault: str) -> str:
    """A portal-like article page, distinct per fault (title names the fault)."""
    index = [f.name for f in FAULTS].index(fault) if fault in BY_NAME else len(FAULTS)
    article = _site().article(index if _site().language_of(index) == "zh" else index + 1)
    return article.html.replace(article.title, f"{article.title} {fault}")


def page_title(fault: str) -> str:
    index = [f.name for f in FAULTS].index(fault)
    article = _site().article(index if _site().language_of(index) == "zh" else index + 1)
    return f"{article.title} {fault}"


@cache
def gzip_bomb() -> bytes:
    """256 MB of zeros in about 250 kB of gzip: one 32 MB member, repeated (built on first use)."""
    return gzip.compress(b"\0" * (32 * 1024 * 1024), compresslevel=9) * 8


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 drops SYNs under 32 parallel connects: 1 s stalls


class FaultServer:
    """The misbehaving site on ``127.0.0.1:<free port>``, in daemon threads of the test process."""

    def __init__(self) -> None:
        self.attempts: Counter[str] = Counter()
        self.lock = threading.Lock()
        server = self

        class Handler(_Handler):
            owner = server

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def start(self) -> FaultServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def hit(self, path: str) -> int:
        with self.lock:
            self.attempts[path] += 1
            return self.attempts[path]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner: FaultServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(
        self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", **headers: str
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self._send(302, b"", Location=location)

    def _reset(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def do_GET(self) -> None:
        try:
            self._route()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def _route(self) -> None:
        path = self.path.split("?", 1)[0]
        attempt = self.owner.hit(path)
        port = self.owner.port
        if path == "/robots.txt":
            return self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        if path in XML_DOCUMENTS:
            return self._send(200, XML_DOCUMENTS[path](port), "application/xml")
        parts = path.split("/")
        if len(parts) != 4 or parts[1] != "f":
            return self._send(404, b"<html><body>not found</body></html>")
        fault = parts[2]
        ok = page_html(fault).encode("utf-8")
        if fault in {"ok", "malformed_never"}:
            return self._send(200, ok)
        if fault in {"e500", "e502"}:
            return self._send(int(fault[1:]), b"error") if attempt == 1 else self._send(200, ok)
        if fault == "e503":
            return self._send(503, b"busy") if attempt <= 2 else self._send(200, ok)
        if fault == "e429":
            return self._send(429, b"slow down", Retry_After="1") if attempt == 1 else self._send(200, ok)
        if fault == "always500":
            return self._send(500, b"error")
        if fault in {"reset", "always_reset"}:
            return self._reset() if fault == "always_reset" or attempt == 1 else self._send(200, ok)
        if fault in {"timeout", "always_timeout"}:
            if fault == "always_timeout" or attempt == 1:
                time.sleep(SLOW_SECONDS)
            return self._send(200, ok)
        if fault == "trickle":
            return self._trickle(ok, pieces=10, pause=0.02)
        if fault == "trickle_forever":
            return self._trickle(ok, pieces=len(ok), pause=0.25)
        if fault in {"truncated", "truncated_once"}:
            if fault == "truncated" or attempt == 1:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(ok) + 5000))
                self.end_headers()
                self.wfile.write(ok[: len(ok) // 2])
                self.close_connection = True
                return None
            return self._send(200, ok)
        if fault == "gbk_as_utf8":
            return self._send(200, page_html(fault).replace('charset="utf-8"', "").encode("gbk", "replace"))
        if fault == "gb18030":
            body = page_html(fault).replace('charset="utf-8"', 'charset="gb18030"').encode("gb18030")
            return self._send(200, body, "text/html")
        if fault == "utf8_bom":
            return self._send(
                200,
                b"\xef\xbb\xbf" + page_html(fault).replace('<meta charset="utf-8">', "").encode(),
                "text/html",
            )
        if fault == "utf8_bom_says_gbk":
            return self._send(200, b"\xef\xbb\xbf" + ok, "text/html; charset=gbk")
        if fault == "malformed":
            html = (
                page_html(fault)
                .replace("</p>", "", 3)
                .replace('<div class="info">', "<div class=info><b><i>")
            )
            return self._send(200, ("<table><tr><td>" + html + "</div></span></td>").encode())
        if fault == "deep":
            html = page_html(fault)
            cut = html.index('<div class="TRS_Editor">')
            return self._send(200, (html[:cut] + "<div>" * 5000 + html[cut:] + "</div>" * 5000).encode())
        if fault == "nul_bytes":
            return self._send(200, ok.replace(b"<p>", b"<p>\x00\x01\x02", 3))
        if fault == "empty":
            return self._send(200, b"")
        if fault == "binary":
            return self._send(200, bytes((i * 7919 + 13) % 256 for i in range(40_000)), "text/html")
        if fault in {"huge", "huge_chunked"}:
            return self._huge(chunked=fault == "huge_chunked")
        if fault == "gzip_bomb":
            return self._send(200, gzip_bomb(), Content_Encoding="gzip")
        if fault == "chain":
            n = int(parts[3].split("_")[1].split(".")[0])
            if n < 4:
                return self._redirect(article_path("chain", n + 1))
            return self._send(200, ok)
        if fault == "loop":
            n = int(parts[3].split("_")[1].split(".")[0])
            return self._redirect(article_path("loop", 2 if n == 1 else 1))
        if fault == "offsite_localhost":
            return self._redirect(f"http://localhost:{port}{article_path('ok', 9)}")
        if fault == "offsite_127002":
            return self._redirect(f"http://127.0.0.2:{port}{article_path('ok', 9)}")
        if fault == "offsite_metadata":
            return self._redirect("http://169.254.169.254/latest/meta-data/iam/security-credentials/")
        return self._send(404, b"<html><body>not found</body></html>")

    def _trickle(self, body: bytes, pieces: int, pause: float) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        step = max(1, len(body) // pieces)
        deadline = time.monotonic() + 2 * SLOW_SECONDS
        for start in range(0, len(body), step):
            self.wfile.write(body[start : start + step])
            self.wfile.flush()
            time.sleep(pause)
            if time.monotonic() > deadline:  # the client gave up long ago; free the thread
                self.close_connection = True
                return

    def _huge(self, chunked: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(HUGE))
        self.end_headers()
        block = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
        for _ in range(HUGE // len(block)):  # generated as it goes: never 50 MB in memory
            if chunked:
                self.wfile.write(f"{len(block):x}\r\n".encode() + block + b"\r\n")
            else:
                self.wfile.write(block)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")


SLOW_SECONDS = 3.0
"""How long a "slow" answer takes; the test crawl's DOWNLOAD_TIMEOUT is well below it."""


def _sitemap(port: int) -> bytes:
    urls = "".join(f"<url><loc>http://127.0.0.1:{port}{p}</loc></url>" for p in all_article_paths())
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()


def _feed(port: int) -> bytes:
    items = "".join(
        f"<item><title>{f.name}</title><link>{article_path(f.name)}</link></item>" for f in FAULTS[:5]
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{items}</channel></rss>'.encode()
    )


def _laughs(port: int) -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]><rss version="2.0"><channel><title>&lol9;</title>'
        f"<item><title>&lol9;</title><link>{article_path('ok')}</link></item></channel></rss>"
    ).encode()


def _xxe_feed(port: int) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.1:{port}/probe/dtd-feed">'
        f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "http://127.0.0.1:{port}/probe/entity-feed">'
        '<!ENTITY file SYSTEM "file:///etc/passwd">]>'
        f"<rss><channel><item><title>&xxe;&file;</title><link>{article_path('ok')}</link></item>"
        "</channel></rss>"
    ).encode()


def _xxe_sitemap(port: int) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "http://127.0.0.1:{port}/probe/entity-sitemap">'
        '<!ENTITY file SYSTEM "file:///etc/passwd">]>'
        f"<urlset><url><loc>http://127.0.0.1:{port}{article_path('ok')}</loc></url>"
        "<url><loc>&xxe;</loc></url><url><loc>&file;</loc></url></urlset>"
    ).encode()


XML_DOCUMENTS = {
    "/sitemap.xml": _sitemap,
    "/feed.xml": _feed,
    "/laughs.xml": _laughs,
    "/xxe-feed.xml": _xxe_feed,
    "/xxe-sitemap.xml": _xxe_sitemap,
}
