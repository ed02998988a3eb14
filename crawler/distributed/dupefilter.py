"""scrapy-redis' shared dupe filter, keyed on the project's request fingerprint.

``scrapy_redis.dupefilter.RFPDupeFilter.request_fingerprint`` hashes its own JSON of
``w3lib.url.canonicalize_url`` and ignores ``REQUEST_FINGERPRINTER_CLASS``: with it, the
shared filter would fetch ``http://a/x``, ``https://a/x`` and ``https://a/x?utm_source=rss``
three times, where a single-process crawl (keyed on :func:`crawler.urls.url_key`) fetches once.
This subclass asks the crawler's fingerprinter instead, and never deletes the shared set when
one worker closes (``RFPDupeFilter.close`` does; the crawl outlives every worker).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter

from crawler.distributed.keys import CrawlKeys
from crawler.dupefilter import name_redirect_duplicate

if TYPE_CHECKING:
    from typing import Self

    from redis import Redis
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler


class CanonicalRedisDupeFilter(RFPDupeFilter):
    """A Redis set of request fingerprints (hex) from ``crawler.request_fingerprinter``."""

    def __init__(self, server: Redis, key: str, debug: bool = False, *, fingerprinter: Any) -> None:
        super().__init__(server, key, debug)
        self._fingerprinter = fingerprinter

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        source = getattr(crawler.spider, "source", None)
        key = CrawlKeys(
            settings.get("ECOPOLICY_REDIS_PREFIX", "ecopolicy"), getattr(source, "key", "default")
        ).dupefilter
        return cls(
            get_redis_from_settings(settings),
            key,
            settings.getbool("DUPEFILTER_DEBUG"),
            fingerprinter=crawler.request_fingerprinter,
        )

    @classmethod
    def from_spider(cls, spider: Spider) -> Self:
        return cls.from_crawler(spider.crawler)

    def request_fingerprint(self, request: Request) -> str:
        """Hex of the crawler's fingerprint (``CanonicalUrlFingerprinter`` in this project)."""
        return str(self._fingerprinter.fingerprint(request).hex())

    def log(self, request: Request, spider: Spider) -> None:
        """Scrapy-redis' log, and an article merged into another by a redirect named."""
        name_redirect_duplicate(request, spider.crawler.stats)
        super().log(request, spider)

    def close(self, reason: str = "") -> None:
        """Keep the shared fingerprints: other workers and later runs still need them."""
