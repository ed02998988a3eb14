"""Fetch the documents articles link to, once each, and emit them as attachment records.

A spider middleware: when an article record leaves the spider, each of its ``attachments``
that may be fetched (an http(s) URL on the source's domains or its ``attachment_hosts``, with
a readable extension) gets the attachment record's ``id`` and is noted with the article as a
parent. When the crawl of pages runs dry (``spider_idle``), every noted file is requested once,
through the same downloader (robots.txt, throttling, retries, conditional requests with the
seen-store), so a file linked from several articles is fetched and emitted once, naming them all
in ``parent_ids``. A list page or sitemap that links a document directly hands it over too (no
parent); it is not requested as a page. A file past the size or page limit, encrypted, corrupt,
a zip bomb, of the wrong bytes or of an unreadable format is counted with its reason and logged,
never fatal.

The ``id`` is the record id of the file's canonical URL, the same in every run: a file already
delivered by an earlier run (and not re-emitted because it did not change) keeps the id the
parent points to.

Settings: ECOPOLICY_ATTACHMENTS_ENABLED (default True; a source fetches only with its
``fetch_attachments``), ECOPOLICY_ATTACHMENTS_MAXSIZE (bytes, default 32 MiB),
ECOPOLICY_ATTACHMENTS_MAX_PAGES (default 300), ECOPOLICY_ATTACHMENTS_OCR (default False: read
scans with Tesseract when installed, :mod:`crawler.documents.ocr`). Stats: ``attachments/linked``,
``attachments/listed``, ``attachments/requested``, ``attachments/<format>/records``,
``attachments/dropped/<reason>``, ``attachments/skipped/{offsite,unsupported_format,older}``,
``attachments/needs_ocr``, ``attachments/not_modified``, ``attachments/failed/<error>``.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from itemadapter import ItemAdapter, is_item
from scrapy import Request, Spider, signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest, NotConfigured
from twisted.internet.defer import CancelledError

from crawler.discovery import is_attachment
from crawler.documents import DocumentError, Limits, document_fields
from crawler.documents.sniff import MEDIA_TYPES, extension
from crawler.records import build_attachment_record
from crawler.sources.base import Source
from crawler.urls import canonicalize_url, record_id
from pipelines.since import published_before

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)


@dataclass
class _Noted:
    """A file to fetch, and what its parents said about it."""

    url: str
    link_text: str
    published: str | None
    parents: list[str] = field(default_factory=list)


def host_allowed(url: str, domains: Iterable[str]) -> bool:
    """Whether *url* is http(s) on one of *domains* or below one.

    >>> host_allowed("https://files.x.gov.cn/a.pdf", ["x.gov.cn"])
    True
    >>> host_allowed("ftp://x.gov.cn/a", ["x.gov.cn"])
    False
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme in {"http", "https"} and any(host == d or host.endswith("." + d) for d in domains)


