"""Dated, atomic JSONL output through Scrapy's feed exports.

``FEEDS`` points at ``<output dir>/<crawl date>/<source>-<run id>.jsonl``. The storage below
writes to a hidden ``.part`` file beside the target and renames it only when the feed is
complete, so a reader (or a downstream ingester watching the folder) never sees a half file,
and a killed run leaves no ``.jsonl`` behind.

Around the rename the storage sends two signals, so a stateful run can mark its records seen
only once they are delivered (:mod:`crawler.state.journal`): ``feed_prepared`` (``target``,
``part``; a handler that fails stops the rename) and ``feed_committed`` (``target``).
Settings: ECOPOLICY_OUTPUT_DIR, ECOPOLICY_OUTPUT_TEMPLATE, ECOPOLICY_OUTPUT_GZIP (bool: gzip
through feed post-processing, ``.jsonl.gz``).

Delivery is counted, not assumed: :class:`DeliveringFeedExporter` adds the records of every
renamed file to ``output/delivered`` and those of a file that could not be written or renamed
to ``output/lost``; the first write error (full disk, a file where a folder should be, no
permission) closes the crawl with the reason ``output_failed`` and removes the ``.part`` file,
so a run never reports records it did not deliver.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import logging
import os
import re
import secrets
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from scrapy import signals
from scrapy.extensions.feedexport import FeedExporter, FeedSlot, FileFeedStorage
from scrapy.utils.defer import deferred_from_coro, ensure_awaitable
from twisted.python.failure import Failure

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

PART_SUFFIX = ".part"
OUTPUT_FAILED = "output_failed"
feed_prepared = object()
feed_committed = object()
_SAFE_COMPONENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def new_run_id(now: datetime.datetime | None = None) -> str:
    """A run id that sorts by start time and does not collide between concurrent runs.

    >>> new_run_id(datetime.datetime(2026, 11, 26, 0, 4, 52, tzinfo=datetime.UTC))[:17]
    '20261126T000452Z-'
    """
    now = now or datetime.datetime.now(datetime.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def safe_path_component(name: str, value: str) -> str:
    """Refuse URI parameters that could escape the output folder (``../``, ``/``).

    >>> safe_path_component("run_id", "20261126T000452Z-a1b2c3")
    '20261126T000452Z-a1b2c3'
    >>> safe_path_component("run_id", "../../etc")
    Traceback (most recent call last):
    ...
    ValueError: unsafe run_id for an output path: '../../etc'
    """
    if not _SAFE_COMPONENT.match(value) or ".." in value:
        raise ValueError(f"unsafe {name} for an output path: {value!r}")
    return value


def uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """``FEED_URI_PARAMS``: the crawl date (UTC), source key, run id and worker id of this crawl."""
    started: datetime.datetime = spider.started_at
    return {
        **params,
        "crawl_date": started.strftime("%Y-%m-%d"),
        "source": safe_path_component("source", spider.source.key),
        "run_id": safe_path_component("run_id", spider.run_id),
        "worker": safe_path_component(
            "worker", str(spider.crawler.settings.get("ECOPOLICY_WORKER_ID") or "main")
        ),
    }


def feeds_setting(settings: BaseSettings) -> dict[str, dict[str, Any]]:
    """``FEEDS`` for the output folder and file-name template in the settings."""
    output_dir = Path(settings.get("ECOPOLICY_OUTPUT_DIR", "output")).expanduser().resolve()
    template = settings.get("ECOPOLICY_OUTPUT_TEMPLATE")
    options: dict[str, Any] = {"format": "jsonlines", "encoding": "utf-8"}
    if settings.getbool("ECOPOLICY_OUTPUT_GZIP"):
        template += ".gz"
        options["postprocessing"] = ["scrapy.extensions.postprocessing.GzipPlugin"]
    # A plain path, not a file:// URI: as_uri() would percent-encode the %(name)s parameters.
    return {str(output_dir / template): options}


class AtomicFileFeedStorage(FileFeedStorage):
    """A file feed storage that appears under its final name only when complete."""

    def __init__(
        self, uri: str, *, feed_options: dict[str, Any] | None = None, crawler: Crawler | None = None
    ) -> None:
        super().__init__(uri, feed_options=feed_options)
        target = Path(self.path)
        self._target = target
        self._part = target.with_name(f".{target.name}{PART_SUFFIX}")
        self._crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None) -> Self:
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def _send(self, signal: object, **kwargs: Any) -> None:
        if self._crawler is None:
            return
        for receiver, result in self._crawler.signals.send_catch_log(signal, **kwargs):
            if isinstance(result, Failure):
                raise RuntimeError(f"{receiver!r} failed before delivering {self._target}: {result.value}")

    def open(self, spider: Spider) -> IO[bytes]:
        self._part.parent.mkdir(parents=True, exist_ok=True)
        return self._part.open("wb")

    def discard(self, file: IO[bytes] | None) -> None:
        """Drop an undeliverable part file: it must not be mistaken for output or fill the disk."""
        if file is not None:
            with contextlib.suppress(OSError):
                file.close()
        with contextlib.suppress(OSError):
            self._part.unlink(missing_ok=True)

    def store(self, file: IO[bytes]) -> None:
        try:
            file.flush()
            os.fsync(file.fileno())
            file.close()
        except OSError:
            self.discard(file)
            raise
        self._send(feed_prepared, target=self._target, part=self._part)
        if self._target.exists() and self.write_mode == "ab":
            with self._target.open("ab") as out, self._part.open("rb") as part:
                while chunk := part.read(1 << 20):
                    out.write(chunk)
            self._part.unlink()
        else:
            self._part.replace(self._target)
        _fsync_dir(self._target.parent)
        logger.info("Wrote %s", self._target)
        try:
            self._send(feed_committed, target=self._target)
        except RuntimeError as exc:  # delivered all the same: the journal settles it next run
            logger.error("%s is delivered, but marking its records seen failed: %s", self._target, exc)


class DeliveringFeedExporter(FeedExporter):
    """Scrapy's feed exporter, counting delivered records and stopping the crawl on a write error.

    Replaces ``scrapy.extensions.feedexport.FeedExporter`` in ``EXTENSIONS_BASE``. A write
    error on one item is logged once (one line naming the file and the cause), closes the
    spider with ``output_failed`` and counts every later item as lost instead of logging a
    traceback per item.
    """

    def open_spider(self, spider: Spider) -> None:
        super().open_spider(spider)
        self.crawler.stats.set_value("output/delivered", 0)
        self._failed = False

    def item_scraped(self, item: Any, spider: Spider) -> None:
        if self._failed:
            self.crawler.stats.inc_value("output/lost")
            return
        try:
            super().item_scraped(item, spider)
        except OSError as exc:
            self.crawler.stats.inc_value("output/lost")
            self._fail(exc)

    def _fail(self, exc: OSError) -> None:
        """Count and log a write error once, drop the part files and close the crawl."""
        self._failed = True
        reason = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
        self.crawler.stats.inc_value(f"output/failed/{reason}")
        logger.error("Output not written, stopping the crawl: %s", exc)
        for slot in self.slots:
            if isinstance(slot.storage, AtomicFileFeedStorage):
                slot.storage.discard(slot.file)
        from twisted.internet import reactor

        reactor.callLater(0, self._close_crawl)  # type: ignore[attr-defined]  # not from inside a signal

    def _close_crawl(self) -> None:
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason=OUTPUT_FAILED))

    async def _close_slot(self, slot: FeedSlot, spider: Spider) -> None:
        """Store one slot and count its records as delivered or lost (Scrapy's, with the count).

        A store error is logged in one line naming the file; Scrapy's own version logs a
        traceback and would still let the run count the records.
        """
        if self._failed:
            self.crawler.stats.inc_value("output/lost", slot.itemcount)
            return
        if not slot.itemcount and not (slot.store_empty and slot.batch_id == 1):
            return
        stats = self.crawler.stats
        try:
            if not slot.itemcount:
                slot.start_exporting()
            slot.finish_exporting()
            await ensure_awaitable(slot.storage.store(self._get_file(slot)))
        except Exception as exc:  # a store that fails for any reason delivered nothing
            stats.inc_value("output/lost", slot.itemcount)
            if isinstance(slot.storage, AtomicFileFeedStorage):
                slot.storage.discard(slot.file)
            failure = exc if isinstance(exc, OSError) else OSError(str(exc))
            self._fail(failure)
        else:
            logger.info("Stored %s feed (%d items) in: %s", slot.format, slot.itemcount, slot.uri)
            stats.inc_value("output/delivered", slot.itemcount)
        await self.crawler.signals.send_catch_log_async(signals.feed_slot_closed, slot=slot)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable before the records count as delivered."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
