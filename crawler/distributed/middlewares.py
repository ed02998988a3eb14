"""Two small components of the distributed crawl.

:class:`TaskDoneMiddleware` (downloader middleware, next to the engine) reports every request
taken from the shared queue once it has a response or a final error, including requests
refused by later middlewares (robots.txt, offsite) which never reach the downloader and for
which Scrapy sends no signal. A request that failed because *Redis* did (a middleware asking
the shared seen-store for validators during an outage) did not fail at the site: it is
scheduled again, so it waits for Redis instead of being counted done and lost.

:class:`SeedFrontierMiddleware` (spider middleware) replaces the spider's start requests by a
one-time seed of the shared queue: the first worker of a crawl takes the seed lock and puts
every feed, sitemap and list page in at once, list pages with a pagination template expanded
up to their page limit, so that many workers have work from the first second (a frontier that
grows one list page at a time keeps all but one worker waiting). Later workers seed nothing.

Both raise NotConfigured unless ``ECOPOLICY_REDIS_URL`` is set.
Stats: ``distributed/seeded`` (requests seeded by this worker), ``distributed/seed_skipped``,
``distributed/rescheduled_after_redis_error``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from scrapy.exceptions import NotConfigured

from crawler.distributed.frontier import frontier_requests
from crawler.distributed.scheduler import crawl_queue
from crawler.distributed.signals import task_left_downloader

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


def _require_redis(crawler: Crawler) -> None:
    if not crawler.settings.get("ECOPOLICY_REDIS_URL"):
        raise NotConfigured("ECOPOLICY_REDIS_URL is not set")


_REDIS_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
_REDIS_ATTEMPTS = "ecopolicy_redis_attempts"
MAX_REDIS_RESCHEDULES = 5
"""Times one request is scheduled again after Redis was unreachable; then it fails as usual."""


class TaskDoneMiddleware:
    """Send :data:`task_left_downloader` for each request's outcome."""

    def __init__(self, crawler: Crawler) -> None:
        self._signals = crawler.signals
        self._stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        _require_redis(crawler)
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        self._signals.send_catch_log(task_left_downloader, request=request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        attempts = request.meta.get(_REDIS_ATTEMPTS, 0)
        if isinstance(exception, _REDIS_UNREACHABLE) and attempts < MAX_REDIS_RESCHEDULES:
            # The crawl's own store was unreachable, not the site. Counted done, the task would
            # be forgotten at commit with no record delivered; scheduled again, it replaces the
            # task and waits in the scheduler's backlog until Redis answers. The cap keeps a
            # Redis that keeps dropping connections from cycling one request for ever.
            self._stats.inc_value("distributed/rescheduled_after_redis_error")
            logger.debug("Redis failed while %s was prepared (%s): scheduled again", request.url, exception)
            again = request.replace(dont_filter=True)
            again.meta[_REDIS_ATTEMPTS] = attempts + 1
            return again
        self._signals.send_catch_log(task_left_downloader, request=request)
        return None


class SeedFrontierMiddleware:
    """Seed the shared queue once per crawl with the whole known frontier."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        _require_redis(crawler)
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        spider = self.crawler.spider
        requests = [request async for request in start]
        seeded = seed_crawl(self.crawler, spider, requests)
        if seeded < 0:
            self.crawler.stats.inc_value("distributed/seed_skipped")
        return
        yield  # an async generator that yields nothing: the queue in Redis is the frontier


def seed_crawl(crawler: Crawler, spider: Any, start: list[Request]) -> int:
    """Put *start* and the expanded list pages in the shared queue once; -1 if already seeded."""
    requests = frontier_requests(spider, start)
    fingerprinter = crawler.request_fingerprinter
    queue = crawl_queue(crawler, spider)
    marker = json.dumps({"worker": queue.worker, "requests": len(requests)})
    seeded = queue.seed(((fingerprinter.fingerprint(r).hex(), r) for r in requests), marker)
    if seeded >= 0:
        crawler.stats.inc_value("distributed/seeded", seeded)
        logger.info("Seeded crawl %s with %d request(s)", queue.keys.base, seeded)
    else:
        logger.info("Crawl %s already seeded", queue.keys.base)
    return seeded
