"""``ecopolicy crawl --source KEY [--output DIR]``: the same crawl as ``scrapy crawl policy``.

Runs the generic spider for each named source in one Scrapy process and exits non-zero with
a one-line reason when a source's crawl did not finish cleanly. With ``--redis URL`` the crawl
is shared through Redis (see docs/scale-out.md); ``--workers N`` starts N such processes here.
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
    parser.add_argument("--output", type=Path, help="output folder (default: ./output)")
    parser.add_argument("--loglevel", default=None, help="Scrapy log level (default: INFO)")
    parser.add_argument(
        "--redis",
        metavar="URL",
        default=os.environ.get("ECOPOLICY_REDIS_URL") or None,
        help="share the crawl through this Redis (scale-out; default: $ECOPOLICY_REDIS_URL)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, metavar="N", help="worker processes on this machine (with --redis)"
    )
    parser.add_argument("--worker-id", help="worker id in Redis and file names (default: <host>-<pid>)")
    parser.add_argument("--run-id", help="run id in file names (default: new, shared by --workers)")


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from crawler.sources.registry import load_registry

    registry = load_registry()
    unknown = [key for key in args.source if key not in registry]
    if unknown:
        print(
            f"ecopolicy crawl: unknown source(s) {', '.join(unknown)}; known: {', '.join(registry)}",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    if args.workers < 1 or (args.workers > 1 and not args.redis):
        print("ecopolicy crawl: --workers N needs N >= 1, and --redis URL when N > 1", file=sys.stderr)
        return EXIT_CONFIG
    overrides: dict[str, Any] = {}
    if args.redis:
        overrides["ECOPOLICY_REDIS_URL"] = args.redis
    if args.output:
        overrides["ECOPOLICY_OUTPUT_DIR"] = str(args.output.resolve())
    if args.loglevel:
        overrides["LOG_LEVEL"] = args.loglevel
    if args.workers > 1 or args.worker_id:
        from crawler.distributed.workers import run_workers
        from crawler.feeds import new_run_id

        run_id = args.run_id or new_run_id()
        return run_workers(
            args.workers,
            lambda worker: _crawl(args, {**overrides, "ECOPOLICY_WORKER_ID": worker}, run_id),
            worker_id=args.worker_id,
        )
    return _crawl(args, overrides, args.run_id)


def _crawl(args: argparse.Namespace, overrides: dict[str, Any], run_id: str | None) -> int:
    """One Scrapy process crawling every source of *args*."""
    from scrapy.crawler import CrawlerProcess

    from crawler.offline import project_settings

    process = CrawlerProcess(project_settings(overrides))
    crawlers = []
    for key in args.source:
        crawler = process.create_crawler("policy")
        crawlers.append((key, crawler))
        process.crawl(crawler, source=key, **({"run_id": run_id} if run_id else {}))
    process.start()
    failures = []
    for key, crawler in crawlers:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        reason = stats.get("finish_reason", "not started")
        items = stats.get("item_scraped_count", 0)
        worker = f" [worker {overrides['ECOPOLICY_WORKER_ID']}]" if "ECOPOLICY_WORKER_ID" in overrides else ""
        print(f"{key}{worker}: {items} record(s), finish reason {reason}")
        if reason != "finished":
            failures.append(f"{key} ended with {reason}")
    if failures:
        print(f"ecopolicy crawl: {'; '.join(failures)}", file=sys.stderr)
        return EXIT_SOURCE_FAILED
    return EXIT_OK
