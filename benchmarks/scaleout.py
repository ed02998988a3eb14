"""Scale-out: articles/s of 1, 2 and 4 Redis workers against single-process crawls, and Redis memory.

    python -m benchmarks.scaleout [--quick] [--articles N] [--workers 1 2 4] [--redis URL]

(full: 5,000 articles; quick: 2,000) writes ``benchmarks/results/scaleout.json``.

Every crawl is ``ecopolicy crawl --sources FILE --source bulk`` in fresh processes against the
same loopback site (``tests/bulk_site.py``: feed, sitemaps and paginated list pages over N small
articles, served by a thread of this process), one after the other in this one run:

- the **baseline**: one process with a state folder (``--state DIR``: SQLite seen-store,
  near-duplicate index, lock, JOBDIR), so it runs the same pipelines the Redis workers run with
  their state in Redis; ratios are to this crawl;
- for reference, one process without a state folder (the seen-store and near-duplicate steps
  stand down, nothing is persisted);
- ``--redis URL --workers N`` for each N, each with a fresh key prefix, deleted afterwards.

Every run must emit every article exactly once (checked by URL). The issue sets no numeric
target for the ratios; on a 2-core machine that also serves the site, the 2-worker speed-up
over 1 worker is the figure to read. Memory: Redis ``used_memory`` before and after 100,000
dupe-filter fingerprints, and after 100,000 committed seen-store entries (quick: 20,000 of
each, scaled to 100,000). When no Redis answers the benchmark is skipped and says so.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from benchmarks._harness import REPO, python_env, quick_mode, table, write_result

COMMAND = "python -m benchmarks.scaleout"
TITLE = "Scale-out: Redis workers vs single-process crawls"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"


def _redis(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=30)


def redis_problem(url: str) -> str:
    """Why Redis at *url* cannot be used ("" when it answers PING)."""
    try:
        _redis(url).ping()
    except Exception as exc:  # any failure means: no usable Redis here
        return f"no Redis answered at {url} ({type(exc).__name__}: {exc})"
    return ""


def _clear(url: str, prefix: str) -> None:
    client = _redis(url)
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)


def crawl(site: Any, output: Path, extra: list[str], pipelines: str = "") -> dict[str, Any]:
    """One crawl command; wall seconds and records, after checking every article came exactly once."""
    from tests.bulk_site import write_source_file

    env = python_env()
    env.pop("ECOPOLICY_REDIS_URL", None)
    env.pop("ECOPOLICY_STATE_DIR", None)
    sources = write_source_file(site, output.parent / f"{output.name}-sources.toml")
    command = [sys.executable, "-m", "crawler.cli", "crawl", "--sources", str(sources), "--source", "bulk",
               "--output", str(output), "--loglevel", "WARNING", "-s", "LOGSTATS_INTERVAL=0",
               *extra]  # fmt: skip
    if pipelines:
        command += ["-s", f"ITEM_PIPELINES={pipelines}"]
    started = time.perf_counter()
    done = subprocess.run(
        command, env=env, cwd=REPO, capture_output=True, text=True, timeout=3600, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"crawl {extra} exited {done.returncode}: {done.stderr[-2000:]}")
    urls: list[str] = []
    for path in output.rglob("*.jsonl"):
        with path.open(encoding="utf-8") as lines:
            urls.extend(json.loads(line)["url"] for line in lines if line.strip())
    if len(urls) != site.articles or len(set(urls)) != site.articles:
        raise RuntimeError(
            f"crawl {extra}: {len(urls)} records, {len(set(urls))} distinct, "
            f"expected {site.articles} once each"
        )
    return {"seconds": elapsed, "records": len(urls), "articles_per_s": site.articles / elapsed}


def memory_per_100k(url: str, count: int) -> dict[str, float]:
    """Redis memory (MiB) of *count* dupe-filter fingerprints and seen-store entries, scaled to 100,000."""
    from crawler.state.redis_store import RedisSeenStore

    client = _redis(url)
    prefix = f"ecobench-{uuid.uuid4().hex[:8]}"
    try:
        before = client.info("memory")["used_memory"]
        pipe = client.pipeline(transaction=False)
        for i in range(count):
            pipe.sadd(f"{prefix}:bulk:dupefilter", hashlib.sha1(str(i).encode()).hexdigest())
            if i % 5000 == 4999:
                pipe.execute()
        pipe.execute()
        after_df = client.info("memory")["used_memory"]
        store = RedisSeenStore(client, prefix=prefix, worker="bench")
        now = datetime.datetime.now(datetime.UTC)
        for i in range(count):
            digest = hashlib.sha1(str(i).encode()).hexdigest()
            store.observe(f"www.mee.gov.cn/xxgk/t20240101_{i}.html", digest, now, batch="bench:run")
        store.commit("bench:run")
        after_seen = client.info("memory")["used_memory"]
    finally:
        _clear(url, prefix)
    scale = 100_000 / count
    return {
        "measured_urls": count,
        "dupefilter_mib": (after_df - before) * scale / 2**20,
        "seen_store_mib": (after_seen - after_df) * scale / 2**20,
    }


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--articles", type=int, help="articles of the site (5,000; quick 2,000)")
    parser.add_argument("--redis", default=DEFAULT_REDIS, help=f"Redis URL (default {DEFAULT_REDIS})")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4], help="worker counts")
    parser.add_argument(
        "--pipelines", default="", help="ITEM_PIPELINES override (a dict literal) for every crawl"
    )
    return parser.parse_args(argv)


def _skipped(command: str, quick: bool, reason: str) -> dict[str, Any]:
    return {
        "title": TITLE,
        "command": command,
        "quick": quick,
        "skipped": reason,
        "targets": [],
        "markdown": f"Command: `{command}`. **Skipped**: {reason}. Start Redis on 127.0.0.1:6379 "
        "(or pass `--redis URL`) and run it again.",
    }


def _crawls(articles: int, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """The stateless reference, the single-process baseline with state, and the Redis crawls for
    each worker count, one after the other over one loopback site; each Redis crawl gets a fresh
    key prefix, deleted afterwards."""
    from tests.bulk_site import BulkSite

    runs: dict[str, dict[str, Any]] = {}
    site = BulkSite(articles).start()
    try:
        with TemporaryDirectory(prefix="ecopolicy-scaleout-") as tmp:
            work = Path(tmp)
            runs["stateless"] = crawl(site, work / "stateless", [], args.pipelines)
            runs["baseline"] = crawl(
                site, work / "baseline", ["--state", str(work / "state")], args.pipelines
            )
            for workers in args.workers:
                prefix = f"ecobench-{uuid.uuid4().hex[:8]}"
                options = [
                    "--redis",
                    args.redis,
                    "--workers",
                    str(workers),
                    "-s",
                    f"ECOPOLICY_REDIS_PREFIX={prefix}",
                ]
                try:
                    runs[f"redis-{workers}"] = crawl(site, work / f"redis-{workers}", options, args.pipelines)
                finally:
                    _clear(args.redis, prefix)
    finally:
        site.stop()
    return runs


def _speedups(runs: dict[str, dict[str, Any]], worker_counts: list[int]) -> dict[int, float]:
    """Set each run's ratios to the baseline and to the stateless crawl; return each worker
    count's speed-up over one Redis worker (none without a one-worker run)."""
    base = runs["baseline"]["seconds"]
    for run in runs.values():
        run["ratio_to_baseline"] = base / run["seconds"]
        run["ratio_to_stateless"] = runs["stateless"]["seconds"] / run["seconds"]
    one = runs.get("redis-1")
    return {workers: one["seconds"] / runs[f"redis-{workers}"]["seconds"] for workers in worker_counts if one}


