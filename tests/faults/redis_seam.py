"""A fault-injection extension: Redis goes away between an output file's rename and its commit.

With ``-s FAULT_REDIS_STOP_AT=prepared`` it goes away just before the rename instead, when the
delivery journal entry is about to be written.

Loaded into a crawl subprocess beside the project's extensions (``-s EXTENSIONS={...,
'tests.faults.redis_seam.StopRedisAfterRename': 0}``) with ``-s FAULT_REDIS_PID=<pid of a
private redis-server>``. Extensions connect their signal
handlers before the item pipelines do, so this handler of ``feed_committed`` runs after the
rename and before the seen-store's commit: the exact window a Redis restart can hit.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawler.feeds import feed_committed, feed_prepared

if TYPE_CHECKING:
    from pathlib import Path

    from scrapy.crawler import Crawler


class StopRedisAfterRename:
    """Shut the private Redis down (SIGTERM: it writes its AOF and exits) once, after the rename."""

    def __init__(self, pid: int, port: int) -> None:
        self.pid = pid
        self.port = port
        self.done = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StopRedisAfterRename:
        port = urlsplit(crawler.settings.get("ECOPOLICY_REDIS_URL")).port or 6379
        extension = cls(crawler.settings.getint("FAULT_REDIS_PID"), port)
        when = crawler.settings.get("FAULT_REDIS_STOP_AT", "committed")
        moment = feed_prepared if when == "prepared" else feed_committed
        crawler.signals.connect(extension.stop_redis, signal=moment)
        return extension

    def stop_redis(self, target: Path, **_kwargs: object) -> None:
        """Stop Redis once; after the rename (``committed``) or just before it (``prepared``)."""
        if self.done:
            return
        self.done = True
        os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # gone when its port refuses (the test reaps the pid)
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            except OSError:
                return
            time.sleep(0.05)


class RedisFailsOnceForSomeArticles:
    """A downloader middleware that fails the first attempt at every tenth article with a Redis error.

    It stands where the revisit and validator middlewares ask the shared seen-store about an
    article, which is where a Redis outage meets a request on its way to the site. Loaded with
    ``-s DOWNLOADER_MIDDLEWARES={..., 'tests.faults.redis_seam.RedisFailsOnceForSomeArticles': 586}``.
    """

    def __init__(self) -> None:
        self.failed: set[str] = set()

    def process_request(self, request: object) -> None:
        from redis.exceptions import ConnectionError as RedisConnectionError

        url = getattr(request, "url", "")
        number = url.rsplit("_", 1)[-1].removesuffix(".html")
        if "/news/t" in url and number.isdigit() and int(number) % 10 == 0 and url not in self.failed:
            self.failed.add(url)
            raise RedisConnectionError("Error 111 connecting to 127.0.0.1. Connection refused.")
