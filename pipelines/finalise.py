"""Finalise the cleaned record: ``text``, ``content_hash``, and no empty bodies.

Runs after every cleaning step. The content hash is taken over a normalised form of the text
(Unicode NFKC, case-folded, whitespace collapsed) so a re-crawl that only changes markup or
spacing does not count as a new version.

Stats: ``finalise/dropped/empty_body``.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from pipelines._step import computed_ahead

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from crawler.pool import AheadTask

logger = logging.getLogger(__name__)

_SPACE = re.compile(r"\s+")


def content_hash(text: str) -> str:
    """sha1 hex of *text* after NFKC, case folding and whitespace collapsing.

    >>> content_hash("Clean  Air\\u3000Act") == content_hash("clean air act")
    True
    """
    normalised = _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()
    return hashlib.sha1(normalised.encode("utf-8"), usedforsecurity=False).hexdigest()


def record_text(paragraphs: list[str]) -> str:
    """The record's ``text``: its non-empty paragraphs, a blank line apart."""
    return "\n\n".join(p for p in paragraphs if p.strip())


def text_hash(text: str) -> str:
    """:func:`content_hash` of a record's text, or the one an extraction worker computed for it."""
    return computed_ahead("content_hash", (text,), {}, lambda: content_hash(text))


def hash_ahead(paragraphs: list[str]) -> None:
    """What a worker computes ahead for this pipeline: the hash of the cleaned text."""
    if text := record_text(paragraphs):
        text_hash(text)


class FinalisePipeline:
    """Join paragraphs into ``text``, hash it, and drop a record whose body came out empty."""

    def __init__(self, stats: StatsCollector) -> None:
        self._stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        paragraphs = [p for p in adapter.get("paragraphs") or [] if p.strip()]
        if not paragraphs and not adapter.get("needs_ocr"):  # a scanned attachment has no text yet
            self._stats.inc_value("finalise/dropped/empty_body")
            raise DropItem(f"Empty body after cleaning: {adapter.get('url')}", log_level="INFO")
        adapter["paragraphs"] = paragraphs
        adapter["text"] = record_text(paragraphs)
        adapter["content_hash"] = (
            text_hash(adapter["text"]) if adapter["text"] else content_hash(adapter.get("sha256") or "")
        )
        return item

    def ahead_tasks(self) -> list[AheadTask]:
        from crawler.pool import AheadTask

        return [AheadTask("cleaned", hash_ahead)]
