"""scrapy-redis' scheduler, adapted to share one crawl safely between workers.

What changes against ``scrapy_redis.scheduler.Scheduler`` (0.9.1) and why:

- **Queue and dupe filter** are :class:`~crawler.distributed.queue.ReliablePriorityQueue` and
  :class:`~crawler.distributed.dupefilter.CanonicalRedisDupeFilter`: requests taken by a worker
  stay in its in-flight hash until its output is stored, and fingerprints come from the
  project's ``REQUEST_FINGERPRINTER_CLASS``.
- **Keys** are per source (``<prefix>:<source>:…``) instead of per spider name: one generic
  spider crawls every source, so ``%(spider)s:requests`` would mix them.
- **Persistence** is forced: the upstream default (``SCHEDULER_PERSIST = False``) deletes the
  shared queue and fingerprints when the *first* worker closes, under the others' feet.
- **Idle handling**: upstream relies on ``RedisSpider``, whose idle handler polls Redis only
  on the engine's 5-second heartbeat and never ends the run (``MAX_IDLE_TIME_BEFORE_CLOSE`` 0)
  or ends it on a timer while other workers may still produce work. Here an idle worker marks
  itself idle, gives back dead workers' tasks, re-polls every ``ECOPOLICY_REDIS_IDLE_POLL``
  seconds, and closes only when the queue is empty and no live worker is busy, for
  ``SCHEDULER_IDLE_BEFORE_CLOSE`` seconds in a row. The blocking ``BRPOP`` wait upstream uses
  for ``SCHEDULER_IDLE_BEFORE_CLOSE`` would stall the whole reactor and is not used.
- **Stats** are written without the ``spider`` argument (deprecated since Scrapy 2.13, a
  warning on every request with upstream).
- **Commit**: finished tasks are forgotten, every other in-flight task given back (also one
  whose pop reply was lost when Redis went away mid-call), only after the feed exporter has
  stored this worker's output file (``feed_exporter_closed``), so a worker killed before that
  point loses nothing: its tasks go back to the queue and are done by others.

Settings: ``ECOPOLICY_REDIS_PREFIX`` (default ``ecopolicy``), ``ECOPOLICY_WORKER_ID`` (default
``<host>-<pid>``), ``ECOPOLICY_REDIS_HEARTBEAT`` (seconds, 1.0), ``ECOPOLICY_REDIS_WORKER_TTL``
(seconds without heartbeat before a worker counts as dead, 15), ``ECOPOLICY_REDIS_IDLE_POLL``
(seconds, 0.2), ``SCHEDULER_IDLE_BEFORE_CLOSE`` (seconds, 1), ``ECOPOLICY_REDIS_OUTAGE_TIMEOUT``
(seconds, 30: how long Redis may stay unreachable before the worker closes its crawl with the
reason ``redis_unavailable``; requests found meanwhile wait in memory and are queued when Redis
answers again), ``SCHEDULER_SERIALIZER`` and the scrapy-redis connection settings
(``REDIS_URL``, ``REDIS_PARAMS``).
Stats: ``scheduler/enqueued/redis``, ``scheduler/dequeued/redis``, ``scheduler/filtered/redis``,
``distributed/tasks/committed``, ``distributed/tasks/given_back``, ``distributed/reclaimed``,
``distributed/redis_outages``, ``distributed/journal/completed`` (delivered files of dead
workers whose records this worker marked seen), ``distributed/unqueued`` (requests still in memory when the
crawl closed during an outage: lost to this run).
"""

from __future__ import annotations

import importlib
import logging
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.scheduler import Scheduler
from twisted.internet import reactor
from twisted.internet.task import LoopingCall

from crawler.distributed.dupefilter import CanonicalRedisDupeFilter
from crawler.distributed.keys import CrawlKeys, default_worker_id
from crawler.distributed.queue import ReliablePriorityQueue
from crawler.distributed.signals import task_left_downloader
from crawler.sources.base import source_key

if TYPE_CHECKING:
    from typing import Self

    from redis import Redis
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from twisted.internet.interfaces import IDelayedCall

logger = logging.getLogger(__name__)

REDIS_UNAVAILABLE = "redis_unavailable"
REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)
_BATCH = re.compile(r"^(?P<source>[^:]+):[^@]+@(?P<worker>.+)$")


def crawl_keys(crawler: Crawler, spider: Spider) -> CrawlKeys:
    """The keys of *spider*'s crawl (its source key under ``ECOPOLICY_REDIS_PREFIX``)."""
    source = source_key(spider)
    return CrawlKeys(crawler.settings.get("ECOPOLICY_REDIS_PREFIX", "ecopolicy"), source)


