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

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

_SPACE = re.compile(r"\s+")


def content_hash(text: str) -> str:
    """sha1 hex of *text* after NFKC, case folding and whitespace collapsing.

    >>> content_hash("Clean  Air\\u3000Act") == content_hash("clean air act")
    True
    """
    normalised = _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()
    return hashlib.sha1(normalised.encode("utf-8"), usedforsecurity=False).hexdigest()


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
        adapter["text"] = "\n\n".join(paragraphs)
        adapter["content_hash"] = content_hash(adapter["text"] or adapter.get("sha256") or "")
        return item
