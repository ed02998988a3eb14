"""A generated news site on loopback that can change between runs, and a small spider for it.

``GeneratedSite`` serves pages from a dict with ``ETag``/``Last-Modified`` and answers
conditional requests with 304, so tests of scheduled runs can change, add and copy articles
between crawls. ``SiteSpider`` (Scrapy name ``sitegen``) walks its list pages and reads its
articles with plain selectors, so those tests exercise the state machinery, not extraction.
``KillSwitch`` is an extension that SIGKILLs the crawl at a named moment of delivery.
"""

from __future__ import annotations

import datetime
import email.utils
import hashlib
import html
import os
import random
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.http import Response

from crawler.feeds import feed_committed, feed_prepared
from crawler.records import build_record

PER_PAGE = 5


@dataclass
class Article:
    """One article of the generated site."""

    slug: str
    title: str
    paragraphs: list[str]
    published: str = "2026-03-01T09:00:00+08:00"


class GeneratedSite:
    """A threaded HTTP server on 127.0.0.1 serving ``pages`` (path -> HTML); conditional GET aware."""

    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}
        self.modified: dict[str, float] = {}
        self.hits: Counter[tuple[str, int]] = Counter()
        self.on_hit: Callable[[str, int], None] | None = None
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site._answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> GeneratedSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def put(self, path: str, body: str) -> None:
        data = body.encode("utf-8")
        with self._lock:
            if self.pages.get(path) != data:
                self.pages[path] = data
                self.modified[path] = max(self.modified.values(), default=1_700_000_000) + 60

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?")[0]
        with self._lock:
            body = self.pages.get(path)
            modified = self.modified.get(path, 0)
        if body is None:
            status, body = 404, b"not found"
            headers = {"Content-Type": "text/plain"}
        else:
            etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:16] + '"'
            last_modified = email.utils.formatdate(modified, usegmt=True)
            headers = {"ETag": etag, "Last-Modified": last_modified}
            headers["Content-Type"] = "text/plain" if path.endswith(".txt") else "text/html; charset=utf-8"
            status = 200
            if handler.headers.get("If-None-Match") == etag:
                status = 304
            elif (since := handler.headers.get("If-Modified-Since")) and not handler.headers.get(
                "If-None-Match"
            ):
                parsed = email.utils.parsedate_to_datetime(since).timestamp()
                status = 304 if modified <= parsed else 200
        with self._lock:
            self.hits[(path, status)] += 1
        if self.on_hit is not None:
            self.on_hit(path, status)
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        if status == 304:
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    # --- site content ----------------------------------------------------------------------------
    def publish(self, articles: list[Article], section: str = "news") -> None:
        """Article pages plus list pages (newest first, PER_PAGE a page, ``index_N.html``)."""
        self.put("/robots.txt", "User-agent: *\nAllow: /\n")
        for article in articles:
            self.put(f"/{section}/{article.slug}.html", article_page(article))
        pages = [articles[i : i + PER_PAGE] for i in range(0, len(articles), PER_PAGE)] or [[]]
        for number, chunk in enumerate(pages):
            name = "index.html" if number == 0 else f"index_{number}.html"
            following = f"index_{number + 1}.html" if number + 1 < len(pages) else None
            self.put(f"/{section}/{name}", list_page(chunk, section, following))

    def served(self, prefix: str, status: int) -> int:
        with self._lock:
            return sum(n for (p, code), n in self.hits.items() if p.startswith(prefix) and code == status)

    def reset_hits(self) -> None:
        with self._lock:
            self.hits.clear()


def article_page(article: Article) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in article.paragraphs)
    return (
        f'<html><head><meta name="published" content="{article.published}"></head>'
        f"<body><h1>{html.escape(article.title)}</h1><div class=body>{body}</div></body></html>"
    )


def list_page(articles: list[Article], section: str, following: str | None) -> str:
    links = "".join(f'<li><a class=article href="/{section}/{a.slug}.html">{html.escape(a.title)}</a></li>'
                    for a in articles)  # fmt: skip
    more = f'<a class=next href="/{section}/{following}">next</a>' if following else ""
    return f"<html><body><ul>{links}</ul>{more}</body></html>"


