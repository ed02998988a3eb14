"""Conditional requests for list pages, feeds and sitemaps: an unchanged page costs a 304.

A scheduled run asks again for every list page, feed and sitemap it crawled before, with the
``ETag`` (``If-None-Match``) and ``Last-Modified`` (``If-Modified-Since``) the server gave last
time. A ``304 Not Modified`` ends the request here (``IgnoreRequest``): no parse, no links,
no pagination. New validators are staged with the run and kept only when the run finished
cleanly (:mod:`pipelines.seen`), so a page whose links a killed run did not follow is fetched
in full again.

Settings: ECOPOLICY_CONDITIONAL_ENABLED (bool, default True), ECOPOLICY_CONDITIONAL_KINDS
(list of ``meta["ecopolicy_kind"]`` values, default list, feed, sitemap); stands down without
ECOPOLICY_STATE_DIR / ECOPOLICY_REDIS_URL or with ECOPOLICY_OFFLINE.
Stats: conditional/requests, conditional/not_modified, conditional/validators_staged.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawler.state import open_seen_store, run_batch, state_configured, state_key, validators_batch

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from crawler.state.base import SeenStore

logger = logging.getLogger(__name__)

_SENT = "ecopolicy_conditional"


class ConditionalRequestMiddleware:
    """Send validators the store knows; turn a 304 into an ignored request; stage new validators."""

    def __init__(self, crawler: Crawler, kinds: frozenset[str]) -> None:
        self._crawler = crawler
        self._kinds = kinds
        self._store: SeenStore | None = None
        self._batch = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ECOPOLICY_CONDITIONAL_ENABLED", True):
            raise NotConfigured("ECOPOLICY_CONDITIONAL_ENABLED is False")
        if not state_configured(settings):
            # The default, stateless mode: stand down quietly (a NotConfigured message is a WARNING).
            raise NotConfigured
        kinds = frozenset(settings.getlist("ECOPOLICY_CONDITIONAL_KINDS", ["list", "feed", "sitemap"]))
        middleware = cls(crawler, kinds)
        crawler.signals.connect(middleware._spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware._spider_closed, signal=signals.spider_closed)
        return middleware

    def _spider_opened(self) -> None:
        self._store = open_seen_store(self._crawler.settings)
        self._batch = validators_batch(run_batch(self._crawler.spider))

    def _spider_closed(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def _applies(self, request: Request) -> bool:
        return self._store is not None and request.meta.get("ecopolicy_kind") in self._kinds

    def process_request(self, request: Request) -> None:
        if not self._applies(request) or b"If-None-Match" in request.headers:
            return
        assert self._store is not None
        known = self._store.validators(state_key(self._crawler.spider, request.url))
        if known is None or not (known.etag or known.last_modified):
            return
        if known.etag:
            request.headers[b"If-None-Match"] = known.etag
        if known.last_modified:
            request.headers[b"If-Modified-Since"] = known.last_modified
        request.meta[_SENT] = True
        self._crawler.stats.inc_value("conditional/requests")

    def process_response(self, request: Request, response: Response) -> Any:
        if not self._applies(request):
            return response
        assert self._store is not None
        stats = self._crawler.stats
        if response.status == 304 and request.meta.get(_SENT):
            stats.inc_value("conditional/not_modified")
            stats.inc_value(f"conditional/not_modified/{request.meta['ecopolicy_kind']}")
            raise IgnoreRequest(f"Not modified since the last run: {request.url}")
        if response.status == 200:
            etag = response.headers.get(b"ETag")
            modified = response.headers.get(b"Last-Modified")
            if etag or modified:
                self._store.save_validators(
                    state_key(self._crawler.spider, request.url),
                    etag.decode("latin-1") if etag else None,
                    modified.decode("latin-1") if modified else None,
                    batch=self._batch,
                )
                stats.inc_value("conditional/validators_staged")
        return response
