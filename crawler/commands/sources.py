"""``ecopolicy sources [--sources FILE] [--check [--source KEY] [--articles N]] [--json]``.

Without ``--check``: the registry as a table (or JSON), one source a line, user sources
included. With ``--check``: a short crawl of each source (one list page per start point, a few
articles, nothing written) reporting whether discovery found articles and whether title, date
and body came out by the source's selector or the generic fallback; exit code 1 when a source
is broken, 2 on a bad registry or unknown key.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from crawler.runs import display_width, pad
from crawler.sources.base import Source, SourceError
from crawler.sources.registry import load_registry

if TYPE_CHECKING:
    from crawler.sources.check import SourceHealth

EXIT_OK = 0
EXIT_BROKEN = 1
EXIT_CONFIG = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--sources", action="append", default=[], metavar="FILE", help="extra sources from a TOML file"
    )
    parser.add_argument("--check", action="store_true", help="fetch a few pages of each source and report")
    parser.add_argument("--source", action="append", metavar="KEY", help="only this source (repeatable)")
    parser.add_argument("--articles", type=int, default=3, help="articles fetched per source by --check")
    parser.add_argument("--loglevel", default="WARNING", help="Scrapy log level during --check")


def _print_table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """Aligned columns; a Chinese name takes two terminal columns a character."""
    table = [headers, *rows]
    widths = [max(display_width(row[i]) for row in table) for i in range(len(headers))]
    for row in table:
        print("  ".join(pad(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip())


def _listing(sources: list[Source], as_json: bool) -> int:
    rows = [
        {
            "key": s.key,
            "name": s.name,
            "language": s.language,
            "domains": ", ".join(s.allowed_domains) or "(loopback)",
            "start": ", ".join(s.start_kinds),
            "structure": s.structure,
            "verified": s.verified.isoformat() if s.verified else None,
        }
        for s in sources
    ]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    headers = ("key", "name", "language", "domains", "start", "structure", "verified")
    _print_table(headers, [tuple(str(r[h] or "-") for h in headers) for r in rows])
    return EXIT_OK


def _check(sources: list[Source], args: argparse.Namespace) -> int:
    """Crawl a little of each source, report its health, and fail when one is broken."""
    reports = _crawl_health(sources, args)
    if args.json:
        print(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        _print_health(reports)
    broken = [r.key for r in reports if r.status == "broken"]
    if broken:
        print(f"ecopolicy sources --check: broken: {', '.join(broken)}", file=sys.stderr)
        return EXIT_BROKEN
    return EXIT_OK


def _crawl_health(sources: list[Source], args: argparse.Namespace) -> list[SourceHealth]:
    """One short crawl per source, all in one Scrapy process, read back as health reports; a
    failed start is named first, as it is what hides behind 'no links'."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.crawler import CrawlerProcess

    from crawler.offline import project_settings
    from crawler.sources.check import health_from_stats

    overrides: dict[str, Any] = {
        "ECOPOLICY_CHECK_ARTICLES": max(1, args.articles),
        "ECOPOLICY_SOURCES_FILES": list(args.sources),
        "ECOPOLICY_OUTPUT_ENABLED": False,
        "ECOPOLICY_SUMMARY_ENABLED": False,  # a check is no run: nothing lands in the output folder
        "ECOPOLICY_RUN_KIND": "check",
        "LOG_LEVEL": args.loglevel,
        "RETRY_TIMES": 1,
    }
    process = CrawlerProcess(project_settings(overrides))
    crawlers = []
    for source in sources:
        crawler = process.create_crawler("policy")
        crawlers.append((source, crawler))
        process.crawl(crawler, source=source.key)
    process.start()
    reports = []
    for source, crawler in crawlers:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        report = health_from_stats(source, stats)
        if cause := _start_problem(stats):
            report.problems.insert(0, cause)
        reports.append(report)
    return reports


_HEALTH_HEADERS = (
    "key",
    "status",
    "structure",
    "links",
    "records",
    "blocked",
    "title",
    "date",
    "body",
    "problems",
)


def _field_sources(fields: dict[str, int]) -> str:
    """How often a field came from the source's selector, the generic fallback, or nowhere."""
    return f"{fields['selector']}s/{fields['generic']}g/{fields['missing']}m"


def _print_health(reports: list[SourceHealth]) -> None:
    """The health reports as a table, one source a line, with the key to the field columns."""
    _print_table(_HEALTH_HEADERS, [
        (r.key, r.status, r.structure, str(r.links), str(r.records), str(r.blocked),
         _field_sources(r.fields["title"]), _field_sources(r.fields["date"]),
         _field_sources(r.fields["body"]), "; ".join(r.problems) or "-")
        for r in reports
    ])  # fmt: skip
    print("(fields: s = source selector, g = generic fallback, m = missing)")


def _configuration_problem(sources: list[Source]) -> str:
    """Why these sources cannot be crawled as written (a politeness value, a selector); '' if fine."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from crawler.commands.settings_check import SettingError, check_politeness, check_selectors
    from crawler.offline import project_settings

    try:
        check_politeness(sources, project_settings({}))
        check_selectors(sources)
    except SettingError as exc:
        return str(exc)
    return ""


def _start_problem(stats: dict[str, Any]) -> str:
    """The cause when no start point answered (DNS, refused...), which hides behind 'no links'."""
    if stats.get("start/failed") and not stats.get("start/fetched"):
        causes = ", ".join(
            f"{k.removeprefix('start/failed/')}: {v}"
            for k, v in sorted(stats.items())
            if k.startswith("start/failed/")
        )
        return f"no start point could be fetched ({causes})"
    return ""


def run(args: argparse.Namespace) -> int:
    try:
        registry = load_registry(args.sources)
    except SourceError as exc:
        print(f"ecopolicy sources: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    keys = args.source or list(registry)
    unknown = [key for key in keys if key not in registry]
    if unknown:
        print(
            f"ecopolicy sources: unknown source(s) {', '.join(unknown)}; known: {', '.join(registry)}",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    selected = [registry[key] for key in keys]
    problem = _configuration_problem(selected)
    if problem:
        print(f"ecopolicy sources: {problem}", file=sys.stderr)
        return EXIT_CONFIG
    if args.check:
        return _check(selected, args)
    return _listing(selected, args.json)