_HANZI = (
    "生态环境部发布关于加强大气水土壤污染防治工作的通知"
    "各省自治区直辖市要落实碳排放监测评估制度推进绿色低碳转型"
)
_WORDS = [
    "emission",
    "water",
    "soil",
    "carbon",
    "permit",
    "audit",
    "river",
    "coast",
    "forest",
    "waste",
    "plan",
    "target",
    "report",
    "province",
]


def article_text(seed: str) -> list[str]:
    """Two paragraphs (Chinese, English) determined by *seed* and unlike other seeds' text."""
    rng = random.Random(seed)
    chinese = "".join(rng.choice(_HANZI) for _ in range(80)) + "。"
    english = " ".join(rng.choice(_WORDS) for _ in range(30)) + "."
    return [chinese, english.capitalize()]


def make_articles(count: int, prefix: str = "a", start: int = 0) -> list[Article]:
    """*count* articles whose texts are far apart (no accidental near-duplicates)."""
    return [
        Article(
            slug=f"{prefix}{n:05d}",
            title=f"Policy notice {prefix}{n}",
            paragraphs=article_text(f"{prefix}{n}"),
        )
        for n in range(start, start + count)
    ]


class SiteSpider(Spider):
    """Crawl a generated site: ``-a source=KEY`` with ``SITEGEN_SITES = {KEY: base_url}``."""

    name = "sitegen"

    def __init__(self, source: str = "", run_id: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = SimpleNamespace(key=source)
        self.run_id = run_id or "r" + datetime.datetime.now(datetime.UTC).strftime("%H%M%S%f")
        self.started_at = datetime.datetime.now(datetime.UTC)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        from crawler.feeds import feeds_setting

        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.base = crawler.settings.getdict("SITEGEN_SITES")[spider.source.key]
        spider.sections = crawler.settings.getlist("SITEGEN_SECTIONS", ["news"])
        if not crawler.settings.getdict("FEEDS"):
            crawler.settings.set("FEEDS", feeds_setting(crawler.settings), priority="spider")
        return spider

    async def start(self) -> Any:
        for section in self.sections:
            yield Request(f"{self.base}/{section}/index.html", callback=self.parse_list,
                          meta={"ecopolicy_kind": "list"})  # fmt: skip

    def parse_list(self, response: Response) -> Iterator[Request]:
        for href in response.css("a.article::attr(href)").getall():
            meta = {"ecopolicy_kind": "article"}
            yield Request(response.urljoin(href), callback=self.parse_article, meta=meta)
        for href in response.css("a.next::attr(href)").getall():
            yield Request(response.urljoin(href), callback=self.parse_list, meta={"ecopolicy_kind": "list"})

    def parse_article(self, response: Response) -> Iterator[Any]:
        extracted = {
            "title": response.css("h1::text").get(),
            "published": response.css('meta[name="published"]::attr(content)').get(),
            "language": "zh",
            "paragraphs": response.css("div.body p::text").getall(),
        }
        yield build_record(extracted, url=response.url, source_key=self.source.key,
                           crawled_at=datetime.datetime.now(datetime.UTC))  # fmt: skip


class KillSwitch:
    """SIGKILL this crawl at ``SITEGEN_KILL_AT``: feed_prepared, feed_committed or engine_stopped."""

    def __init__(self, moment: str) -> None:
        self.moment = moment

    @classmethod
    def from_crawler(cls, crawler: Any) -> KillSwitch:
        switch = cls(crawler.settings.get("SITEGEN_KILL_AT", ""))
        hooks = {"feed_prepared": feed_prepared, "feed_committed": feed_committed,
                 "engine_stopped": signals.engine_stopped}  # fmt: skip
        if switch.moment in hooks:
            crawler.signals.connect(switch.kill, signal=hooks[switch.moment])
        return switch

    def kill(self, **kwargs: Any) -> None:
        os.kill(os.getpid(), signal.SIGKILL)