class AttachmentMiddleware:
    """Spider middleware: note the attachments of articles, fetch them when pages run out."""

    def __init__(self, crawler: Crawler, limits: Limits, ocr: bool = False) -> None:
        self._crawler = crawler
        self._limits = limits
        self._ocr = ocr
        self._noted: dict[str, _Noted] = {}
        self._requested: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ECOPOLICY_ATTACHMENTS_ENABLED", True):
            raise NotConfigured("ECOPOLICY_ATTACHMENTS_ENABLED is False")
        limits = Limits(
            max_bytes=settings.getint("ECOPOLICY_ATTACHMENTS_MAXSIZE", Limits.max_bytes),
            max_pages=settings.getint("ECOPOLICY_ATTACHMENTS_MAX_PAGES", Limits.max_pages),
        )
        middleware = cls(crawler, limits, settings.getbool("ECOPOLICY_ATTACHMENTS_OCR", False))
        crawler.signals.connect(middleware._spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(middleware._spider_opened, signal=signals.spider_opened)
        return middleware

    # --- noting attachments on their way out of the spider ------------------------------------
    def _source(self) -> Source | None:
        """The registry source whose attachments are fetched; ``None`` for any other spider, a source
        without ``fetch_attachments``, and a health check (``sources --check``)."""
        spider = self._crawler.spider
        source = getattr(spider, "source", None)
        if not isinstance(source, Source) or not source.fetch_attachments:
            return None
        return None if getattr(spider, "_check_articles", 0) else source

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        for output in result:
            kept = self._note(output)
            if kept is not None:
                yield kept

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for output in result:
            kept = self._note(output)
            if kept is not None:
                yield kept

    def _note(self, output: Any) -> Any:
        """Note the attachments of an article record; take over a listing's link to a document."""
        source = self._source()
        if source is None:
            return output
        if isinstance(output, Request):
            return self._listed_document(output, source)
        if not is_item(output):
            return output
        adapter = ItemAdapter(output)
        if adapter.get("kind") != "article":
            return output
        since = getattr(self._crawler.spider, "since", None)
        if since is not None and published_before(adapter.get("published"), since):
            self._crawler.stats.inc_value("attachments/skipped/older", len(adapter.get("attachments") or []))
            return output  # the record-level date filter drops this article: its files are not wanted
        for entry in adapter.get("attachments") or []:
            noted = self._noted_file(entry["url"], entry.get("title") or "", adapter.get("published"), source)
            if noted is not None:
                entry["id"] = record_id(noted.url)
                if adapter["id"] not in noted.parents:
                    noted.parents.append(adapter["id"])
        return output

    def _listed_document(self, request: Request, source: Source) -> Request | None:
        """A list page or sitemap that links a document directly: fetched as an attachment (with
        no parent article) instead of as a page that could only be dropped as not HTML."""
        if request.meta.get("ecopolicy_kind") != "article" or not is_attachment(request.url):
            return request
        listing = request.meta.get("listing")
        self._noted_file(request.url, getattr(listing, "title", "") or "", None, source)
        self._crawler.stats.inc_value("attachments/listed")
        return None

    def _noted_file(self, link: str, title: str, published: str | None, source: Source) -> _Noted | None:
        """The file behind *link*, noted once; ``None`` (counted) when it may not be fetched."""
        url = canonicalize_url(link)
        stats = self._crawler.stats
        stats.inc_value("attachments/linked")
        if not host_allowed(url, (*source.allowed_domains, *source.attachment_hosts)):
            stats.inc_value("attachments/skipped/offsite")
            return None
        if extension(urlsplit(url).path) not in MEDIA_TYPES:
            stats.inc_value("attachments/skipped/unsupported_format")
            return None
        return self._noted.setdefault(url, _Noted(url, title, published))

    # --- fetching once the pages are done ---------------------------------------------------------
    def _spider_opened(self, spider: Spider) -> None:
        """Make the callbacks spider attributes, so a shared (Redis) queue can serialise the requests."""
        spider.parse_attachment = self.parse_attachment  # type: ignore[attr-defined]
        spider.attachment_failed = self.attachment_failed  # type: ignore[attr-defined]

    def _spider_idle(self) -> None:
        waiting = [url for url in self._noted if url not in self._requested]
        if not waiting:
            return
        spider = self._crawler.spider
        for url in waiting:
            self._requested.add(url)
            self._crawler.stats.inc_value("attachments/requested")
            noted = self._noted[url]
            about = {"link_text": noted.link_text, "published": noted.published, "parents": noted.parents}
            self._crawler.engine.crawl(
                Request(
                    url,
                    callback=spider.parse_attachment,
                    errback=spider.attachment_failed,
                    meta={
                        "ecopolicy_kind": "attachment",
                        "ecopolicy_attachment": about,
                        "download_maxsize": self._limits.max_bytes,
                    },
                )
            )
        raise DontCloseSpider

    def parse_attachment(self, response: Response) -> Iterator[Any]:
        """The attachment record of a fetched file, or a counted reason why there is none."""
        stats = self._crawler.stats
        about = response.meta["ecopolicy_attachment"]
        source = self._crawler.spider.source
        try:
            fields = document_fields(
                response.body, response.url, link_text=about["link_text"],
                parent_published=about["published"], language=source.language, zone=source.zone,
                limits=self._limits, ocr=self._ocr,
            )  # fmt: skip
        except DocumentError as exc:
            stats.inc_value(f"attachments/dropped/{exc.reason}")
            logger.info("No attachment record from %s: %s", response.url, exc)
            return
        fmt, *events = fields.pop("events")
        stats.inc_value(f"attachments/{fmt}/records")
        for event in events:
            stats.inc_value(f"attachments/{fmt}/{event}")
        if fields["needs_ocr"]:
            stats.inc_value("attachments/needs_ocr")
        now = datetime.datetime.now(datetime.UTC)
        yield build_attachment_record(
            fields, url=response.url, source_key=source.key, crawled_at=now, parent_ids=about["parents"]
        )

    def attachment_failed(self, failure: Failure) -> None:
        """Count a file that could not be fetched; a 304 (unchanged since the last run) is not a failure."""
        stats = self._crawler.stats
        url = failure.request.url  # type: ignore[attr-defined]
        if failure.check(IgnoreRequest) and "Not modified" in failure.getErrorMessage():
            stats.inc_value("attachments/not_modified")
            return
        if failure.check(CancelledError):
            stats.inc_value("attachments/dropped/too_large")
            logger.info("Attachment %s is larger than %d bytes", url, self._limits.max_bytes)
            return
        reason = failure.type.__name__ if failure.type else "error"
        stats.inc_value(f"attachments/failed/{reason}")
        level = logging.INFO if failure.check(IgnoreRequest) else logging.WARNING
        logger.log(level, "Could not fetch attachment %s: %s", url, failure.getErrorMessage())
