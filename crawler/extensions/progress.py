"""Progress of a long crawl, per source, at a regular interval (like Scrapy's LogStats).

One INFO line per interval: pages fetched and their rate, records emitted (new/changed,
unchanged skipped), 304s, errors. Cron logs then show where a slow run is.

Settings: ECOPOLICY_PROGRESS_ENABLED (bool, default True), ECOPOLICY_PROGRESS_INTERVAL
(seconds, default 60.0).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def progress_line(source: str, stats: dict[str, int | float], elapsed: float) -> str:
    """The progress message for *stats* after *elapsed* seconds.

    >>> progress_line("demo", {"response_received_count": 120, "item_scraped_count": 30,
    ...                        "seen/unchanged": 5, "log_count/ERROR": 1}, 60.0)
    'demo: 120 pages (120/min), 30 records (30/min), 5 unchanged, 0 not modified, 1 errors'
    """
    pages = int(stats.get("response_received_count", 0))
    items = int(stats.get("item_scraped_count", 0))
    minutes = max(elapsed, 1e-9) / 60
    return (
        f"{source}: {pages} pages ({pages / minutes:.0f}/min), {items} records ({items / minutes:.0f}/min), "
        f"{int(stats.get('seen/unchanged', 0))} unchanged, {int(stats.get('conditional/not_modified', 0))} "
        f"not modified, {int(stats.get('log_count/ERROR', 0))} errors"
    )


class ProgressLog:
    """Log :func:`progress_line` every ECOPOLICY_PROGRESS_INTERVAL seconds while the spider runs."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self._crawler = crawler
        self._interval = interval
        self._task: task.LoopingCall | None = None
        self._started = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        interval = settings.getfloat("ECOPOLICY_PROGRESS_INTERVAL", 60.0)
        if not settings.getbool("ECOPOLICY_PROGRESS_ENABLED", True) or interval <= 0:
            raise NotConfigured("progress logging disabled")
        extension = cls(crawler, interval)
        crawler.signals.connect(extension._spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension._spider_closed, signal=signals.spider_closed)
        return extension

    def _spider_opened(self) -> None:
        self._started = time.monotonic()
        self._task = task.LoopingCall(self.log)
        self._task.start(self._interval, now=False)

    def log(self) -> None:
        """Log one progress line now."""
        spider = self._crawler.spider
        source = getattr(getattr(spider, "source", None), "key", None) or spider.name
        stats = self._crawler.stats.get_stats()
        logger.info("%s", progress_line(source, stats, time.monotonic() - self._started))

    def _spider_closed(self) -> None:
        if self._task is not None and self._task.running:
            self._task.stop()
            self.log()
        self._task = None
