"""Progress of a long crawl, per source, soon after the start and then at a regular interval.

One INFO line each time: pages fetched and their rate, the frontier (article links discovered,
requests still queued) with an estimate of the time left at the current rate, records emitted
(new/changed, unchanged skipped), 304s, errors. The first line comes a few seconds after the
start, so a person sees the crawl working; cron logs then show where a slow run is. The
estimate is a floor: list pages still queued discover more.

Settings: ECOPOLICY_PROGRESS_ENABLED (bool, default True), ECOPOLICY_PROGRESS_FIRST (seconds
to the first line, default 5.0), ECOPOLICY_PROGRESS_INTERVAL (seconds, default 60.0).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.sources.base import source_key

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def _links(stats: dict[str, int | float]) -> int:
    """Article links discovery found so far (``discovery/<kind>/links``)."""
    return sum(int(v) for k, v in stats.items() if k.startswith("discovery/") and k.endswith("/links"))


def _time_left(queued: int, per_minute: float) -> str:
    """The time the queue takes at *per_minute*, in words.

    >>> _time_left(0, 10), _time_left(30, 60), _time_left(900, 10), _time_left(5, 0)
    ('queue empty', 'about 1 min left', 'about 1.5 h left', 'time left unknown')
    """
    if queued <= 0:
        return "queue empty"
    if per_minute <= 0:
        return "time left unknown"
    minutes = queued / per_minute
    return f"about {max(1, round(minutes))} min left" if minutes < 90 else f"about {minutes / 60:.1f} h left"


def progress_line(source: str, stats: dict[str, int | float], elapsed: float) -> str:
    """The progress message for *stats* after *elapsed* seconds.

    >>> progress_line("demo", {"response_received_count": 120, "item_scraped_count": 30,
    ...                        "scheduler/enqueued": 180, "scheduler/dequeued": 120,
    ...                        "discovery/list/links": 70, "seen/unchanged": 5, "log_count/ERROR": 1}, 60.0)
    ... # doctest: +NORMALIZE_WHITESPACE
    'demo: 120 pages (120/min), 70 article links found, 60 queued (about 1 min left),
    30 records (30/min), 5 unchanged, 0 not modified, 1 errors'
    """
    pages = int(stats.get("response_received_count", 0))
    items = int(stats.get("item_scraped_count", 0))
    queued = int(stats.get("scheduler/enqueued", 0)) - int(stats.get("scheduler/dequeued", 0))
    minutes = max(elapsed, 1e-9) / 60
    left = _time_left(queued, pages / minutes)
    return (
        f"{source}: {pages} pages ({pages / minutes:.0f}/min), {_links(stats)} article links found, "
        f"{queued} queued ({left}), {items} records ({items / minutes:.0f}/min), "
        f"{int(stats.get('seen/unchanged', 0))} unchanged, {int(stats.get('conditional/not_modified', 0))} "
        f"not modified, {int(stats.get('log_count/ERROR', 0))} errors"
    )


class ProgressLog:
    """Log :func:`progress_line` every ECOPOLICY_PROGRESS_INTERVAL seconds while the spider runs."""

    def __init__(self, crawler: Crawler, interval: float, first: float = 5.0) -> None:
        self._crawler = crawler
        self._interval = interval
        self._first = first
        self._task: task.LoopingCall | None = None
        self._first_call: Any = None
        self._started = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        interval = settings.getfloat("ECOPOLICY_PROGRESS_INTERVAL", 60.0)
        if not settings.getbool("ECOPOLICY_PROGRESS_ENABLED", True) or interval <= 0:
            raise NotConfigured("progress logging disabled")
        extension = cls(crawler, interval, settings.getfloat("ECOPOLICY_PROGRESS_FIRST", 5.0))
        crawler.signals.connect(extension._spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension._spider_closed, signal=signals.spider_closed)
        return extension

    def _spider_opened(self) -> None:
        self._started = time.monotonic()
        self._task = task.LoopingCall(self.log)
        self._task.start(self._interval, now=False)
        if 0 < self._first < self._interval:
            # the reactor Scrapy installed: importing it at module level would install another
            from twisted.internet import reactor

            self._first_call = reactor.callLater(self._first, self.log)

    def log(self) -> None:
        """Log one progress line now."""
        spider = self._crawler.spider
        source = source_key(spider)
        stats = self._crawler.stats.get_stats()
        logger.info("%s", progress_line(source, stats, time.monotonic() - self._started))

    def _spider_closed(self) -> None:
        if self._first_call is not None and self._first_call.active():
            self._first_call.cancel()
        if self._task is not None and self._task.running:
            self._task.stop()
            self.log()
        self._task = None
