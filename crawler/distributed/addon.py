"""The scale-out settings profile, as a Scrapy add-on switched on by ``ECOPOLICY_REDIS_URL``.

With ``ECOPOLICY_REDIS_URL`` empty (the default) the add-on changes nothing and the crawl runs
in one process with Scrapy's own scheduler. Set (``ecopolicy crawl --redis URL``, the
environment variable, or ``-s ECOPOLICY_REDIS_URL=…``), it switches to scrapy-redis' scheduler,
dupe filter and persistent priority queue, as adapted in this package, seeds the frontier once,
and puts the worker id in every output file name so workers never write the same file.

Settings: ``ECOPOLICY_REDIS_URL``, ``ECOPOLICY_WORKER_ID``; the scheduler's settings are listed
in :mod:`crawler.distributed.scheduler`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from crawler.distributed.keys import default_worker_id

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

WORKER_PARAM = "%(worker)s"

PROFILE = {
    "SCHEDULER": "crawler.distributed.scheduler.DistributedScheduler",
    "DUPEFILTER_CLASS": "crawler.distributed.dupefilter.CanonicalRedisDupeFilter",
    "SCHEDULER_QUEUE_CLASS": "crawler.distributed.queue.ReliablePriorityQueue",
    "SCHEDULER_PERSIST": True,
    "SCHEDULER_FLUSH_ON_START": False,
}
MIDDLEWARES = {
    "DOWNLOADER_MIDDLEWARES": {"crawler.distributed.middlewares.TaskDoneMiddleware": 1},
    "SPIDER_MIDDLEWARES": {"crawler.distributed.middlewares.SeedFrontierMiddleware": 1},
}


def with_worker(uri: str) -> str:
    """Insert ``-%(worker)s`` before the file extension of *uri*, unless it has the parameter.

    >>> with_worker("file:///out/%(crawl_date)s/%(source)s-%(run_id)s.jsonl.gz")
    'file:///out/%(crawl_date)s/%(source)s-%(run_id)s-%(worker)s.jsonl.gz'
    >>> with_worker("file:///out/%(worker)s/x.jsonl")
    'file:///out/%(worker)s/x.jsonl'
    """
    if WORKER_PARAM in uri:
        return uri
    head, _, name = uri.rpartition("/")
    stem, dot, suffix = re.split(r"(\.)", name, maxsplit=1) if "." in name else (name, "", "")
    return f"{head}/{stem}-{WORKER_PARAM}{dot}{suffix}"


class ScaleOutAddon:
    """``ADDONS`` entry: the Redis profile when ``ECOPOLICY_REDIS_URL`` is set."""

    def update_settings(self, settings: BaseSettings) -> None:
        url = settings.get("ECOPOLICY_REDIS_URL")
        if not url:
            return
        settings.set("REDIS_URL", url, priority="addon")
        settings.setdict(PROFILE, priority="addon")
        for name, components in MIDDLEWARES.items():
            settings[name].update(components, priority="addon")
        if not settings.get("ECOPOLICY_WORKER_ID"):
            settings.set("ECOPOLICY_WORKER_ID", default_worker_id(), priority="addon")
        feeds = settings.getdict("FEEDS")
        if feeds:
            priority = max(settings.getpriority("FEEDS") or 0, 15)
            settings.set("FEEDS", {with_worker(uri): options for uri, options in feeds.items()}, priority)
