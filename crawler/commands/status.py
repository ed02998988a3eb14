"""``ecopolicy status [DIR] [--max-age 2d] [--sources FILE] [--metrics FILE]``: a monitoring check.

One line per source that has crawl runs under DIR (default ``output``): ``OK``, ``FAILED`` or
``STALE``, the last run's status and reason, its time, and the newest new article. Exit codes,
in the manner of Nagios plugins, so cron, systemd ``OnFailure=`` or a monitoring agent can alert:

- 0: every source's last run is ok or partial, and each had a new article within its
  registry ``expected_interval`` (default 7d);
- 1: some source's last run failed, it is stale, or its last run is older than ``--max-age``
  (the crawl stopped running);
- 2: no such folder, no crawl run in it, a bad ``--max-age`` or an unreadable sources file.

``--metrics FILE`` also writes the same facts in the Prometheus text format (written atomically,
for node_exporter's textfile collector).
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from crawler.runs import (
    Health,
    add_output_folder,
    crawl_runs,
    group_by_source,
    health,
    load_summaries,
    parse_time,
)
from crawler.sources.base import SourceError, parse_duration
from crawler.sources.registry import load_registry

EXIT_OK = 0
EXIT_UNHEALTHY = 1
EXIT_USAGE = 2
DEFAULT_INTERVAL = "7d"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_output_folder(parser)
    parser.add_argument(
        "--max-age",
        default="2d",
        metavar="SPAN",
        help="a last run older than this is an alert: the crawl stopped running (default 2d)",
    )
    parser.add_argument(
        "--sources", action="append", default=[], metavar="FILE", help="extra sources from a TOML file"
    )
    parser.add_argument("--metrics", type=Path, metavar="FILE", help="also write Prometheus text format")


def _intervals(files: list[str]) -> dict[str, str]:
    """Each registry source's expected interval between new articles."""
    return {key: source.expected_interval for key, source in load_registry(files).items()}


def check(
    folder: Path, now: datetime.datetime, max_age: datetime.timedelta, intervals: dict[str, str]
) -> list[tuple[Health, str]]:
    """Every source's health and its verdict (``OK``, ``FAILED``, ``STALE``, ``NOT RUN``)."""
    results = []
    for source, runs in group_by_source(crawl_runs(load_summaries(folder))).items():
        text = intervals.get(source, DEFAULT_INTERVAL)
        item = health(source, runs, now, parse_duration(text), folder, expected_text=text, read_records=False)
        last = parse_time(item.last_run.get("finished") or item.last_run.get("started"))
        if item.status == "failed":
            verdict = "FAILED"
        elif last is None or now - last > max_age:
            verdict = "NOT RUN"
        elif item.stale:
            verdict = "STALE"
        else:
            verdict = "OK"
        results.append((item, verdict))
    return results


def status_line(item: Health, verdict: str, now: datetime.datetime) -> str:
    """One monitoring line for a source."""
    last = item.last_run.get("finished") or item.last_run.get("started") or "?"
    new = item.last_new[:16] if item.last_new else "never"
    line = f"{verdict:<7} {item.source}: last run {last[:16]} {item.status}, new article {new}"
    if verdict == "NOT RUN":
        line += f"; no run for {_age(now, last)}"
    if item.reason:
        line += f" — {item.reason}"
    return line


def _age(now: datetime.datetime, when: str) -> str:
    moment = parse_time(when)
    if moment is None:
        return "ever"
    hours = (now - moment).total_seconds() / 3600
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} d"


def run(args: argparse.Namespace) -> int:
    try:
        max_age = parse_duration(args.max_age)
        intervals = _intervals(args.sources)
    except (ValueError, SourceError) as exc:
        print(f"ecopolicy status: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not args.folder.is_dir():
        print(f"ecopolicy status: no such folder {args.folder} (crawl first, or name the output folder)",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    now = datetime.datetime.now(datetime.UTC)
    results = check(args.folder, now, max_age, intervals)
    if not results:
        print(f"ecopolicy status: no crawl run in {args.folder}", file=sys.stderr)
        return EXIT_USAGE
    for item, verdict in results:
        print(status_line(item, verdict, now))
    if args.metrics:
        from crawler.metrics import write_metrics

        write_metrics(args.metrics, results, now)
    return EXIT_OK if all(verdict == "OK" for _, verdict in results) else EXIT_UNHEALTHY
