"""One measured crawl of the synthetic site, in its own process (a Twisted reactor runs once).

``python -m benchmarks._crawl --spider policy|baseline --base-url URL --articles N --output DIR``
prints one JSON line: items, wall time, CPU time of this process, peak RSS and the crawl stats.
``--server thread`` serves the site from a thread of this process instead of ``--base-url``;
``--profile FILE`` runs the crawl under cProfile and dumps the profile there.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.sitegen import ARTICLE_PATTERN, SyntheticSite, ThreadedSite

# Same concurrency for both spiders: no politeness delay on a loopback site.
FAST: dict[str, Any] = {
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "INFO",
    "LOGSTATS_INTERVAL": 30,
}


def bench_source(base_url: str, site: SyntheticSite, fast: dict[str, Any] | None = None) -> Any:
    """A registry entry for the synthetic site at *base_url*, built at run time."""
    fast = fast or FAST
    from crawler.sources.base import ListPage, Source

    points = site.start_points()
    return Source(
        key="synthetic",
        name="Synthetic portal (benchmark)",
        language="zh",
        timezone="Asia/Shanghai",
        allowed_domains=("127.0.0.1",),
        feeds=tuple(base_url + u.lstrip("/") for u in points["feeds"]),
        sitemaps=tuple(base_url + u.lstrip("/") for u in points["sitemaps"]),
        list_pages=tuple(
            ListPage(url=base_url + u.lstrip("/"), pagination="index_{n}.html", max_pages=pages)
            for u, pages in points["list_pages"]
        ),
        article_pattern=ARTICLE_PATTERN,
        politeness={
            k: fast[k] for k in ("DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED", "CONCURRENT_REQUESTS_PER_DOMAIN")
        },
    )


def _cpu() -> float:
    """CPU time of this process and of its ended children (extraction workers, joined at close)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _fast_settings(overrides_json: str) -> dict[str, Any]:
    """FAST with the ``--settings`` overrides; on one site the per-domain cap follows the global one."""
    fast = {**FAST, **json.loads(overrides_json)}
    if "CONCURRENT_REQUESTS" in fast:
        fast["CONCURRENT_REQUESTS_PER_DOMAIN"] = fast["CONCURRENT_REQUESTS"]
    return fast


def _policy_setup(
    base_url: str, site: SyntheticSite, fast: dict[str, Any], output: Path, log_file: str
) -> tuple[Any, Any, dict[str, Any]]:
    """Settings, spider class and spider arguments of the project's crawler on the site."""
    from crawler.offline import project_settings
    from crawler.spiders.policy import PolicySpider

    settings = project_settings({**fast, "ECOPOLICY_OUTPUT_DIR": str(output), "LOG_FILE": log_file})
    return settings, PolicySpider, {"source": bench_source(base_url, site, fast)}


def _baseline_setup(
    base_url: str, site: SyntheticSite, fast: dict[str, Any], output: Path, log_file: str
) -> tuple[Any, Any, dict[str, Any]]:
    """Settings, spider class and spider arguments of the plain Scrapy baseline on the site."""
    from scrapy.settings import Settings

    from benchmarks.baseline_spider import BaselineSpider

    settings = Settings(
        {
            **fast,
            "ROBOTSTXT_OBEY": True,
            "LOG_FILE": log_file,
            "FEEDS": {str(output / "baseline.jsonl"): {"format": "jsonlines", "encoding": "utf-8"}},
        }
    )
    points = site.start_points()
    kwargs = {
        "feeds": [base_url + u.lstrip("/") for u in points["feeds"]],
        "sitemaps": [base_url + u.lstrip("/") for u in points["sitemaps"]],
        "list_pages": [base_url + u.lstrip("/") for u, _ in points["list_pages"]],
        "max_pages": max(pages for _, pages in points["list_pages"]),
    }
    return settings, BaselineSpider, kwargs


def _timed_start(process: Any, profile: str) -> tuple[float, float]:
    """Run the crawl (under cProfile when *profile* names a file); its CPU and wall seconds."""
    profiler = cProfile.Profile() if profile else None
    cpu0, wall0 = _cpu(), time.perf_counter()
    if profiler:
        profiler.enable()
    process.start()
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    return _cpu() - cpu0, time.perf_counter() - wall0


def run(args: argparse.Namespace) -> dict[str, Any]:
    """One crawl of the synthetic site by the spider *args* name, measured."""
    from scrapy.crawler import CrawlerProcess

    site = SyntheticSite(args.articles, args.seed)
    server = ThreadedSite(site) if args.server == "thread" else None
    base_url = server.base_url if server else args.base_url
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    log_file = str(output / f"{args.spider}.log")
    fast = _fast_settings(args.settings)
    setup = _policy_setup if args.spider == "policy" else _baseline_setup
    settings, spider_cls, kwargs = setup(base_url, site, fast, output, log_file)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider_cls)
    process.crawl(crawler, **kwargs)
    cpu, wall = _timed_start(process, args.profile)
    if server:
        server.stop()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return {
        "spider": args.spider,
        "articles": args.articles,
        "server": args.server,
        "items": stats.get("item_scraped_count", 0),
        "wall_s": wall,
        "elapsed_s": stats.get("elapsed_time_seconds"),
        "cpu_s": cpu,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "stats": {k: v for k, v in stats.items() if isinstance(v, int | float | str)},
    }


def main_cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spider", choices=("policy", "baseline"), required=True)
    parser.add_argument("--base-url", default="")
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", required=True)
    parser.add_argument("--server", choices=("process", "thread"), default="process")
    parser.add_argument("--profile", default="")
    parser.add_argument("--settings", default="{}", help="JSON object of settings overriding FAST")
    args = parser.parse_args(argv)
    result = run(args)
    sys.stdout.write(json.dumps(result, default=str) + "\n")
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown of a large heap: it is not part of the crawl


if __name__ == "__main__":
    main_cli()
