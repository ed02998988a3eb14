"""ecopolicy-crawler: a clean, dated corpus of environmental-policy news and documents.

``crawler.extract(html, url, source=None)`` turns one saved page into a cleaned record, the
same way a crawl does; ``ecopolicy`` (``crawler.cli``) is the command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.sources.base import Source

__all__ = ["extract"]


def extract(html: str | bytes, url: str, source: Source | str | None = None) -> dict[str, Any]:
    """The cleaned record of one page; see :func:`crawler.offline.extract`."""
    from crawler.offline import extract as _extract  # deferred: importing Scrapy is slow

    return _extract(html, url, source)
