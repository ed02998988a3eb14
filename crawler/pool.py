"""Article extraction off the reactor: a process pool so the crawl uses more than one core.

Extraction is pure CPU work on one page (bytes in, a dict of record fields out). In-process it
blocks the reactor, so a crawl is bound to one core however many the machine has. With
``ECOPOLICY_EXTRACT_WORKERS`` of 1 or more the spider hands each page to a pool of that many worker
processes and awaits the answer; downloads, pipelines and the seen-store stay on the reactor,
so the items, their pipelines and the exactly-once commit are the same as in-process (Scrapy
does not close the spider while a callback is awaiting, so no page is lost at the end).

What crosses the process boundary is small and plain: the page bytes, the URL, the charset and
the source as pickled bytes (about 2 KB, unpickled once per worker and kept). A worker answers
with the record fields or with an extraction failure's reason, never an exception object.

The worker also cleans ahead: it runs the stateless cleaning steps of the crawl's item
pipelines (their classes and options are sent once, like the source) over a scratch copy of
the record and sends each step's result back with its inputs. A step in the crawl process
uses such a result only when its own inputs are exactly the same (see
:func:`pipelines._step.precompute`), so the records are those of in-process cleaning, and the
steps' CPU work moves to the worker; a stateful step that changes the paragraphs in between
(per-source furniture) makes the later steps compute for themselves. Later pipelines offer
other per-record work the same way (:class:`AheadTask`: the content hash, the near-duplicate
signature, the furniture keys of the lines), so the crawl process mostly reads and writes.

The crawl process has time to spare while the workers are busy: when
``ECOPOLICY_EXTRACT_QUEUE_DEPTH`` pages per worker are already waiting for an answer, it extracts
(and later cleans) the next page itself, with the same result.

A worker that dies (killed, out of memory) breaks the pool: the pool is started afresh and each
page that was in flight is extracted in-process instead, so no page is lost to a crash; the
crash is counted. The pool is shut down when the spider closes.

Settings: ECOPOLICY_EXTRACT_WORKERS (int; default: the machine's cores minus one;
0 extracts in-process; one worker already frees the reactor's core),
ECOPOLICY_EXTRACT_QUEUE_DEPTH (int, default 8; 0 sends every page to the workers). Stats:
``extraction/pool/workers``, ``extraction/pool/pages``,
``extraction/pool/worker_crashed``, ``extraction/pool/retried_in_process``,
``extraction/pool/in_process_while_busy``;
``extraction/pool/cleaned_ahead/<step>`` counts the step results a worker computed and the
crawl process used, ``extraction/pool/computed_ahead/<name>`` the same for :class:`AheadTask` work.
"""

from __future__ import annotations

import datetime
import logging
import multiprocessing
import multiprocessing.connection
import os
import pickle
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from scrapy import signals
from twisted.internet.defer import Deferred

from crawler.extraction import ExtractionError, extract_article
from crawler.records import build_record
from pipelines._step import AHEAD_TAKEN, CleaningPipeline, CoreKey, precompute, recording

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from crawler.sources.base import Source

logger = logging.getLogger(__name__)

Outcome = tuple[str, Any, str]
"""``("ok", fields, "")`` or ``("error", reason, message)``: what a worker sends back."""

Ahead = list[tuple[CoreKey, Any]]
"""Cleaning-step results (and other per-record text work) a worker computed, with their inputs."""


@dataclass(frozen=True)
class AheadTask:
    """Per-record work of a later item pipeline that a worker can do ahead.

    *function* (module-level, so it pickles by name) is called with the record's paragraphs
    and *options*: the paragraphs as extracted (``stage="extracted"``), after the stateless
    cleaning steps (``stage="cleaned"``), or as they reach the offering pipeline's own place
    in the chain (``stage="here"``: a stateful cleaning step between stateless ones; the pool
    turns it into ``"after:<the stateless step before it>"``). It shares its result through
    :func:`pipelines._step.computed_ahead`, so the pipeline calling it in the crawl process
    finds the result when its inputs are the same. A pipeline offers its tasks from an
    ``ahead_tasks()`` method.
    """

    stage: str
    function: Callable[..., Any]
    options: tuple[tuple[str, Any], ...] = ()


_SOURCES: dict[bytes, Source] = {}  # in a worker: pickled source -> Source, unpickled once
_CLEANERS: dict[bytes, tuple[list[CleaningPipeline], list[AheadTask]]] = {}  # in a worker, unpickled once
_AHEAD_TIME = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)  # the steps do not read it


def default_workers() -> int:
    """The machine's cores minus one: the reactor keeps one. On a one-core machine that is none
    (in-process): a worker would only take turns with the reactor and add the copying."""
    return max(0, (os.cpu_count() or 1) - 1)


