"""A fault-injection extension: Redis goes away between an output file's rename and its commit.

Loaded into a crawl subprocess beside the project's extensions (``-s EXTENSIONS={...,
'tests.faults.redis_seam.StopRedisAfterRename': 0}``) with ``-s FAULT_REDIS_PID=<pid of a
private redis-server>``. Extensions connect their signal
handlers before the item pipelines do, so this handler of ``feed_committed`` runs after the
rename and before the seen-store's commit: the exact window a Redis restart can hit.
"""

from __future__ import annotations

import os
import signal
import time
from typing import TYPE_CHECKING

from crawler.feeds import feed_committed

if TYPE_CHECKING:
    from pathlib import Path

    from scrapy.crawler import Crawler


class StopRedisAfterRename:
    """Shut the private Redis down (SIGTERM: it writes its AOF and exits) once, after the rename."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.done = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StopRedisAfterRename:
        extension = cls(crawler.settings.getint("FAULT_REDIS_PID"))
        crawler.signals.connect(extension.stop_redis, signal=feed_committed)
        return extension

    def stop_redis(self, target: Path) -> None:
        if self.done or not target.exists():
            return
        self.done = True
        os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
