"""Request fingerprints keyed on the canonical URL.

Scrapy's default fingerprint treats ``http://a/x``, ``https://a/x#top`` and
``https://a/x?utm_source=rss`` as three requests; for articles they are one page. Keying the
fingerprint on :func:`crawler.urls.url_key` makes the dupe filter (and scrapy-redis' shared
one) fetch an article once however it was linked.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from crawler.urls import url_key

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler


class CanonicalUrlFingerprinter:
    """``REQUEST_FINGERPRINTER_CLASS``: method, canonical URL key and body."""

    def __init__(self) -> None:
        self._cache: WeakKeyDictionary[Request, bytes] = WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls()

    def fingerprint(self, request: Request) -> bytes:
        """20-byte sha1 of the request's identity."""
        if (cached := self._cache.get(request)) is not None:
            return cached
        digest = hashlib.sha1(usedforsecurity=False)
        digest.update(request.method.encode("ascii"))
        digest.update(b"\0")
        digest.update(url_key(request.url).encode("utf-8"))
        digest.update(b"\0")
        digest.update(request.body or b"")
        fingerprint = digest.digest()
        self._cache[request] = fingerprint
        return fingerprint
