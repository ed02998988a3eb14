"""Records from saved HTML and documents, with no network: the code path of ``ecopolicy extract``.

The same extraction and the same item pipelines as a crawl, built from the same settings
through their ``from_crawler`` factories. Stateful steps (seen-store, cross-article
duplicates) stand down because ``ECOPOLICY_OFFLINE`` is set: a saved page has no history.
One reads history without adding to it: with ``ECOPOLICY_STATE_DIR`` set, the furniture step
(:mod:`pipelines.furniture`) removes what earlier crawls learned about the page's source,
opening the counts read-only; learning stands down.
"""

from __future__ import annotations

import datetime
from functools import cache
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import build_from_crawler, load_object

from crawler.documents import document_fields
from crawler.extraction import extract_article
from crawler.records import build_attachment_record, build_record
from crawler.sources.base import Source
from crawler.sources.registry import get_source


def project_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """The project's settings module, plus *overrides* at command-line priority."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    if overrides:
        settings.setdict(overrides, priority="cmdline")
    return settings


_URL_EDGE = "".join(chr(code) for code in range(0x21))  # C0 controls and space
_URL_INSIDE = str.maketrans("", "", "\t\n\r")


def checked_page(html: object) -> str | bytes:
    """*html* as str or bytes; what is not a page is refused in one clear line, not deep inside."""
    if isinstance(html, bytearray | memoryview):
        return bytes(html)
    if not isinstance(html, str | bytes):
        raise TypeError(f"html must be str or bytes, got {type(html).__name__}")
    return html


def checked_url(url: object) -> str:
    """*url* as a browser reads it: edge controls and spaces stripped, tabs and newlines removed.

    A URL pasted from a file often carries its line ending; kept, it would land in the record's
    ``url`` and its fingerprint, and the same article would have two identities.
    """
    if not isinstance(url, str):
        raise TypeError(f"url must be str, got {type(url).__name__}")
    cleaned = url.strip(_URL_EDGE).translate(_URL_INSIDE)
    if not cleaned:
        raise ValueError("url is empty")
    return cleaned


class OfflineExtractor:
    """Extraction followed by the crawl's item pipelines, for pages already on disk."""

    def __init__(self, settings: Settings | None = None) -> None:
        settings = (settings or project_settings()).copy()
        settings.set("ECOPOLICY_OFFLINE", True, priority="cmdline")
        self._crawler = Crawler(Spider, settings)
        self._crawler.stats = MemoryStatsCollector(self._crawler)
        self._pipelines = []
        for path in build_component_list(settings.getwithbase("ITEM_PIPELINES")):
            try:
                self._pipelines.append(build_from_crawler(load_object(path), self._crawler))
            except NotConfigured:
                continue

    def close(self) -> None:
        """Release what the pipelines hold open (the furniture counts' read-only connection)."""
        for pipeline in self._pipelines:
            close = getattr(pipeline, "close_spider", None)
            if close is not None:
                close()

    @property
    def stats(self) -> dict[str, Any]:
        """Counts gathered so far (extraction events, cleaning counts, drops)."""
        return self._crawler.stats.get_stats()

    def extract(
        self,
        html: str | bytes,
        url: str,
        source: Source | str | None = None,
        *,
        encoding: str | None = None,
        now: datetime.datetime | None = None,
    ) -> dict[str, Any]:
        """The cleaned record of one page as a dict.

        Raises :class:`crawler.extraction.ExtractionError` when the page gives no record and
        :class:`scrapy.exceptions.DropItem` when a pipeline drops it (empty body, invalid).
        """
        html = checked_page(html)
        url = checked_url(url)
        if isinstance(source, str):
            source = get_source(source)
        now = now or datetime.datetime.now(datetime.UTC)
        extracted = extract_article(html, url, source, encoding=encoding, now=now)
        for event in extracted.pop("events", ()):
            self._crawler.stats.inc_value(f"extraction/{event}")
        key = source.key if source is not None else "local"
        item: Any = build_record(extracted, url=url, source_key=key, crawled_at=now)
        for pipeline in self._pipelines:
            item = pipeline.process_item(item)
        return ItemAdapter(item).asdict()

    def extract_document(
        self,
        data: bytes,
        url: str,
        filename: str | None = None,
        source: Source | str | None = None,
        *,
        now: datetime.datetime | None = None,
    ) -> dict[str, Any]:
        """The attachment record of a document file (PDF, DOCX, XLSX, XLS, OFD, ...) as a dict.

        Raises :class:`crawler.documents.DocumentError` (with its ``reason``) for a file that
        gives no record, and :class:`scrapy.exceptions.DropItem` when a pipeline drops it.
        """
        if isinstance(source, str):
            source = get_source(source)
        now = now or datetime.datetime.now(datetime.UTC)
        fields = document_fields(
            data, url, filename, language=source.language if source else "zh",
            zone=source.zone if source else None,
        )  # fmt: skip
        for event in fields.pop("events"):
            self._crawler.stats.inc_value(f"attachments/{event}")
        key = source.key if source is not None else "local"
        item: Any = build_attachment_record(fields, url=url, source_key=key, crawled_at=now, parent_ids=[])
        for pipeline in self._pipelines:
            item = pipeline.process_item(item)
        return ItemAdapter(item).asdict()


@cache
def default_extractor() -> OfflineExtractor:
    """One extractor per process: building the pipelines costs more than running them."""
    return OfflineExtractor()


def extract(html: str | bytes, url: str, source: Source | str | None = None) -> dict[str, Any]:
    """The record of one page (``html`` as str or bytes), cleaned exactly as a crawl would.

    For notebooks and downstream code; see :meth:`OfflineExtractor.extract` for the errors.
    """
    return default_extractor().extract(html, url, source)


def extract_document(data: bytes, url: str, filename: str | None = None) -> dict[str, Any]:
    """The attachment record of one document's bytes, cleaned and validated as a crawl would."""
    return default_extractor().extract_document(data, url, filename)