def extract_outcome(body: bytes, url: str, source: Source | None, encoding: str | None) -> Outcome:
    """Extract one page into a picklable outcome; an extraction failure is data, not a raise."""
    try:
        return ("ok", extract_article(body, url, source, encoding=encoding), "")
    except ExtractionError as exc:
        return ("error", exc.reason, str(exc))


def _work(
    body: bytes, url: str, source_blob: bytes, encoding: str | None, cleaning_blob: bytes = b""
) -> tuple[Outcome, Ahead]:
    """The task a worker runs (a module-level function, so it pickles by name)."""
    source = _SOURCES.get(source_blob)
    if source is None and source_blob:
        source = _SOURCES[source_blob] = pickle.loads(source_blob)  # our own parent's bytes
    outcome = extract_outcome(body, url, source, encoding)
    if outcome[0] != "ok" or not cleaning_blob:
        return outcome, []
    cleaners = _CLEANERS.get(cleaning_blob)
    if cleaners is None:
        step_specs, tasks = pickle.loads(cleaning_blob)
        cleaners = _CLEANERS[cleaning_blob] = ([_step(cls, options) for cls, options in step_specs], tasks)
    return outcome, clean_ahead(outcome[1], url, source, *cleaners)


def _step(cls: type[CleaningPipeline], options: dict[str, Any]) -> CleaningPipeline:
    """A cleaning step as the crawl built it, without stats and audit (the crawl process keeps both)."""
    step = cls(None, **options)
    step.audit = False
    return step


def clean_ahead(
    fields: dict[str, Any],
    url: str,
    source: Source | None,
    steps: Sequence[Any],
    tasks: Sequence[AheadTask] = (),
) -> Ahead:
    """The results of *steps* and *tasks* on a scratch record of *fields* (which stay as they are)."""
    record: Any = build_record(
        fields, url=url, source_key=source.key if source is not None else "", crawled_at=_AHEAD_TIME
    )
    with recording() as results:
        try:
            _run_tasks(tasks, "extracted", record["paragraphs"])
            for step in steps:
                record = step.process_item(record)
                _run_tasks(tasks, f"after:{step.step}", record["paragraphs"])
            _run_tasks(tasks, "cleaned", record["paragraphs"])
        except Exception:  # the crawl process runs the step again and reports the error
            logger.debug("Cleaning ahead stopped on %s", url, exc_info=True)
    return results


def _run_tasks(tasks: Sequence[AheadTask], stage: str, paragraphs: list[str]) -> None:
    for task in tasks:
        if task.stage == stage:
            task.function(list(paragraphs), **dict(task.options))


def _placed_tasks(pipelines: Sequence[Any]) -> list[AheadTask]:
    """The tasks *pipelines* offer, a ``"here"`` task placed after the stateless step before it."""
    tasks: list[AheadTask] = []
    place = "extracted"
    for pipeline in pipelines:
        if hasattr(pipeline, "ahead_tasks"):
            tasks += [replace(t, stage=place) if t.stage == "here" else t for t in pipeline.ahead_tasks()]
        if isinstance(pipeline, CleaningPipeline) and pipeline.stateless:
            place = f"after:{pipeline.step}"
    return tasks


def _exit_with_parent() -> None:
    """Worker initializer: end this worker when the crawl process ends without closing the pool.

    A crawl killed outright (SIGKILL by a scheduler's timeout, the out-of-memory killer) never
    shuts its pool down, and a spawned worker blocked on its task queue would wait forever: each
    such run would leave one idle process behind. A daemon thread waits on the parent's sentinel
    (ready when the parent is gone) and exits the worker.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _warm() -> int:
    """A no-op task: starting the workers while the first pages download."""
    return os.getpid()


def _as_deferred(future: Future[tuple[Outcome, Ahead]]) -> Deferred[tuple[Outcome, Ahead]]:
    """A Deferred fired on the reactor thread when *future* (resolved in a pool thread) is done."""
    from twisted.internet import reactor

    deferred: Deferred[tuple[Outcome, Ahead]] = Deferred()

    def fire(done: Future[tuple[Outcome, Ahead]]) -> None:
        error = done.exception()
        if error is not None:
            deferred.errback(error)
        else:
            deferred.callback(done.result())

    future.add_done_callback(lambda done: reactor.callFromThread(fire, done))  # type: ignore[attr-defined]
    return deferred


class _NoStats:
    """Stats sink of a pool used outside a crawl."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        pass

    def set_value(self, key: str, value: object) -> None:
        pass


