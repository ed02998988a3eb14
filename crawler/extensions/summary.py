"""A JSON summary of each source's crawl, written beside its output when the spider closes.

Downstream systems and ``ecopolicy report`` read these instead of parsing logs. The summary
gathers the crawl's stats by namespace: pages fetched, articles new/changed/unchanged, drops
by reason (every ``*/dropped/*`` stat, and the seen-store's unchanged), blocked answers
(``blocked/*``), cleaning counts (``cleaning/*``), attachments by format and outcome
(``attachments/*``), errors, duration, and the files delivered.

Each summary has a ``status``: ``ok`` (everything counted as emitted is in a delivered file),
``partial`` (delivered, but some start points failed or damaged state was rebuilt) or ``failed``
(see :func:`run_outcome`), with ``status_reasons``.

``kind`` is ECOPOLICY_RUN_KIND (``crawl``; ``check`` for ``sources --check``), so readers never
mix trial runs with crawls; ``worker`` names the distributed worker (None in a local crawl).

Settings: ECOPOLICY_SUMMARY_ENABLED (bool, default True), ECOPOLICY_OUTPUT_DIR,
ECOPOLICY_SUMMARY_TEMPLATE (default ``%(crawl_date)s/%(source)s-%(run_id)s.summary.json``; in a
distributed crawl ``-%(worker)s`` is added before ``.summary.json`` unless the template has it).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.feeds import feed_committed
from crawler.sources.base import source_key
from crawler.state.journal import write_json_atomic

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

SUMMARY_VERSION = 1
OK, PARTIAL, FAILED = "ok", "partial", "failed"


def delivered_count(stats: dict[str, Any]) -> int:
    """Records in delivered (renamed) files; the scraped count when no file output was counted."""
    if "output/delivered" in stats:
        return int(stats["output/delivered"])
    return int(stats.get("item_scraped_count", 0))


def run_outcome(stats: dict[str, Any], reason: str) -> tuple[str, list[str]]:
    """``(status, reasons)`` of one source's crawl: ``ok``, ``partial`` or ``failed``.

    Failed: the crawl did not finish, a record counted as emitted is not in a delivered file,
    a record was lost to an error in the item pipelines, no start point could be fetched, or
    the summary itself was not written. Partial: every
    record was delivered, but some start points could not be fetched.

    >>> run_outcome({"item_scraped_count": 3, "output/delivered": 3}, "finished")
    ('ok', [])
    >>> run_outcome({"item_scraped_count": 74, "output/delivered": 0}, "shutdown")
    ('failed', ['finish reason shutdown', '74 record(s) not delivered'])
    >>> run_outcome({"start/failed": 2, "start/fetched": 0, "start/failed/DNSLookupError": 2}, "finished")
    ('failed', ['no start point could be fetched (DNSLookupError: 2)'])
    """
    reasons = []
    if reason != "finished":
        reasons.append(f"finish reason {reason}")
    scraped = int(stats.get("item_scraped_count", 0))
    lost = max(scraped - delivered_count(stats), int(stats.get("output/lost", 0)))
    if lost:
        reasons.append(f"{lost} record(s) not delivered")
    failed_starts = int(stats.get("start/failed", 0))
    causes = ", ".join(f"{k}: {v}" for k, v in _prefixed(stats, "start/failed/").items())
    if failed_starts and not stats.get("start/fetched"):
        reasons.append(f"no start point could be fetched ({causes})")
    if stats.get("item/errors"):
        causes_lost = ", ".join(f"{k}: {v}" for k, v in _prefixed(stats, "item/errors/").items())
        reasons.append(
            f"{stats['item/errors']} record(s) lost to errors in the item pipelines ({causes_lost})"
        )
    if stats.get("summary/failed"):
        reasons.append("the run summary was not written")
    if reasons:
        return FAILED, reasons
    if failed_starts:
        reasons.append(f"{failed_starts} start point(s) could not be fetched ({causes})")
    if stats.get("state/quarantined"):
        reasons.append(f"{stats['state/quarantined']} damaged state file(s) moved aside and rebuilt")
    if stats.get("discovery/over_run_cap"):
        reasons.append(
            f"{stats['discovery/over_run_cap']} article link(s) not taken: the per-run cap "
            "(ECOPOLICY_DISCOVERY_MAX_ARTICLES) was reached"
        )
    if stats.get("seen/commit_deferred"):
        reasons.append(
            f"{stats['seen/commit_deferred']} delivered record(s) are marked seen by the next worker "
            "(Redis was unreachable after the rename)"
        )
    return (PARTIAL, reasons) if reasons else (OK, [])


def _prefixed(stats: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Stats under *prefix*, keyed by the rest of their name.

    >>> _prefixed({"blocked/captcha": 2, "seen/new": 1}, "blocked/")
    {'captcha': 2}
    """
    return {key[len(prefix) :]: value for key, value in sorted(stats.items()) if key.startswith(prefix)}


