"""Scheduled-run benchmarks: repeat runs, seen-store lookups, and memory as the crawl grows.

    python -m benchmarks.incremental [--articles 10000] [--store-urls 1000000] [--sizes 10000,50000]

1. A first crawl of N articles of a generated loopback site, then a repeat run on the unchanged
   site (list pages answer 304), then a repeat run after the list pages changed but no article
   did (every article fetched again and dropped as unchanged): wall time and peak RSS of each
   repeat as a ratio to the first run, measured in the same process tree.
2. Seen-store lookups (and observes) per second with M URLs stored.
3. Peak RSS of first crawls at each size: a flat line means memory does not grow with the corpus.
Figures vary with the machine; only the ratios within one run mean something.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from crawler.state.sqlite import SqliteSeenStore  # noqa: E402
from tests.sitegen import GeneratedSite, list_page, make_articles  # noqa: E402

PER_PAGE = 200
SETTINGS = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
            "-s", "SPIDER_MODULES=['tests.sitegen']", "-s", "REMOTE_CONTROL_ENABLED=False",
            "-s", "CONCURRENT_REQUESTS=32", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32",
            "--loglevel", "WARNING"]  # fmt: skip


def crawl(site: GeneratedSite, out: Path, state: Path) -> dict[str, float]:
    """One ``ecopolicy crawl`` subprocess: wall seconds and peak RSS (MiB, polled every 50 ms)."""
    command = [sys.executable, "-m", "crawler.cli", "crawl", "--spider", "sitegen", "--source", "gen",
               "--output", str(out), "--state", str(state), *SETTINGS,
               "-s", f"SITEGEN_SITES={{'gen': {site.base_url!r}}}"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    watched = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            peak = max(peak, watched.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    _, stderr = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(stderr.decode()[-2000:])
    return {"seconds": round(time.perf_counter() - started, 2), "peak_rss_mib": round(peak / 2**20, 1)}


def repeat_runs(count: int) -> dict[str, object]:
    site = GeneratedSite().start()
    try:
        articles = make_articles(count)
        site.publish(articles, per_page=PER_PAGE)
        with tempfile.TemporaryDirectory() as work:
            out, state = Path(work) / "out", Path(work) / "state"
            first = crawl(site, out, state)
            unchanged = crawl(site, out, state)
            site.put(
                "/news/index.html",
                list_page(articles[:PER_PAGE], "news", "index_1.html") + "<!-- touched -->",
            )
            touched = crawl(site, out, state)
    finally:
        site.stop()
    return {
        "articles": count,
        "first": first,
        "repeat_unchanged_site": unchanged,
        "repeat_list_pages_changed": touched,
        "time_ratio_unchanged": round(unchanged["seconds"] / first["seconds"], 3),
        "rss_ratio_unchanged": round(unchanged["peak_rss_mib"] / first["peak_rss_mib"], 3),
        "time_ratio_list_changed": round(touched["seconds"] / first["seconds"], 3),
        "rss_ratio_list_changed": round(touched["peak_rss_mib"] / first["peak_rss_mib"], 3),
    }


def store_lookups(urls: int, seconds: float = 3.0) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as work:
        store = SqliteSeenStore(Path(work) / "seen.sqlite3")
        now = datetime.datetime.now(datetime.UTC).isoformat()
        started = time.perf_counter()
        store._db.execute(
            "BEGIN"
        )  # bulk load through SQL: a million one-row transactions would measure fsync
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
    return {"urls": urls, "bulk_load_s": round(load, 1), "lookups_per_s": round(lookups),
            "observes_per_s": round(observes), "db_mib": round(size / 2**20, 1)}  # fmt: skip


def flat_memory(sizes: list[int]) -> list[dict[str, object]]:
    results = []
    for count in sizes:
        site = GeneratedSite().start()
        try:
            site.publish(make_articles(count), per_page=PER_PAGE)
            with tempfile.TemporaryDirectory() as work:
                results.append({"articles": count, **crawl(site, Path(work) / "out", Path(work) / "state")})
        finally:
            site.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--store-urls", type=int, default=1_000_000)
    parser.add_argument("--sizes", default="10000,50000")
    args = parser.parse_args()
    report = {
        "seen_store": store_lookups(args.store_urls),
        "repeat_runs": repeat_runs(args.articles),
        "memory_by_size": flat_memory([int(n) for n in args.sizes.split(",") if n]),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
