"""Retries with exponential back-off that honour ``Retry-After``.

Scrapy's RetryMiddleware re-queues a failed request at once; a portal that answered 429 or
503 gets the same request again within milliseconds. This subclass waits first: the
``Retry-After`` the server sent (seconds or an HTTP date), else ``base * 2**attempt`` with a
little jitter, never more than a cap. A server asking for a longer pause than the cap is
taken at its word: the request is given up and counted rather than hammered.

Settings: RETRY_* as Scrapy's, ECOPOLICY_RETRY_BASE_DELAY (float, default 1.0),
ECOPOLICY_RETRY_MAX_DELAY (float, default 120.0).
Stats: ``retry/backoff/waits``, ``retry/backoff/retry_after``, ``retry/backoff/too_long``
(plus Scrapy's ``retry/count``, ``retry/reason_count/*``, ``retry/max_reached``).
"""

from __future__ import annotations

import datetime
import logging
import random
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


def retry_after_seconds(value: str | bytes | None, now: datetime.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or HTTP date); ``None`` if absent/bad.

    >>> retry_after_seconds(b"7")
    7.0
    >>> now = datetime.datetime(2024, 5, 22, 12, 0, 0, tzinfo=datetime.UTC)
    >>> retry_after_seconds("Wed, 22 May 2024 12:00:30 GMT", now)
    30.0
    >>> retry_after_seconds("soon") is None
    True
    """
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    now = now or datetime.datetime.now(datetime.UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(attempt: int, base: float, cap: float, jitter: float = 0.0) -> float:
    """``base * 2**attempt`` plus *jitter* (a fraction of it), at most *cap*.

    >>> [backoff_delay(n, 1.0, 5.0) for n in range(4)]
    [1.0, 2.0, 4.0, 5.0]
    """
    delay = base * (2**attempt)
    return min(cap, delay * (1.0 + jitter))


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware that waits (Retry-After, else exponential back-off) before retrying."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self._base = settings.getfloat("ECOPOLICY_RETRY_BASE_DELAY", 1.0)
        self._cap = settings.getfloat("ECOPOLICY_RETRY_MAX_DELAY", 120.0)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        stats = self.crawler.stats
        assert stats is not None
        attempt = request.meta.get("retry_times", 0)
        asked = retry_after_seconds(response.headers.get("Retry-After"))
        if asked is not None:
            stats.inc_value("retry/backoff/retry_after")
            if asked > self._cap:
                stats.inc_value("retry/backoff/too_long")
                logger.warning(
                    "Giving up %s: Retry-After %.0fs exceeds ECOPOLICY_RETRY_MAX_DELAY %.0fs",
                    request.url,
                    asked,
                    self._cap,
                )
                return response
            delay = asked
        else:
            delay = backoff_delay(attempt, self._base, self._cap, random.uniform(0.0, 0.25))
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if delay > 0:
            stats.inc_value("retry/backoff/waits")
            logger.debug("Waiting %.1fs before retrying %s (%s)", delay, request.url, response.status)
            from twisted.internet import reactor, task  # the crawl's reactor, installed by now

            await maybe_deferred_to_future(task.deferLater(reactor, delay, lambda: None))
        return retry
