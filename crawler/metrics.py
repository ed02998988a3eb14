"""The health of each source in the Prometheus text format, for node_exporter's textfile collector.

Written with the official client library (``prometheus_client``) into its own registry, and
atomically (``write_to_textfile`` renames a temporary file), so a scrape never reads half a file.
Every metric is labelled ``source``; times are Unix seconds (0 when there is none).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Gauge, write_to_textfile

from crawler.runs import WINDOWS_DAYS, parse_time

if TYPE_CHECKING:
    from crawler.runs import Health

VERDICTS = ("OK", "FAILED", "STALE", "NOT RUN")


def _seconds(text: str | None) -> float:
    moment = parse_time(text)
    return moment.timestamp() if moment else 0.0


def build_registry(results: list[tuple[Health, str]], now: datetime.datetime) -> CollectorRegistry:
    """A registry holding one sample per source (and per verdict, window) of each gauge."""
    registry = CollectorRegistry()
    gauge = {
        name: Gauge(f"ecopolicy_source_{name}", text, labels, registry=registry)
        for name, text, labels in (
            ("healthy", "1 when the last run did not fail and the source is not stale", ["source"]),
            ("verdict", "1 for the source's current verdict of ecopolicy status", ["source", "verdict"]),
            ("last_run_failed", "1 when the last crawl run of the source failed", ["source"]),
            ("last_run_timestamp_seconds", "when the last crawl run finished", ["source"]),
            ("last_success_timestamp_seconds", "when the last run that did not fail finished", ["source"]),
            ("last_new_article_timestamp_seconds", "when a run last delivered a new article", ["source"]),
            ("articles_delivered", "records delivered by runs within the window", ["source", "window"]),
            ("blocked_fetches", "answers classed as blocked in the last run", ["source"]),
            ("failed_fetches", "fetches that failed in the last run", ["source"]),
        )
    }
    for item, verdict in results:
        source = item.source
        gauge["healthy"].labels(source).set(int(verdict == "OK"))
        for name in VERDICTS:
            gauge["verdict"].labels(source, name).set(int(verdict == name))
        gauge["last_run_failed"].labels(source).set(int(item.status == "failed"))
        last = item.last_run.get("finished") or item.last_run.get("started")
        gauge["last_run_timestamp_seconds"].labels(source).set(_seconds(last))
        gauge["last_success_timestamp_seconds"].labels(source).set(_seconds(item.last_success))
        gauge["last_new_article_timestamp_seconds"].labels(source).set(_seconds(item.last_new))
        for days in WINDOWS_DAYS:
            gauge["articles_delivered"].labels(source, f"{days}d").set(item.delivered.get(days, 0))
        gauge["blocked_fetches"].labels(source).set(item.blocked)
        gauge["failed_fetches"].labels(source).set(item.failed_fetches)
    return registry


def write_metrics(path: Path, results: list[tuple[Health, str]], now: datetime.datetime) -> None:
    """Write :func:`build_registry` to *path* (atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), build_registry(results, now))