def _not_taken(stats: dict[str, Any]) -> dict[str, int]:
    """Article links discovery found but did not take, by cap: ``run`` and each document kind.

    >>> _not_taken({"discovery/over_run_cap": 4, "discovery/sitemap/over_cap": 7})
    {'run': 4, 'sitemap': 7}
    """
    caps = {"run": int(stats.get("discovery/over_run_cap", 0))}
    for key, value in sorted(stats.items()):
        if key.startswith("discovery/") and key.endswith("/over_cap"):
            caps[key[len("discovery/") : -len("/over_cap")]] = int(value)
    return caps


def drops_by_reason(stats: dict[str, Any]) -> dict[str, int]:
    """Every counted drop, ``<step>/<reason>``: ``*/dropped/*`` stats and unchanged records.

    >>> drops_by_reason({"extraction/dropped/no_body": 2, "seen/unchanged": 5, "seen/new": 1})
    {'extraction/no_body': 2, 'seen/unchanged': 5}
    """
    drops: dict[str, int] = {}
    for key, value in sorted(stats.items()):
        step, marker, reason = key.partition("/dropped/")
        if marker and reason:
            drops[f"{step}/{reason}"] = int(value)
    if stats.get("seen/unchanged"):
        drops["seen/unchanged"] = int(stats["seen/unchanged"])
    return drops


def summarise(stats: dict[str, Any], *, source: str, run_id: str, reason: str) -> dict[str, Any]:
    """The summary of one source's crawl from its final stats (pure)."""
    started = stats.get("start_time")
    finished = stats.get("finish_time") or datetime.datetime.now(datetime.UTC)
    duration = (finished - started).total_seconds() if started else None
    scraped = delivered_count(stats)
    stateful = "seen/new" in stats or "seen/unchanged" in stats or "seen/changed" in stats
    errors = {
        "log_errors": int(stats.get("log_count/ERROR", 0)),
        "fetch_failed": _prefixed(stats, "fetch/failed/"),
        "http_errors": _prefixed(stats, "httperror/response_ignored_status_count/"),
        "download_exceptions": _prefixed(stats, "downloader/exception_type_count/"),
        "spider_exceptions": _prefixed(stats, "spider_exceptions/"),
    }
    status, reasons = run_outcome(stats, reason)
    return {
        "summary_version": SUMMARY_VERSION,
        "source": source,
        "run_id": run_id,
        "status": status,
        "status_reasons": reasons,
        "started": started.isoformat(timespec="seconds") if started else None,
        "finished": finished.isoformat(timespec="seconds"),
        "duration_s": round(duration, 3) if duration is not None else None,
        "finish_reason": reason,
        "pages_fetched": int(stats.get("response_received_count", 0)),
        "start_points": {
            "fetched": int(stats.get("start/fetched", 0)),
            "failed": int(stats.get("start/failed", 0)),
        },
        "not_modified": int(stats.get("conditional/not_modified", 0)),
        "articles": {
            "emitted": scraped,
            # observations of records that were not delivered are not claimed as new or changed
            "new": min(int(stats.get("seen/new", 0)), scraped) if stateful else scraped,
            "changed": min(
                int(stats.get("seen/changed", 0)), max(scraped - int(stats.get("seen/new", 0)), 0)
            ),
            "unchanged": int(stats.get("seen/unchanged", 0)),
            "duplicates": int(stats.get("neardup/duplicates", 0)),
        },
        "not_taken": _not_taken(stats),
        "not_delivered": max(
            int(stats.get("item_scraped_count", 0)) - scraped, int(stats.get("output/lost", 0))
        ),
        "drops": drops_by_reason(stats),
        "blocked": _prefixed(stats, "blocked/"),
        "cleaning": _prefixed(stats, "cleaning/"),
        "attachments": _prefixed(stats, "attachments/"),
        "errors": errors,
    }


