"""Emit only new and changed articles: the seen-store step of a scheduled crawl.

Each record is classified against what earlier runs delivered (:mod:`crawler.state`):
new records get version 1, changed ones the committed version + 1, unchanged ones are
dropped (counted, logged at ``ECOPOLICY_SEEN_LOG_LEVEL``). Observations stay staged until the
output file holding the record has been renamed into place (:mod:`crawler.state.journal`), so a
killed run never marks as seen an article it did not deliver.

Settings: ECOPOLICY_SEEN_ENABLED (bool, default True), ECOPOLICY_STATE_DIR / ECOPOLICY_REDIS_URL
(without either, or with ECOPOLICY_OFFLINE, the step stands down), ECOPOLICY_SEEN_LOG_LEVEL
(default "DEBUG"), ECOPOLICY_REDIS_OUTAGE_TIMEOUT (seconds, 30: how long the commit after a
rename is retried while Redis is unreachable).
Stats: seen/new, seen/changed, seen/unchanged, seen/dropped/no_content_hash, seen/committed,
seen/discarded, seen/validators_committed (1 when list-page validators were kept),
seen/commit_deferred (records of delivered files whose commit was left to the Redis journal).
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from crawler.feeds import feed_committed, feed_prepared
from crawler.state import journal, open_seen_store, run_batch, state_configured, state_key, validators_batch
from crawler.state.redis_store import REDIS_ERRORS, RedisSeenStore

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

    from crawler.state.base import SeenStore

logger = logging.getLogger(__name__)
T = TypeVar("T")


def run_was_clean(reason: str | None, stats: dict[str, Any]) -> bool:
    """Whether a run may keep the validators of its list pages (a later 304 skips them).

    Only a finished run without failed fetches has followed every link the pages gave.

    >>> run_was_clean("finished", {"seen/new": 3})
    True
    >>> run_was_clean("finished", {"fetch/failed/TimeoutError": 1})
    False
    >>> run_was_clean("finished", {"log_count/ERROR": 2})
    False
    >>> run_was_clean("shutdown", {})
    False
    """
    if reason != "finished":
        return False
    if stats.get("log_count/ERROR"):
        return False
    failed = ("fetch/failed/", "spider_exceptions/")
    return not any(key.startswith(failed) and value for key, value in stats.items())


class SeenPipeline:
    """Drop unchanged records, set ``version``; commit what the run delivered."""

    def __init__(self, crawler: Crawler, *, state_dir: Path | None, log_level: str, use_feeds: bool) -> None:
        self._crawler = crawler
        self._state_dir = state_dir
        self._log_level = log_level
        self._use_feeds = use_feeds
        self._store: SeenStore | None = None
        self._batch = ""
        self._reason: str | None = None
        self._delivered: set[str] = set()
        self._journal: dict[Path, Path] = {}
        self._redis_entries: dict[Path, int] = {}
        self.outage_timeout = crawler.settings.getfloat("ECOPOLICY_REDIS_OUTAGE_TIMEOUT", 30.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ECOPOLICY_SEEN_ENABLED", True):
            raise NotConfigured("ECOPOLICY_SEEN_ENABLED is False")
        if not state_configured(settings):
            # The default, stateless mode: stand down quietly (a NotConfigured message is a WARNING).
            raise NotConfigured
        state_dir = settings.get("ECOPOLICY_STATE_DIR")
        pipeline = cls(
            crawler,
            state_dir=Path(state_dir).expanduser() if state_dir else None,
            log_level=settings.get("ECOPOLICY_SEEN_LOG_LEVEL", "DEBUG"),
            use_feeds=bool(settings.getdict("FEEDS")),
        )
        crawler.signals.connect(pipeline._feed_prepared, signal=feed_prepared)
        crawler.signals.connect(pipeline._feed_committed, signal=feed_committed)
        crawler.signals.connect(pipeline._item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(pipeline._spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline._engine_stopped, signal=signals.engine_stopped)
        return pipeline

    def open_spider(self) -> None:
        self._store = open_seen_store(self._crawler.settings)
        self._batch = run_batch(self._crawler.spider)

    def process_item(self, item: Any) -> Any:
        assert self._store is not None, "open_spider was not called"
        adapter = ItemAdapter(item)
        stats = self._crawler.stats
        url = adapter.get("canonical_url") or adapter.get("url")
        content_hash = adapter.get("content_hash")
        if not content_hash:
            stats.inc_value("seen/dropped/no_content_hash")
            raise DropItem(f"No content hash, cannot tell if it changed: {url}")
        now = datetime.datetime.now(datetime.UTC)
        observation = self._store.observe(
            state_key(self._crawler.spider, url), content_hash, now, batch=self._batch
        )
        stats.inc_value(f"seen/{observation.status}")
        if observation.status == "unchanged":
            raise DropItem(f"Unchanged since version {observation.version}: {url}", log_level=self._log_level)
        adapter["version"] = observation.version
        return item

    # --- delivery ---------------------------------------------------------------------------------
    def _key(self, url: str) -> str:
        return state_key(self._crawler.spider, url)

    def _item_scraped(self, item: Any) -> None:
        if not self._use_feeds:
            adapter = ItemAdapter(item)
            self._delivered.add(
                state_key(self._crawler.spider, adapter.get("canonical_url") or adapter["url"])
            )

    def _feed_prepared(self, target: Path, part: Path) -> None:
        if self._store is None:
            return
        if self._state_dir is not None:
            self._journal[target] = journal.prepare(self._state_dir, self._batch, target, part, self._key)
        elif isinstance(self._store, RedisSeenStore):  # the journal lives in Redis itself
            keys = journal.keys_in_feed(part, self._key)
            store = self._store
            self._within_outage_budget(lambda: store.prepare(self._batch, str(target), keys))
            self._redis_entries[target] = len(keys)
        else:
            self._delivered.update(journal.keys_in_feed(part, self._key))

    def _feed_committed(self, target: Path) -> None:
        if self._store is None:
            return
        if target in self._redis_entries:
            self._complete_in_redis(target)
            return
        entry = self._journal.pop(target, None)
        written = journal.complete(self._store, entry) if entry else self._commit_delivered()
        self._crawler.stats.inc_value("seen/committed", written)

    def _within_outage_budget(self, call: Callable[[], T]) -> T:
        """*call*, retried while Redis is unreachable (a restart) for the outage budget; then raises."""
        deadline = time.monotonic() + self.outage_timeout
        while True:
            try:
                return call()
            except REDIS_ERRORS:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.5)

    def _complete_in_redis(self, target: Path) -> None:
        """Commit a delivered file's records, retrying while Redis restarts (the outage budget).

        Past the budget the journal entry stays in Redis: the next worker to find this one dead
        commits it (:meth:`RedisSeenStore.reconcile`), before its requests are taken again.
        """
        store = self._store
        assert isinstance(store, RedisSeenStore)
        count = self._redis_entries.pop(target)
        try:
            written = self._within_outage_budget(lambda: store.complete(self._batch, str(target)))
        except REDIS_ERRORS as exc:
            self._crawler.stats.inc_value("seen/commit_deferred", count)
            logger.error(
                "%s is delivered, but Redis stayed unreachable (%s): its %d record(s) are "
                "marked seen by the next worker of this crawl, from the journal in Redis",
                target, exc, count,
            )  # fmt: skip
            return
        self._crawler.stats.inc_value("seen/committed", max(written, 0))

    def _commit_delivered(self) -> int:
        assert self._store is not None
        written = self._store.commit(self._batch, sorted(self._delivered))
        self._delivered.clear()
        return written

    def _spider_closed(self, reason: str) -> None:
        self._reason = reason

    def _engine_stopped(self) -> None:
        """Every feed is stored by now: settle the batch and close the store."""
        store, self._store = self._store, None
        if store is None:
            return
        stats = self._crawler.stats
        if stats.get_value("seen/commit_deferred"):
            # The staged observations of the delivered files are the journal's to commit.
            logger.error("Seen-store batch %s left to the journal in Redis", self._batch)
            store.close()
            return
        try:
            if self._delivered:
                stats.inc_value("seen/committed", store.commit(self._batch, sorted(self._delivered)))
            discarded = store.discard(self._batch)
            if discarded:
                stats.inc_value("seen/discarded", discarded)
            validators = validators_batch(self._batch)
            if run_was_clean(self._reason, stats.get_stats()):
                store.commit(validators)
                stats.set_value("seen/validators_committed", 1)
            else:
                store.discard(validators)
                logger.info("Run ended with %s: list-page validators not kept", self._reason)
        finally:
            store.close()
