"""``ecopolicy crawl --source KEY [--sources FILE] [--since DATE] [--output DIR]``: ``scrapy crawl policy``.

Runs the generic spider for each named source in one Scrapy process and exits non-zero with
a one-line reason when a source's crawl did not finish cleanly.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_SOURCE_FAILED = 1
EXIT_CONFIG = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source", action="append", required=True, metavar="KEY", help="registry key (repeatable)"
    )
    parser.add_argument(
        "--sources", action="append", default=[], metavar="FILE", help="extra sources from a TOML file"
    )
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="skip items listed before this date")
    parser.add_argument("--max-pages", type=int, metavar="N", help="cap on list/API pages per start point")
    parser.add_argument("--output", type=Path, help="output folder (default: ./output)")
    parser.add_argument("--loglevel", default=None, help="Scrapy log level (default: INFO)")


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.crawler import CrawlerProcess

    from crawler.discovery.horizon import parse_since
    from crawler.offline import project_settings
    from crawler.sources.base import SourceError
    from crawler.sources.registry import load_registry

    try:
        registry = load_registry(args.sources)
        parse_since(args.since)
    except (SourceError, ValueError) as exc:
        print(f"ecopolicy crawl: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    unknown = [key for key in args.source if key not in registry]
    if unknown:
        print(
            f"ecopolicy crawl: unknown source(s) {', '.join(unknown)}; known: {', '.join(registry)}",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    overrides: dict[str, Any] = {"ECOPOLICY_SOURCES_FILES": [str(Path(f).resolve()) for f in args.sources]}
    if args.since:
        overrides["ECOPOLICY_SINCE"] = args.since
    if args.max_pages:
        overrides["ECOPOLICY_DISCOVERY_MAX_PAGES"] = args.max_pages
    if args.output:
        overrides["ECOPOLICY_OUTPUT_DIR"] = str(args.output.resolve())
    if args.loglevel:
        overrides["LOG_LEVEL"] = args.loglevel
    process = CrawlerProcess(project_settings(overrides))
    crawlers = []
    for key in args.source:
        crawler = process.create_crawler("policy")
        crawlers.append((key, crawler))
        process.crawl(crawler, source=key)
    process.start()
    failures = []
    for key, crawler in crawlers:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        reason = stats.get("finish_reason", "not started")
        items = stats.get("item_scraped_count", 0)
        print(f"{key}: {items} record(s), finish reason {reason}")
        if reason != "finished":
            failures.append(f"{key} ended with {reason}")
    if failures:
        print(f"ecopolicy crawl: {'; '.join(failures)}", file=sys.stderr)
        return EXIT_SOURCE_FAILED
    return EXIT_OK