def _runs_table(runs: dict[str, dict[str, Any]], speedups: dict[int, float], worker_counts: list[int]) -> str:
    """One line per crawl: records, wall time, rate, its ratios and its speed-up."""
    labels = {
        "stateless": "1 process, no state folder (reference)",
        "baseline": "1 process, `--state DIR` (**baseline**)",
        **{f"redis-{w}": f"`--redis` `--workers {w}`" for w in worker_counts},
    }
    rows = [
        [
            labels[name],
            run["records"],
            round(run["seconds"], 1),
            round(run["articles_per_s"], 1),
            round(run["ratio_to_baseline"], 2),
            round(run["ratio_to_stateless"], 2),
            round(speedups[int(name[6:])], 2) if name.startswith("redis-") and speedups else "",
        ]
        for name, run in runs.items()
    ]
    header = [
        "crawl",
        "records",
        "wall s",
        "articles/s",
        "ratio to baseline",
        "ratio to stateless",
        "speed-up vs 1 Redis worker",
    ]
    return table(header, rows)


def _memory_line(memory: dict[str, float]) -> str:
    """Redis memory per 100,000 seen URLs, saying whether it was scaled from fewer."""
    return (
        f"Redis memory per 100,000 seen URLs (measured with {memory['measured_urls']:,}"
        + (", scaled" if memory["measured_urls"] != 100_000 else "")
        + f"): dupe-filter fingerprints {memory['dupefilter_mib']:.2f} MiB, "
        f"committed seen-store entries {memory['seen_store_mib']:.2f} MiB, "
        f"together {memory['dupefilter_mib'] + memory['seen_store_mib']:.2f} MiB."
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the crawls and the memory measurement, write ``results/scaleout.json`` and return it;
    without a Redis to use, the result says the benchmark was skipped and why."""
    argv = list(argv or [])
    args = _parse(argv)
    quick = quick_mode(argv)
    articles = args.articles or (2000 if quick else 5000)
    command = " ".join([COMMAND, *(["--quick"] if quick and "--quick" not in argv else []), *argv])
    problem = redis_problem(args.redis)
    if problem:
        result = _skipped(command, quick, problem)
        write_result("scaleout", result)
        return result

    started = time.perf_counter()
    runs = _crawls(articles, args)
    memory = memory_per_100k(args.redis, 20_000 if quick else 100_000)
    speedups = _speedups(runs, args.workers)
    runs_table = _runs_table(runs, speedups, args.workers)
    parts = [
        f"Command: `{command}` ({time.perf_counter() - started:.0f} s). Same loopback site "
        f"(`tests/bulk_site.py`, {articles:,} articles reached through a feed, sitemaps and list pages) "
        "for every crawl, served by a thread of the benchmark process on the same "
        "cores; every run emitted every article exactly once (checked by URL).",
        runs_table,
        "The baseline runs the same pipelines as the workers (seen-store and near-duplicate index, "
        "in SQLite instead of Redis); without a state folder those steps stand down, so the "
        "stateless crawl is shown for reference only. The issue sets no numeric target for "
        "these ratios" + (f"; 2 workers ran {speedups[2]:.2f}x as fast as 1." if 2 in speedups else "."),
        _memory_line(memory),
    ]
    result = {
        "title": TITLE,
        "command": command,
        "quick": quick,
        "articles": articles,
        "targets": [],
        "runs": runs,
        "speedup_vs_1_worker": speedups,
        "redis_memory_per_100k": memory,
        "markdown": "\n\n".join(parts),
    }
    write_result("scaleout", result)
    return result


if __name__ == "__main__":
    print(main(sys.argv[1:])["markdown"])