class RunSummary:
    """Write ``<output>/<crawl date>/<source>-<run id>.summary.json`` on spider_closed."""

    def __init__(self, crawler: Crawler, output_dir: Path, template: str) -> None:
        self._crawler = crawler
        self._output_dir = output_dir
        self._template = template
        self._files: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ECOPOLICY_SUMMARY_ENABLED", True) or settings.getbool("ECOPOLICY_OFFLINE"):
            raise NotConfigured  # off on purpose: no "Disabled ..." warning
        extension = cls(
            crawler,
            Path(settings.get("ECOPOLICY_OUTPUT_DIR", "output")).expanduser(),
            settings.get("ECOPOLICY_SUMMARY_TEMPLATE", "%(crawl_date)s/%(source)s-%(run_id)s.summary.json"),
        )
        crawler.signals.connect(extension._spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension._item_error, signal=signals.item_error)
        crawler.signals.connect(extension._feed_committed, signal=feed_committed)
        crawler.signals.connect(extension._engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(extension._spider_closed, signal=signals.spider_closed)
        return extension

    def _spider_opened(self, spider: Spider) -> None:
        quarantined = self._crawler.settings.getlist("ECOPOLICY_STATE_QUARANTINED")
        if quarantined:
            self._crawler.stats.set_value("state/quarantined", len(quarantined))

    def _item_error(self, item: Any, response: Any, spider: Spider, failure: Any) -> None:
        """A record lost to an exception in a pipeline (not a DropItem): the run failed it."""
        stats = self._crawler.stats
        stats.inc_value("item/errors")
        stats.inc_value(f"item/errors/{getattr(failure.type, '__name__', 'error')}")

    def _feed_committed(self, target: Path) -> None:
        self._files.append(str(target))

    def _spider_closed(self, spider: Spider, reason: str) -> None:
        self._reason = reason

    def _engine_stopped(self) -> None:
        # After spider_closed: every feed is stored and the stats are final.
        spider = self._crawler.spider
        source = source_key(spider)
        run_id = getattr(spider, "run_id", "run")
        started = getattr(spider, "started_at", None) or datetime.datetime.now(datetime.UTC)
        stats = self._crawler.stats.get_stats()
        summary = summarise(stats, source=source, run_id=run_id, reason=getattr(self, "_reason", "unknown"))
        summary["files"] = self._files
        summary["state_quarantined"] = self._crawler.settings.getlist("ECOPOLICY_STATE_QUARANTINED")
        worker = self._crawler.settings.get("ECOPOLICY_WORKER_ID")
        summary["kind"] = self._crawler.settings.get("ECOPOLICY_RUN_KIND", "crawl")
        summary["worker"] = worker or None
        template = self._template
        if worker and "%(worker)s" not in template:  # workers of one run write side by side
            template = template.replace(".summary.json", "-%(worker)s.summary.json")
        params = {"crawl_date": f"{started:%Y-%m-%d}", "source": source, "run_id": run_id, "worker": worker}
        path = self._output_dir / (template % params)
        try:
            write_json_atomic(path, summary)
        except OSError as exc:
            self._crawler.stats.inc_value("summary/failed")
            temporary = path.with_name(f".{path.name}.tmp")
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            logger.error("Run summary of %s not written: %s", source, exc)
            return
        logger.info("Run summary of %s in %s", source, path)