class ExtractionPool:
    """Extract pages in worker processes (or in-process with none)."""

    def __init__(self, workers: int, stats: StatsCollector | None, queue_depth: int = 0) -> None:
        self.workers = workers
        self._stats: Any = stats if stats is not None else _NoStats()
        self._on_open: Any = None
        self._executor: ProcessPoolExecutor | None = None
        self._blobs: dict[str, bytes] = {}
        self._cleaning_blob = b""
        self._taken_before = Counter(AHEAD_TAKEN)
        self._waiting = 0  # pages sent and not yet answered; changed from two threads, under the lock
        self._waiting_lock = threading.Lock()
        self.queue_depth = queue_depth

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        value = crawler.settings.get("ECOPOLICY_EXTRACT_WORKERS")
        workers = (
            default_workers() if value in (None, "") else crawler.settings.getint("ECOPOLICY_EXTRACT_WORKERS")
        )
        if workers < 0:
            raise ValueError(f"ECOPOLICY_EXTRACT_WORKERS must be >= 0, not {workers}")
        depth = crawler.settings.getint("ECOPOLICY_EXTRACT_QUEUE_DEPTH", 8)
        if depth < 0:
            raise ValueError(f"ECOPOLICY_EXTRACT_QUEUE_DEPTH must be >= 0, not {depth}")
        pool = cls(workers, None, depth)

        def opened() -> None:
            pool.clean_ahead_with(getattr(getattr(crawler.engine, "scraper", None), "itemproc", None))
            pool.open(crawler.stats)

        pool._on_open = opened  # signal connections are weak references: keep the handler alive
        crawler.signals.connect(opened, signal=signals.spider_opened)
        crawler.signals.connect(pool.close, signal=signals.spider_closed)
        return pool

    @property
    def in_process(self) -> bool:
        return self.workers < 1

    def open(self, stats: StatsCollector | None = None) -> None:
        """Start the workers (not for in-process extraction); count in *stats* when given."""
        if stats is not None:
            self._stats = stats
        if self.in_process or self._executor is not None:
            return
        self._executor = ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_exit_with_parent
        )
        for _ in range(self.workers):
            self._executor.submit(_warm)
        self._stats.set_value("extraction/pool/workers", self.workers)

    def clean_ahead_with(self, itemproc: Any) -> None:
        """Have the workers run the stateless cleaning steps among *itemproc*'s pipelines, and the
        per-record work other pipelines offer as :class:`AheadTask` (hash, signature, keys)."""
        pipelines = getattr(itemproc, "middlewares", ())
        steps = [(type(p), p.options) for p in pipelines if isinstance(p, CleaningPipeline) and p.stateless]
        tasks = _placed_tasks(pipelines)
        work = (steps, tasks)
        self._cleaning_blob = pickle.dumps(work, protocol=pickle.HIGHEST_PROTOCOL) if steps or tasks else b""

    def close(self) -> None:
        """Stop the workers; pages still queued are not extracted (the spider is closing)."""
        for name, taken in (AHEAD_TAKEN - self._taken_before).items():
            self._stats.set_value(f"extraction/pool/computed_ahead/{name}", taken)
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    async def extract(self, body: bytes, url: str, source: Source | None, encoding: str | None) -> Outcome:
        """The outcome of extracting one page, from a worker when there is a pool."""
        executor = self._executor
        if executor is None:
            return extract_outcome(body, url, source, encoding)
        if self.queue_depth and self._waiting >= self.queue_depth * self.workers:
            self._stats.inc_value("extraction/pool/in_process_while_busy")
            return extract_outcome(body, url, source, encoding)
        from scrapy.utils.defer import maybe_deferred_to_future

        try:
            future = executor.submit(_work, body, url, self._blob(source), encoding, self._cleaning_blob)
            with self._waiting_lock:
                self._waiting += 1
            future.add_done_callback(self._answered)
            outcome, ahead = await maybe_deferred_to_future(_as_deferred(future))
        except BrokenProcessPool:
            self._restart(executor)
            self._stats.inc_value("extraction/pool/retried_in_process")
            logger.warning("An extraction worker died; extracting %s in the crawl process", url)
            return extract_outcome(body, url, source, encoding)
        self._stats.inc_value("extraction/pool/pages")
        precompute(ahead)
        return outcome

    def _answered(self, future: Future[Any]) -> None:
        """A worker answered (called in a pool thread, before the reactor takes the answer)."""
        with self._waiting_lock:
            self._waiting -= 1

    def _blob(self, source: Source | None) -> bytes:
        if source is None:
            return b""
        blob = self._blobs.get(source.key)
        if blob is None:
            blob = self._blobs[source.key] = pickle.dumps(source, protocol=pickle.HIGHEST_PROTOCOL)
        return blob

    def _restart(self, broken: ProcessPoolExecutor) -> None:
        """Replace a broken pool once (every page in flight on it sees the same breakage)."""
        if self._executor is not broken:
            return
        self._stats.inc_value("extraction/pool/worker_crashed")
        broken.shutdown(wait=False, cancel_futures=True)
        self._executor = None
        self.open()
