"""Scheduled-run benchmarks: repeat runs, seen-store lookups, and memory as the crawl grows.

    python -m benchmarks.incremental [--quick] [--articles N] [--store-urls M] [--sizes A,B]

(full: 10,000 articles, 1,000,000 stored URLs, sizes 10,000 and 50,000; quick: 1,000, 100,000,
and 1,000 and 5,000) writes ``benchmarks/results/incremental.json``.

1. A first crawl of N articles of a generated loopback site (``tests.sitegen``: answers
   conditional requests with 304) with a fresh state folder, then a repeat run on the unchanged
   site (the first list page answers 304 and costs no parse; this spider reaches the other list
   pages through "next" links, so nothing more is fetched or emitted), then a repeat run after
   the first list page changed but no article did: wall time and peak RSS of each repeat as a
   ratio to the first run, all in this one run. Each crawl is
   ``ecopolicy crawl --spider sitegen --state DIR`` in a fresh process, so seen-store,
   near-duplicate index, lock and journal all do their work; the spider reads pages with plain
   selectors, so the figures are about the state machinery, not extraction.
1b. The full crawler (``policy`` spider, cleaning, validation) in cron mode over the synthetic
   portal (:mod:`benchmarks.sitegen`: feed ``pubDate``, sitemap ``lastmod``, dated list pages,
   no validators): a first run, then a repeat over the unchanged site with the revisit policy
   (:mod:`crawler.revisit`) and one with it switched off (what a repeat cost before): requests
   sent, article requests sent, and CPU per known article. ``--policy-only`` runs just this.
2. Seen-store (SQLite) lookups and observes per second with M URLs stored (half the lookups miss).
3. Peak RSS of first crawls (with state) at each size: it must stay flat as the corpus grows.

Peak RSS is the crawl process's own ``ru_maxrss`` (from ``wait4``), not a sampled value.
Targets: the no-change repeat run takes at most 0.25 of the first run's time and no more peak
memory than it (1.05 allows for noise); the largest crawl's peak RSS within 1.25 times the
smallest one's. The issue fixes no numbers for the repeat run; these bars say "a repeat costs
a small part of a first run", which is what makes a crawl every few hours cheap.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._harness import REPO, python_env, quick_mode, table, write_result

COMMAND = "python -m benchmarks.incremental"
PER_PAGE = 200
TARGET_REPEAT_TIME = 0.25
TARGET_REPEAT_RSS = 1.05
TARGET_GROWTH = 1.25
SETTINGS = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
            "-s", "SPIDER_MODULES=['tests.sitegen']", "-s", "REMOTE_CONTROL_ENABLED=False",
            "-s", "CONCURRENT_REQUESTS=32", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32",
            "-s", "LOGSTATS_INTERVAL=0", "--loglevel", "WARNING"]  # fmt: skip


def _records(out: Path) -> int:
    return sum(1 for path in out.rglob("*.jsonl") for _ in path.open(encoding="utf-8"))


def crawl(base_url: str, out: Path, state: Path) -> dict[str, Any]:
    """One ``ecopolicy crawl`` process: wall seconds, peak RSS (MiB) and records emitted."""
    command = [sys.executable, "-m", "crawler.cli", "crawl", "--spider", "sitegen", "--source", "gen",
               "--output", str(out), "--state", str(state), *SETTINGS,
               "-s", f"SITEGEN_SITES={{'gen': {base_url!r}}}"]  # fmt: skip
    with tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=REPO, env=python_env(), stdout=subprocess.DEVNULL, stderr=stderr
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            stderr.seek(0)
            raise RuntimeError(f"crawl exited {process.returncode}: {stderr.read().decode()[-2000:]}")
    return {
        "seconds": round(elapsed, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),  # KiB on Linux
        "records": _records(out) if out.exists() else 0,
    }


def repeat_runs(count: int, work: Path) -> dict[str, Any]:
    from tests.sitegen import GeneratedSite, list_page, make_articles

    site = GeneratedSite().start()
    try:
        articles = make_articles(count)
        site.publish(articles, per_page=PER_PAGE)
        state = work / "repeat-state"
        first = crawl(site.base_url, work / "repeat-1", state)
        site.reset_hits()
        unchanged = crawl(site.base_url, work / "repeat-2", state)
        not_modified = site.served("/news/index", 304)
        following = "index_1.html" if count > PER_PAGE else None
        site.put("/news/index.html", list_page(articles[:PER_PAGE], "news", following) + "<!-- touched -->")
        touched = crawl(site.base_url, work / "repeat-3", state)
    finally:
        site.stop()
    if first["records"] != count or unchanged["records"] or touched["records"]:
        raise RuntimeError(
            f"records emitted: first {first['records']} of {count}, repeats {unchanged['records']} "
            f"and {touched['records']} (both must be 0)"
        )
    return {
        "articles": count,
        "first": first,
        "repeat_unchanged_site": unchanged,
        "list_pages_304": not_modified,
        "repeat_list_page_changed": touched,
        "time_ratio_unchanged": unchanged["seconds"] / first["seconds"],
        "rss_ratio_unchanged": unchanged["peak_rss_mib"] / first["peak_rss_mib"],
        "time_ratio_list_changed": touched["seconds"] / first["seconds"],
        "rss_ratio_list_changed": touched["peak_rss_mib"] / first["peak_rss_mib"],
    }


def policy_repeat(count: int, work: Path) -> dict[str, Any]:
    """First run, repeat with the revisit policy, repeat without it: the full crawler, cron mode."""
    from benchmarks._harness import crawl as measured_crawl
    from benchmarks.sitegen import SiteProcess

    state = work / "policy-state"
    runs: dict[str, Any] = {}
    with SiteProcess(count) as site:
        plan = [("first", {}), ("repeat", {}), ("repeat, revisit off", {"ECOPOLICY_REVISIT_ENABLED": False})]
        for name, extra in plan:
            settings = {"ECOPOLICY_STATE_DIR": str(state), "ECOPOLICY_EXTRACT_WORKERS": 0, **extra}
            out = work / f"policy-{len(runs)}"
            runs[name] = measured_crawl("policy", count, out, base_url=site.base_url, settings=settings)
    rows = []
    for name, run in runs.items():
        stats = run["stats"]
        articles = int(stats.get("discovery/feed/links", 0) + stats.get("discovery/sitemap/links", 0)
                       + stats.get("discovery/list/links", 0))  # fmt: skip
        fetched = int(stats.get("extraction/records", 0) + stats.get("revisit/conditional_304", 0))
        rows.append({
            "run": name, "records": int(stats.get("seen/new", 0) + stats.get("seen/changed", 0)),
            "requests": int(stats.get("downloader/request_count", 0)), "article_links": articles,
            "articles_fetched": fetched, "skipped_unchanged": int(stats.get("revisit/skipped_unchanged", 0)),
            "cpu_s": round(run["cpu_s"], 2),
            "cpu_ms_per_known_article": round(1000 * run["cpu_s"] / count, 2),
        })  # fmt: skip
    return {"articles": count, "rows": rows, "runs": runs}


def store_lookups(urls: int, seconds: float = 3.0) -> dict[str, Any]:
    from crawler.state.sqlite import SqliteSeenStore

    with tempfile.TemporaryDirectory(prefix="ecopolicy-seen-") as work:
        store = SqliteSeenStore(Path(work) / "seen.sqlite3")
        now = datetime.datetime.now(datetime.UTC).isoformat()
        started = time.perf_counter()
        # Bulk load through SQL: a million one-row transactions would measure fsync.
        store._db.execute("BEGIN")
        store._db.executemany(
            "INSERT INTO seen VALUES (?, ?, 1, ?, ?)",
            ((f"example.gov.cn/news/{i:08d}.html", f"{i:040x}", now, now) for i in range(urls)),
        )
        store._db.execute("COMMIT")
        load = time.perf_counter() - started
        rng = random.Random(1)
        done, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            for _ in range(1000):
                store.lookup(f"example.gov.cn/news/{rng.randrange(urls * 2):08d}.html")  # half are misses
            done += 1000
        lookups = done / (time.perf_counter() - started)
        moment = datetime.datetime.now(datetime.UTC)
        done, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            for _ in range(200):
                store.observe(f"example.gov.cn/news/{rng.randrange(urls):08d}.html", "x", moment, batch="b")
            done += 200
        observes = done / (time.perf_counter() - started)
        size = (Path(work) / "seen.sqlite3").stat().st_size
        store.close()
    return {"urls": urls, "bulk_load_s": load, "lookups_per_s": lookups, "observes_per_s": observes,
            "db_mib": size / 2**20}  # fmt: skip


def flat_memory(sizes: list[int], work: Path, known: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """First crawls with state at each size; a size already crawled first (in *known*) is reused."""
    from tests.sitegen import GeneratedSite, make_articles

    results = []
    for count in sizes:
        if count in known:
            results.append({"articles": count, **known[count], "reused": True})
            continue
        site = GeneratedSite().start()
        try:
            site.publish(make_articles(count), per_page=PER_PAGE)
            run = crawl(site.base_url, work / f"size-{count}", work / f"size-{count}-state")
        finally:
            site.stop()
        if run["records"] != count:
            raise RuntimeError(f"crawl of {count} articles emitted {run['records']} records")
        results.append({"articles": count, **run, "reused": False})
    return results


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--articles", type=int, help="articles of the repeat-run site (10,000; quick 1,000)")
    parser.add_argument("--store-urls", type=int, help="URLs in the seen-store (1,000,000; quick 100,000)")
    parser.add_argument("--sizes", help="crawl sizes for peak RSS (10000,50000; quick 1000,5000)")
    parser.add_argument("--policy-only", action="store_true", help="only the full crawler's repeat runs")
    return parser.parse_args(argv)


def _policy_part(policy: dict[str, Any]) -> str:
    """The report's part on the full crawler's repeat runs in cron mode."""
    return "\n\n".join([
        f"Full crawler in cron mode (`policy` spider, `--state`), {policy['articles']:,}-article synthetic "
        "portal (`benchmarks/sitegen.py`: dated feed, sitemaps and list pages, no validators), one "
        "extraction worker; CPU of the crawl process per known article:",
        table(["run", "records", "requests", "article links offered", "articles fetched",
               "skipped unchanged", "CPU s", "CPU ms / known article"],
              [[r["run"], r["records"], r["requests"], r["article_links"], r["articles_fetched"],
                r["skipped_unchanged"], r["cpu_s"], r["cpu_ms_per_known_article"]] for r in policy["rows"]]),
    ])  # fmt: skip


def _repeat_table(repeat: dict[str, Any]) -> str:
    """The first run and both repeats: records, wall time, peak RSS and ratios to the first run."""
    first, unchanged, touched = (
        repeat["first"],
        repeat["repeat_unchanged_site"],
        repeat["repeat_list_page_changed"],
    )
    return table(
        ["run", "records emitted", "wall s", "peak RSS MiB", "time ratio", "RSS ratio"],
        [
            [
                "first run (empty state)",
                first["records"],
                first["seconds"],
                first["peak_rss_mib"],
                1.0,
                1.0,
            ],
            [
                f"repeat, site unchanged (list-page requests answered 304: {repeat['list_pages_304']})",
                unchanged["records"],
                unchanged["seconds"],
                unchanged["peak_rss_mib"],
                round(repeat["time_ratio_unchanged"], 3),
                round(repeat["rss_ratio_unchanged"], 3),
            ],
            [
                "repeat, first list page changed, no article changed",
                touched["records"],
                touched["seconds"],
                touched["peak_rss_mib"],
                round(repeat["time_ratio_list_changed"], 3),
                round(repeat["rss_ratio_list_changed"], 3),
            ],
        ],
    )


def _seen_store_line(seen: dict[str, Any]) -> str:
    """Seen-store lookup and observe rates with the number of URLs stored."""
    return (
        f"Seen-store (SQLite) with {seen['urls']:,} URLs stored ({seen['db_mib']:.1f} MiB file, bulk load "
        f"{seen['bulk_load_s']:.1f} s): **{seen['lookups_per_s']:,.0f} lookups/s** (half of them misses), "
        f"{seen['observes_per_s']:,.0f} observes/s (staged writes of a run batch)."
    )


def _memory_table(memory: list[dict[str, Any]]) -> str:
    """Peak RSS of each first crawl by corpus size; a size measured by the repeat runs says so."""
    return table(
        ["articles", "records", "wall s", "peak RSS MiB"],
        [
            [
                r["articles"],
                r["records"],
                r["seconds"],
                f"{r['peak_rss_mib']}" + (" (the first run above)" if r["reused"] else ""),
            ]
            for r in memory
        ],
    )


def _targets(repeat: dict[str, Any], growth: float, articles: int, sizes: list[int]) -> list[dict[str, Any]]:
    """The repeat run's time and memory, and the memory growth, against their targets."""
    return [
        {
            "name": f"no-change repeat run time / first run ({articles:,} articles)",
            "target": f"<= {TARGET_REPEAT_TIME}",
            "value": round(repeat["time_ratio_unchanged"], 3),
            "met": repeat["time_ratio_unchanged"] <= TARGET_REPEAT_TIME,
        },
        {
            "name": f"no-change repeat run peak RSS / first run ({articles:,} articles)",
            "target": f"<= {TARGET_REPEAT_RSS}",
            "value": round(repeat["rss_ratio_unchanged"], 3),
            "met": repeat["rss_ratio_unchanged"] <= TARGET_REPEAT_RSS,
        },
        {
            "name": f"peak RSS {sizes[-1]:,} / {sizes[0]:,} articles (flat)",
            "target": f"<= {TARGET_GROWTH}",
            "value": round(growth, 3),
            "met": growth <= TARGET_GROWTH,
        },
    ]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the measurements, write ``results/incremental.json`` (``incremental_policy.json``
    with ``--policy-only``) and return it."""
    argv = list(argv or [])
    args = _parse(argv)
    quick = quick_mode(argv)
    articles = args.articles or (1000 if quick else 10_000)
    store_urls = args.store_urls or (100_000 if quick else 1_000_000)
    sizes = [int(n) for n in (args.sizes or ("1000,5000" if quick else "10000,50000")).split(",") if n]
    command = " ".join([COMMAND, *(["--quick"] if quick and "--quick" not in argv else []), *argv])
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ecopolicy-incremental-") as tmp:
        policy = policy_repeat(1000 if quick else 3000, Path(tmp))
    policy_part = _policy_part(policy)
    if args.policy_only:
        result = {"title": "Scheduled runs: full crawler repeat run", "command": command, "quick": quick,
                  "policy_repeat": policy, "markdown": f"Command: `{command}`.\n\n{policy_part}"}  # fmt: skip
        write_result("incremental_policy", result)
        return result
    seen = store_lookups(store_urls)
    with tempfile.TemporaryDirectory(prefix="ecopolicy-incremental-") as tmp:
        repeat = repeat_runs(articles, Path(tmp))
        memory = flat_memory(sizes, Path(tmp), {articles: repeat["first"]})
    growth = memory[-1]["peak_rss_mib"] / memory[0]["peak_rss_mib"]
    parts = [
        f"Command: `{command}` ({time.perf_counter() - started:.0f} s). Crawls are "
        "`ecopolicy crawl --spider sitegen --state DIR` in fresh processes against a loopback site "
        f"(`tests/sitegen.py`, {PER_PAGE} links per list page, ETag/Last-Modified and 304 answers); "
        "peak RSS is the crawl process's `ru_maxrss`.",
        f"Repeat runs over {articles:,} known articles, same state folder, ratios to the first run:",
        _repeat_table(repeat),
        _seen_store_line(seen),
        "Peak RSS of first crawls with state by corpus size:",
        _memory_table(memory),
        f"Growth {growth:.2f}x from {sizes[0]:,} to {sizes[-1]:,} articles (target <= {TARGET_GROWTH}x).",
        policy_part,
    ]
    result = {
        "title": "Scheduled runs: repeat-run cost, seen-store lookups, memory by corpus size",
        "command": command,
        "quick": quick,
        "targets": _targets(repeat, growth, articles, sizes),
        "seen_store": seen,
        "repeat_runs": repeat,
        "memory_by_size": memory,
        "memory_growth": growth,
        "policy_repeat": policy,
        "markdown": "\n\n".join(parts),
    }
    write_result("incremental", result)
    return result


if __name__ == "__main__":
    print(main(sys.argv[1:])["markdown"])
