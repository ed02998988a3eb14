"""The Redis keys of one distributed crawl, all under ``<prefix>:<source>:``.

One crawl per source: every worker of a source shares the queue, the dupe filter, the seed
marker and the worker registry; each worker has its own in-flight hash and liveness key.
"""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def default_worker_id(index: int | None = None) -> str:
    """``<host>-<pid>`` (and ``-<index>`` when given), safe for Redis keys and file names.

    >>> default_worker_id().count("-") >= 1
    True
    """
    host = _UNSAFE.sub("_", socket.gethostname()).strip("._-") or "host"
    worker = f"{host}-{os.getpid()}"
    return f"{worker}-{index}" if index is not None else worker


@dataclass(frozen=True)
class CrawlKeys:
    """Key names of one crawl.

    >>> keys = CrawlKeys("ecopolicy", "demo")
    >>> keys.queue, keys.inflight("w1")
    ('ecopolicy:demo:requests', 'ecopolicy:demo:inflight:w1')
    """

    prefix: str
    source: str

    @property
    def base(self) -> str:
        """``<prefix>:<source>``: every key of the crawl starts with it."""
        return f"{self.prefix}:{self.source}"

    @property
    def queue(self) -> str:
        """Sorted set of pending requests (score = -priority), as in scrapy-redis."""
        return f"{self.base}:requests"

    @property
    def dupefilter(self) -> str:
        """Set of request fingerprints (hex) ever scheduled."""
        return f"{self.base}:dupefilter"

    @property
    def seeded(self) -> str:
        """Marker set once when the start requests were put in the queue."""
        return f"{self.base}:seeded"

    @property
    def workers(self) -> str:
        """Hash worker id -> ``busy`` | ``idle`` of the workers taking part."""
        return f"{self.base}:workers"

    @property
    def sequence(self) -> str:
        """Counter numbering the tasks handed out."""
        return f"{self.base}:taskseq"

    def inflight(self, worker: str) -> str:
        """Hash ``<task id>:<score>`` -> request taken by *worker* and not yet committed."""
        return f"{self.base}:inflight:{worker}"

    def alive(self, worker: str) -> str:
        """Key with a time to live, refreshed by *worker*'s heartbeat."""
        return f"{self.base}:alive:{worker}"

    def pattern(self) -> str:
        """Glob matching every key of the crawl (for SCAN, when clearing it)."""
        return f"{self.base}:*"
