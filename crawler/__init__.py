"""ecopolicy-crawler: a clean, dated corpus of environmental-policy news and documents.

``crawler.extract(html, url, source=None)`` turns one saved page into a cleaned record, the
same way a crawl does; ``crawler.extract_document(data, url, filename=None)`` does the same for
a document (PDF, Word, spreadsheet, OFD); ``ecopolicy`` (``crawler.cli``) is the command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.sources.base import Source

__all__ = ["extract", "extract_document"]


def extract(html: str | bytes, url: str, source: Source | str | None = None) -> dict[str, Any]:
    """The cleaned record of one page; see :func:`crawler.offline.extract`."""
    from crawler.offline import extract as _extract  # deferred: importing Scrapy is slow

    return _extract(html, url, source)


def extract_document(data: bytes, url: str, filename: str | None = None) -> dict[str, Any]:
    """The attachment record of one document file; see :func:`crawler.offline.extract_document`."""
    from crawler.offline import extract_document as _extract_document  # deferred: Scrapy is slow to import

    return _extract_document(data, url, filename)
