"""Scrapy's scheduler for a JOBDIR under the state folder, failing fast when that disk fails.

With the state folder's disk full (or its files unwritable), Scrapy's disk queue raised the
same ``OSError`` on every pop, every five seconds, forever, holding the run lock so that every
later cron run exited 75. Here the first ``OSError`` of the disk queue or of the seen-requests
file closes the crawl with the reason ``state_write_failed`` (one error line, counted as
``state/jobdir_failed/<errno>``); the run then exits 1, and its JOBDIR, not stopped gracefully,
is discarded by the next run, which starts the source afresh (the seen-store is consistent:
nothing undelivered was committed).

Used by ``ecopolicy crawl --state`` for each source's JOBDIR (``SCHEDULER``).
"""

from __future__ import annotations

import errno
import logging
from typing import TYPE_CHECKING, Any

from scrapy.core.scheduler import Scheduler
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import reactor

if TYPE_CHECKING:
    from scrapy import Request

logger = logging.getLogger(__name__)

STATE_WRITE_FAILED = "state_write_failed"


class FailFastScheduler(Scheduler):
    """A :class:`scrapy.core.scheduler.Scheduler` that closes the crawl on a JOBDIR I/O error."""

    _failed = False

    def _disk_failed(self, exc: OSError) -> None:
        if self._failed:
            return
        self._failed = True
        code = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
        if self.stats is not None:
            self.stats.inc_value(f"state/jobdir_failed/{code}")
        logger.error("The crawl's JOBDIR cannot be written or read (%s): closing the crawl", exc)
        reactor.callLater(0, self._close_crawl)  # type: ignore[attr-defined]

    def _close_crawl(self) -> None:
        engine = self.crawler.engine if self.crawler is not None else None
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason=STATE_WRITE_FAILED))

    def enqueue_request(self, request: Request) -> bool:
        if self._failed:
            return False
        try:
            return super().enqueue_request(request)
        except OSError as exc:
            self._disk_failed(exc)
            return False

    def next_request(self) -> Request | None:
        if self._failed:
            return None
        try:
            return super().next_request()
        except OSError as exc:
            self._disk_failed(exc)
            return None

    def has_pending_requests(self) -> bool:
        if self._failed:
            return False
        return super().has_pending_requests()

    def close(self, reason: str) -> Any:
        try:
            return super().close(reason)
        except OSError as exc:  # the queue state was not saved: the next run starts afresh
            logger.error("The crawl's JOBDIR state was not saved (%s)", exc)
            return None
