"""Scale-out benchmark: articles/s for 1, 2 and 4 Redis workers against a single-process crawl,
and Redis memory per 100,000 seen URLs.

    python -m benchmarks.scaleout [--articles 2000] [--redis redis://127.0.0.1:6379/14]

Every figure comes from this one run on this machine: the baseline is the same crawl of the same
loopback site without Redis, measured first, and throughputs are reported as ratios to it.
Memory: ``INFO memory`` used_memory before and after 100,000 dupe-filter fingerprints, and
before and after 100,000 committed seen-store entries. Keys use a fresh prefix and are deleted.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from tempfile import TemporaryDirectory

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.bulk_site import BulkSite, write_source_file  # noqa: E402

PIPELINES = os.environ.get("ECOPOLICY_BENCH_PIPELINES")  # e.g. a repr() dict to lighten the path


def crawl(site: BulkSite, output: Path, extra: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("ECOPOLICY_REDIS_URL", None)
    sources = write_source_file(site, output.parent / f"{output.name}-sources.toml")
    command = [sys.executable, "-m", "crawler.cli", "crawl", "--sources", str(sources), "--source", "bulk",
               "--output", str(output),
               "--loglevel", "WARNING", "-s", "LOGSTATS_INTERVAL=0", *extra]  # fmt: skip
    if PIPELINES:
        command += ["-s", f"ITEM_PIPELINES={PIPELINES}"]
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=REPO, check=True, capture_output=True, timeout=1800)
    elapsed = time.perf_counter() - started
    records = sum(1 for path in output.rglob("*.jsonl") for _ in path.open(encoding="utf-8"))
    if records != site.articles:
        raise SystemExit(f"expected {site.articles} records, got {records} ({extra})")
    return elapsed


def memory_per_100k(url: str) -> dict[str, float]:
    import redis

    from crawler.state.redis_store import RedisSeenStore

    client = redis.Redis.from_url(url)
    prefix = f"ecobench-{uuid.uuid4().hex[:8]}"
    n = 100_000
    try:
        before = client.info("memory")["used_memory"]
        pipe = client.pipeline(transaction=False)
        for i in range(n):
            pipe.sadd(f"{prefix}:bulk:dupefilter", hashlib.sha1(str(i).encode()).hexdigest())
            if i % 5000 == 4999:
                pipe.execute()
        pipe.execute()
        after_df = client.info("memory")["used_memory"]
        store = RedisSeenStore(client, prefix=prefix, worker="bench")
        now = datetime.datetime.now(datetime.UTC)
        for i in range(n):
            digest = hashlib.sha1(str(i).encode()).hexdigest()
            store.observe(f"www.mee.gov.cn/xxgk/t20240101_{i}.html", digest, now, batch="bench:run")
        store.commit("bench:run")
        after_seen = client.info("memory")["used_memory"]
    finally:
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            client.delete(key)
    return {"dupefilter_mb": (after_df - before) / 2**20, "seen_store_mb": (after_seen - after_df) / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    site = BulkSite(args.articles).start()
    results: dict[str, object] = {"articles": args.articles, "cpus": os.cpu_count()}
    try:
        with TemporaryDirectory() as tmp:
            base = crawl(site, Path(tmp) / "baseline", [])
            results["baseline_articles_per_s"] = round(args.articles / base, 1)
            for workers in args.workers:
                prefix = f"ecobench-{uuid.uuid4().hex[:8]}"
                options = ["--redis", args.redis, "--workers", str(workers)]
                options += ["-s", f"ECOPOLICY_REDIS_PREFIX={prefix}"]
                seconds = crawl(site, Path(tmp) / f"w{workers}", options)
                import redis

                client = redis.Redis.from_url(args.redis)
                for key in client.scan_iter(match=f"{prefix}:*", count=1000):
                    client.delete(key)
                results[f"redis_{workers}_workers_articles_per_s"] = round(args.articles / seconds, 1)
                results[f"redis_{workers}_workers_ratio"] = round(base / seconds, 2)
    finally:
        site.stop()
    results["redis_memory_per_100k"] = {k: round(v, 2) for k, v in memory_per_100k(args.redis).items()}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
