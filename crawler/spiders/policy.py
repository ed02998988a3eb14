"""The one generic spider: discovery from a registry entry, extraction, then the pipelines.

``scrapy crawl policy -a source=KEY`` crawls one source. Feeds, sitemaps and list pages are
read together; every article is requested once (the fingerprint is keyed on the canonical URL),
and a page that cannot give a record is counted and logged with its reason, never lost silently.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.exceptions import CloseSpider
from scrapy.http import Response, TextResponse

from crawler.discovery import Link, next_page_urls, parse_feed, parse_list_page, parse_sitemap
from crawler.extraction import ExtractionError, extract_article
from crawler.feeds import feeds_setting, new_run_id
from crawler.records import build_record
from crawler.sources.base import ListPage, Source
from crawler.sources.registry import get_source, offline_site_root
from crawler.sources.server import LoopbackSite
from crawler.urls import canonicalize_url

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

    from crawler.items import ArticleRecord

logger = logging.getLogger(__name__)


class PolicySpider(Spider):
    """Crawl one registry source: ``-a source=KEY`` (required)."""

    name = "policy"

    def __init__(self, source: str = "", run_id: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not source:
            raise CloseSpider("missing -a source=KEY")
        self.source: Source = get_source(source)
        self.run_id = run_id or new_run_id()
        self.started_at = datetime.datetime.now(datetime.UTC)
        self.allowed_domains = list(self.source.allowed_domains)
        self._site: LoopbackSite | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        if spider.source.offline_site is not None:
            spider._serve_offline_site()
        for name, value in spider.source.politeness.items():
            settings.set(name, value, priority="spider")
        if not settings.getdict("FEEDS") and settings.getbool("ECOPOLICY_OUTPUT_ENABLED", True):
            settings.set("FEEDS", feeds_setting(settings), priority="spider")
        crawler.signals.connect(spider._stop_offline_site, signal=signals.spider_closed)
        return spider

    # --- offline sources -------------------------------------------------------------------
    def _serve_offline_site(self) -> None:
        """Serve the source's bundled site on loopback and point the source at it."""
        self._site = LoopbackSite(offline_site_root(self.source)).start()
        base = self._site.base_url
        self.source = self.source.rebased(base, urlsplit(base).hostname or "127.0.0.1")
        self.allowed_domains = list(self.source.allowed_domains)

    def _stop_offline_site(self) -> None:
        if self._site is not None:
            self._site.stop()
            self._site = None

    # --- discovery ------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        for url in self.source.feeds:
            yield Request(url, callback=self.parse_feed, meta={"ecopolicy_kind": "feed"})
        for url in self.source.sitemaps:
            yield Request(url, callback=self.parse_sitemap, meta={"ecopolicy_kind": "sitemap"})
        for page in self.source.list_pages:
            yield self._list_request(page.url, page, 0)

    def _list_request(self, url: str, page: ListPage, number: int) -> Request:
        return Request(
            url,
            callback=self.parse_list,
            meta={"ecopolicy_kind": "list", "list_page": page, "page_number": number},
        )

    def _in_scope(self, url: str) -> bool:
        """Whether *url* is on one of the source's domains (or their subdomains), any port."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        return parts.scheme in {"http", "https"} and any(
            host == domain or host.endswith("." + domain) for domain in self.allowed_domains
        )

    def _article_requests(self, links: list[Link], via: str) -> Iterator[Request]:
        stats = self.crawler.stats
        for link in links:
            url = canonicalize_url(link.url)
            if not (self._in_scope(url) and self.source.is_article_url(url)):
                continue
            stats.inc_value(f"discovery/{via}/links")
            yield Request(
                url,
                callback=self.parse_article,
                errback=self.article_failed,
                meta={"ecopolicy_kind": "article", "listing": link},
            )

    def parse_feed(self, response: Response) -> Iterator[Request]:
        """Article links of an RSS or Atom feed."""
        yield from self._article_requests(parse_feed(response.body, response.url), "feed")

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        """Article links of a sitemap, and the sitemaps of a sitemap index."""
        pages, children = parse_sitemap(response.body, response.url)
        for child in children:
            if self._in_scope(child.url):
                yield Request(child.url, callback=self.parse_sitemap, meta={"ecopolicy_kind": "sitemap"})
        yield from self._article_requests(pages, "sitemap")

    def parse_list(self, response: Response) -> Iterator[Request]:
        """Article links of a list page, then the next list page."""
        if not isinstance(response, TextResponse):
            return
        page: ListPage = response.meta["list_page"]
        number: int = response.meta["page_number"]
        links = parse_list_page(response.text, response.url, self.source.selectors.list_links)
        yield from self._article_requests(links, "list")
        for url in next_page_urls(response.text, response.url, page, number):
            yield self._list_request(url, page, number + 1)

    # --- articles ---------------------------------------------------------------------------------
    def parse_article(self, response: Response) -> Iterator[ArticleRecord]:
        """Extract a record; a page that cannot give one is counted with its reason."""
        stats = self.crawler.stats
        header = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        if header and "html" not in header and "xml" not in header and "text/plain" not in header:
            self._drop(response, "not_html", header)
            return
        charset = header.partition("charset=")[2].split(";")[0].strip() or None
        try:
            extracted = extract_article(response.body, response.url, self.source, encoding=charset)
        except ExtractionError as exc:
            self._drop(response, exc.reason, str(exc))
            return
        for event in extracted.pop("events", ()):
            stats.inc_value(f"extraction/{event}")
        stats.inc_value("extraction/records")
        now = datetime.datetime.now(datetime.UTC)
        yield build_record(extracted, url=response.url, source_key=self.source.key, crawled_at=now)

    def _drop(self, response: Response, reason: str, detail: str) -> None:
        self.crawler.stats.inc_value(f"extraction/dropped/{reason}")
        logger.info("No record from %s: %s (%s)", response.url, reason, detail)

    def article_failed(self, failure: Failure) -> None:
        """Count an article that could not be fetched (after retries), by error type."""
        request = failure.request  # type: ignore[attr-defined]
        reason = failure.type.__name__ if failure.type else "error"
        self.crawler.stats.inc_value(f"fetch/failed/{reason}")
        logger.warning("Could not fetch %s: %s", request.url, failure.getErrorMessage())