def worker_id(crawler: Crawler) -> str:
    """``ECOPOLICY_WORKER_ID``, or ``<host>-<pid>``."""
    return str(crawler.settings.get("ECOPOLICY_WORKER_ID") or default_worker_id())


def crawl_queue(crawler: Crawler, spider: Spider, server: Redis | None = None) -> ReliablePriorityQueue:
    """The shared queue of *spider*'s crawl, as this worker sees it."""
    keys = crawl_keys(crawler, spider)
    serializer: Any = crawler.settings.get("SCHEDULER_SERIALIZER")
    if isinstance(serializer, str):
        serializer = importlib.import_module(serializer)
    return ReliablePriorityQueue(
        server or get_redis_from_settings(crawler.settings),
        spider,
        keys.queue,
        serializer,
        keys=keys,
        worker=worker_id(crawler),
    )


class DistributedScheduler(Scheduler):
    """A scrapy-redis scheduler whose workers never lose or duplicate a request."""

    def __init__(
        self,
        server: Redis,
        crawler: Crawler,
        *,
        heartbeat: float = 1.0,
        worker_ttl: float = 15.0,
        idle_poll: float = 0.2,
        idle_before_close: float = 1.0,
        outage_timeout: float = 30.0,
    ) -> None:
        super().__init__(server, persist=True, idle_before_close=0)
        self.crawler = crawler
        self.stats = crawler.stats
        self.heartbeat = heartbeat
        self.worker_ttl = worker_ttl
        self.idle_poll = idle_poll
        self.close_after = idle_before_close
        self._taken: set[str] = set()
        self._finished: set[str] = set()
        self._done_since: float | None = None
        self._beat: LoopingCall | None = None
        self._wakeup: IDelayedCall | None = None
        self._committed = False
        self.outage_timeout = outage_timeout
        self._outage_since: float | None = None
        self._closing = False
        self._backlog: list[Request] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        server = get_redis_from_settings(settings)
        server.ping()
        return cls(
            server,
            crawler,
            heartbeat=settings.getfloat("ECOPOLICY_REDIS_HEARTBEAT", 1.0),
            worker_ttl=settings.getfloat("ECOPOLICY_REDIS_WORKER_TTL", 15.0),
            idle_poll=settings.getfloat("ECOPOLICY_REDIS_IDLE_POLL", 0.2),
            idle_before_close=settings.getfloat("SCHEDULER_IDLE_BEFORE_CLOSE", 1.0),
            outage_timeout=settings.getfloat("ECOPOLICY_REDIS_OUTAGE_TIMEOUT", 30.0),
        )

    # --- lifecycle ----------------------------------------------------------------------------
    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = crawl_queue(self.crawler, spider, self.server)
        self.keys = self.queue.keys
        self.worker = self.queue.worker
        self.df = CanonicalRedisDupeFilter.from_crawler(self.crawler)
        self._beat_once()
        self.server.hset(self.keys.workers, self.worker, "busy")
        self._beat = LoopingCall(self._beat_once)
        self._beat.start(self.heartbeat, now=False)
        self._settle_dead_journals()
        self._reclaim_dead()
        self.crawler.signals.connect(self._on_idle, signal=signals.spider_idle)
        self.crawler.signals.connect(self._on_feeds_stored, signal=signals.feed_exporter_closed)
        self.crawler.signals.connect(self._on_spider_closed, signal=signals.spider_closed)
        self.crawler.signals.connect(self.task_finished, signal=task_left_downloader)
        if pending := len(self.queue):
            logger.info(
                "Worker %s joins crawl %s: %d request(s) queued", self.worker, self.keys.base, pending
            )

    def close(self, reason: str) -> None:
        """Nothing is flushed: the crawl's state belongs to every worker (see :meth:`commit`)."""
        if self._wakeup is not None and self._wakeup.active():
            self._wakeup.cancel()

    def flush(self) -> None:
        """Refuse the upstream flush: clearing a shared crawl is an explicit operator step."""
        raise RuntimeError(
            "clear a distributed crawl in Redis by hand: see docs/scale-out.md, Clearing a crawl"
        )

    # --- requests -----------------------------------------------------------------------------
    def enqueue_request(self, request: Request) -> bool:
        try:
            self._flush_backlog()
            return self._enqueue(request)
        except REDIS_ERRORS as exc:
            self._redis_failed(exc)
            self._backlog.append(request)  # queued when Redis answers again
            return True

    def _flush_backlog(self) -> None:
        while self._backlog:
            self._enqueue(self._backlog[0])
            self._backlog.pop(0)

    def _enqueue(self, request: Request) -> bool:
        if (task := request.meta.get(ReliablePriorityQueue.TASK_META)) is not None:
            self._finished.add(task)  # a retry or redirect: the new request replaces the task
        fingerprint = self.df.request_fingerprint(request)
        if not self.queue.push_unique(request, fingerprint):
            self.df.log(request, self.spider)
            self.stats.inc_value("scheduler/filtered/redis")
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        try:
            self._flush_backlog()
            request = self.queue.pop()
        except REDIS_ERRORS as exc:
            self._redis_failed(exc)
            return None
        self._redis_ok()
        if request is not None:
            self._taken.add(request.meta[ReliablePriorityQueue.TASK_META])
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        try:
            return len(self.queue) > 0 or bool(self._backlog)
        except REDIS_ERRORS as exc:
            self._redis_failed(exc)
            return bool(self._backlog)

    # --- a Redis outage -----------------------------------------------------------------------
    def _redis_failed(self, exc: Exception) -> None:
        """Note a failed Redis call; close the crawl once the outage outlasts its budget."""
        now = time.monotonic()
        if self._outage_since is None:
            self._outage_since = now
            self.stats.inc_value("distributed/redis_outages")
            logger.error(
                "Redis unreachable (%s): the crawl closes in %.0f s unless it answers again",
                exc, self.outage_timeout,
            )  # fmt: skip
        if now - self._outage_since >= self.outage_timeout and not self._closing:
            self._closing = True
            logger.error(
                "Redis unreachable for %.0f s: closing the crawl (%s)", now - self._outage_since, exc
            )
            reactor.callLater(0, self._close_crawl)  # type: ignore[attr-defined]

    def _close_crawl(self) -> None:
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason=REDIS_UNAVAILABLE))

    def _redis_ok(self) -> None:
        if self._outage_since is not None:
            logger.warning("Redis answers again after %.1f s", time.monotonic() - self._outage_since)
            self._outage_since = None

    def task_finished(self, request: Request) -> None:
        """Called when *request* has left the downloader (response or final error)."""
        if (task := request.meta.get(ReliablePriorityQueue.TASK_META)) is not None:
            self._finished.add(task)

    # --- liveness and the end of the run ------------------------------------------------------
    def _beat_once(self) -> None:
        try:
            self.server.set(self.keys.alive(self.worker), "1", px=int(self.worker_ttl * 1000))
        except REDIS_ERRORS as exc:  # also the clock of the outage budget while nothing else runs
            self._redis_failed(exc)
        except Exception:
            logger.warning("Heartbeat of worker %s failed", self.worker, exc_info=True)

    def _reclaim_dead(self) -> int:
        """Give back the tasks of workers whose heartbeat stopped; returns how many."""
        others = [w.decode() if isinstance(w, bytes) else w for w in self.server.hkeys(self.keys.workers)]
        others = [w for w in others if w != self.worker]
        if not others:
            return 0
        pipe = self.server.pipeline(transaction=False)
        for other in others:
            pipe.exists(self.keys.alive(other))
        total = 0
        for other, alive in zip(others, pipe.execute(), strict=True):
            if alive:
                continue
            self._settle_dead_journals(other)  # before its requests can be fetched again
            moved = self.queue.reclaim(other)
            if moved >= 0:
                logger.warning("Worker %s stopped beating: %d task(s) given back", other, moved)
                total += moved
                self._discard_staged(other)
        if total:
            self.stats.inc_value("distributed/reclaimed", total)
        return total

    def _settle_dead_journals(self, only: str | None = None) -> None:
        """Finish what dead workers delivered but could not commit (Redis restarted in between).

        A journal entry whose file exists is committed to the seen-store, so the requests given
        back below find those articles unchanged instead of emitting them twice; an entry whose
        file never appeared is forgotten. *only* limits this to one worker's batches. Workers
        on other machines must share the output folder for their files to be found.
        """
        from crawler.state.redis_store import RedisSeenStore

        prefix = self.crawler.settings.get("ECOPOLICY_REDIS_PREFIX", "ecopolicy")
        store = RedisSeenStore(self.server, prefix=prefix, worker=self.worker)
        for batch in store.journal_batches():
            match = _BATCH.match(batch)
            if match is None or match["worker"] == self.worker or (only and match["worker"] != only):
                continue
            if self.server.exists(CrawlKeys(prefix, match["source"]).alive(match["worker"])):
                continue
            completed, abandoned = store.reconcile(batch, lambda target: Path(target).exists())
            logger.warning(
                "Worker %s died between delivering and committing: %d file(s) committed, %d forgotten",
                match["worker"], len(completed), len(abandoned),
            )  # fmt: skip
            self.stats.inc_value("distributed/journal/completed", len(completed))

    def _discard_staged(self, worker: str) -> None:
        """Drop a dead worker's staged seen-store batches: its output never appeared."""
        prefix = self.crawler.settings.get("ECOPOLICY_REDIS_PREFIX", "ecopolicy")
        for key in self.server.scan_iter(match=f"{prefix}:seen:staged:*@{worker}", count=500):
            self.server.delete(key)

    def run_state(self) -> str:
        """``work`` (queue not empty), ``wait`` (another live worker is busy) or ``done``."""
        self.server.hset(self.keys.workers, self.worker, "idle")
        self._reclaim_dead()
        pipe = self.server.pipeline(transaction=True)
        pipe.zcard(self.keys.queue)
        pipe.hgetall(self.keys.workers)
        queued, workers = pipe.execute()
        if queued:
            return "work"
        busy = [w for w, state in workers.items() if state in (b"busy", "busy")]
        return "wait" if busy else "done"

    def _on_idle(self) -> None:
        if self._closing:
            return
        try:
            state = self.run_state()
        except REDIS_ERRORS as exc:
            self._redis_failed(exc)
            state = "outage"
        if state == "done":
            now = time.monotonic()
            self._done_since = self._done_since or now
            if now - self._done_since >= self.close_after:
                return  # the spider may close
        else:
            self._done_since = None
        self._wake_later()
        raise DontCloseSpider(state)

    def _wake_later(self) -> None:
        """Ask the engine for the next request after ``idle_poll`` (not the 5-s heartbeat)."""
        if self._wakeup is None or not self._wakeup.active():
            self._wakeup = reactor.callLater(self.idle_poll, self._wake)  # type: ignore[attr-defined]

    def _wake(self) -> None:
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and slot.closing is None:
            slot.nextcall.schedule()

    # --- commit -------------------------------------------------------------------------------
    def _on_feeds_stored(self) -> None:
        self.commit()

    def _on_spider_closed(self, spider: Spider, reason: str) -> None:
        if not self.crawler.settings.getdict("FEEDS"):
            self.commit()  # no output file to wait for

    def commit(self) -> None:
        """Forget the finished tasks, give back the others, and leave the crawl."""
        if self._committed:
            return
        self._committed = True
        if self._beat is not None and self._beat.running:
            self._beat.stop()
        if self._backlog:
            self.stats.set_value("distributed/unqueued", len(self._backlog))
            logger.error("%d request(s) found during the Redis outage were never queued", len(self._backlog))
        self._commit_within_outage_budget()

    def _commit_within_outage_budget(self) -> None:
        """Commit, retrying while Redis is unreachable for up to the outage budget.

        A restart of Redis (with AOF) takes seconds; giving up at once left the tasks of a
        delivered file in flight, to be taken again by other workers and emitted twice.
        """
        deadline = time.monotonic() + self.outage_timeout
        while True:
            try:
                self._commit()
                return
            except REDIS_ERRORS as exc:
                if time.monotonic() >= deadline:
                    logger.error(
                        "Worker %s could not leave crawl %s (%s): its tasks stay in flight until its "
                        "heartbeat expires, then other workers take them again",
                        self.worker, self.keys.base, exc,
                    )  # fmt: skip
                    return
                time.sleep(0.5)

    def _commit(self) -> None:
        stats = self.stats.get_stats()
        finished = self._taken & self._finished
        if stats.get("output/lost") or any(key.startswith("feedexport/failed_count/") for key in stats):
            logger.error("Output of worker %s was not stored: giving back all its tasks", self.worker)
            finished = set()
        elif stats.get("item/errors"):
            # Which tasks' records were lost is not known: all are fetched again, and the
            # seen-store keeps the delivered ones from being emitted twice.
            logger.error("Worker %s lost records to pipeline errors: giving back all its tasks", self.worker)
            finished = set()
        elif self._backlog:
            # Requests found by finished tasks were never queued: fetching those tasks again
            # finds them again (the seen-store keeps what was delivered from being emitted twice).
            logger.error("Worker %s has requests never queued: giving back all its tasks", self.worker)
            finished = set()
        forgotten, given_back = self.queue.commit(sorted(finished))
        pipe = self.server.pipeline(transaction=True)
        pipe.hdel(self.keys.workers, self.worker)
        pipe.delete(self.keys.alive(self.worker))
        pipe.execute()
        self.stats.set_value("distributed/tasks/committed", forgotten)
        self.stats.set_value("distributed/tasks/given_back", given_back)
        logger.info(
            "Worker %s leaves crawl %s: %d task(s) committed, %d given back",
            self.worker, self.keys.base, forgotten, given_back,
        )  # fmt: skip
