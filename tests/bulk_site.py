"""A loopback site of many small article pages, generated on request, and a CLI entry using it.

The site answers like a portal: ``/robots.txt``, an RSS feed of the newest articles, a sitemap
index with two sitemaps over the older half, and paginated list pages (``/news/index.html``,
``/news/index_{n}.html``, TRS style) linking every article; articles overlap between feed,
sitemaps and lists, so the shared dupe filter has work to do. Pages are tiny and built from
the path, so thousands are served quickly by a threaded ``http.server`` on 127.0.0.1.

:func:`write_source_file` describes the site as a user source (``ecopolicy crawl --sources
FILE --source bulk``), exactly as a user would add a site of their own.
"""

from __future__ import annotations

import datetime
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PER_PAGE = 20
FEED_SIZE = 50
_ARTICLE = re.compile(r"^/news/t(\d{8})_(\d+)\.html$")
_LIST = re.compile(r"^/news/index(?:_(\d+))?\.html$")
_SITEMAP = re.compile(r"^/sitemap-(\d)\.xml$")


def article_path(number: int) -> str:
    """Path of article *number* (its date cycles through 2024).

    >>> article_path(3)
    '/news/t20240104_3.html'
    """
    day = datetime.date(2024, 1, 1) + datetime.timedelta(days=number % 366)
    return f"/news/t{day:%Y%m%d}_{number}.html"


def list_pages(articles: int) -> int:
    """Number of list pages for *articles* articles."""
    return max(1, -(-articles // PER_PAGE))


class BulkSite:
    """The site for *articles* articles, served on ``127.0.0.1:<free port>``."""

    def __init__(self, articles: int) -> None:
        self.articles = articles
        site = self

        class Handler(BaseHTTPRequestHandler):
            # Headers and body go out in two writes; with Nagle on, each answer waits for
            # the client's delayed ACK (~40 ms) and the site serves 25 pages a second.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                answer = site.page(self.path.split("?", 1)[0])
                if answer is None:
                    self.send_error(404)
                    return
                body, content_type = answer
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.request_queue_size = 128
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> BulkSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def expected_urls(self) -> set[str]:
        """Every article URL the crawl must emit."""
        return {self.base_url + article_path(n) for n in range(self.articles)}

    def page(self, path: str) -> tuple[bytes, str] | None:
        """Body and content type of *path*, or None for a 404."""
        base = self.base_url
        if path == "/robots.txt":
            return b"User-agent: *\nAllow: /\n", "text/plain"
        if path == "/feed.xml":
            items = "".join(
                f"<item><title>Article {n}</title><link>{base}{article_path(n)}?utm_source=rss</link></item>"
                for n in range(self.articles - 1, max(-1, self.articles - 1 - FEED_SIZE), -1)
            )
            return f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode(), (
                "application/xml"
            )
        if path == "/sitemap.xml":
            maps = "".join(f"<sitemap><loc>{base}/sitemap-{i}.xml</loc></sitemap>" for i in (1, 2))
            return (
                f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"{maps}</sitemapindex>"
            ).encode(), "application/xml"
        if match := _SITEMAP.match(path):
            half = self.articles // 2
            part = range(0, half // 2) if match.group(1) == "1" else range(half // 2, half)
            urls = "".join(f"<url><loc>{base}{article_path(n)}</loc></url>" for n in part)
            return (
                f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            ).encode(), "application/xml"
        if match := _LIST.match(path):
            page = int(match.group(1) or 0)
            if page >= list_pages(self.articles):
                return None
            first = page * PER_PAGE
            links = "".join(
                f'<li><a href="{article_path(n)}#top">Article {n}</a></li>'
                for n in range(first, min(first + PER_PAGE, self.articles))
            )
            return (
                f"<html><body><ul class='list'>{links}</ul></body></html>".encode(),
                "text/html; charset=utf-8",
            )
        if match := _ARTICLE.match(path):
            number = int(match.group(2))
            if number >= self.articles or article_path(number) != path:
                return None
            day = match.group(1)
            body = (
                f"<html><head><title>Article {number}</title>"
                f'<meta name="PubDate" content="{day[:4]}-{day[4:6]}-{day[6:]} 09:30"></head><body>'
                f"<h1>Ecology notice {number}</h1>"
                f"<p>Notice {number} on emission permits for the {number % 17}th district.</p>"
                f"<p>The department reviewed {number * 3} applications this quarter.</p></body></html>"
            )
            return body.encode(), "text/html; charset=utf-8"
        return None


def write_source_file(site: BulkSite, path: Path) -> Path:
    """Write the ``bulk`` source of *site* as a user sources file (``--sources FILE``)."""
    base = site.base_url
    path.write_text(
        f"""key = "bulk"
name = "Loopback bulk site"
language = "en"
timezone = "Asia/Shanghai"
allowed_domains = ["127.0.0.1"]
feeds = ["{base}/feed.xml"]
sitemaps = ["{base}/sitemap.xml"]
article_pattern = '/t\\d{{8}}_\\d+\\.html$'

[[list_pages]]
url = "{base}/news/index.html"
pagination = "index_{{n}}.html"
max_pages = {list_pages(site.articles)}

[politeness]
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = false
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 32
""",
        encoding="utf-8",
    )
    return path


if __name__ == "__main__":
    # ``python -m tests.bulk_site [ARTICLES]``: serve a site by hand and print its URL.
    site = BulkSite(int(sys.argv[1]) if len(sys.argv) > 1 else 2000).start()
    print(site.base_url, flush=True)
    threading.Event().wait()
