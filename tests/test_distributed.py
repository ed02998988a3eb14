"""The distributed crawl against a real Redis and a loopback site of 2,000 articles.

Each test uses its own key prefix in Redis db 15 and deletes its keys afterwards; without a
Redis on 127.0.0.1:6379 the module is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from tests.bulk_site import BulkSite, write_source_file
from tests.conftest import REPO

redis = pytest.importorskip("redis")

REDIS_URL = "redis://127.0.0.1:6379/15"
ARTICLES = 2000
PIPELINES = {
    "pipelines.finalise.FinalisePipeline": 600,
    "pipelines.seen.SeenPipeline": 700,
    "pipelines.validate.SchemaValidationPipeline": 900,
}
pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.fixture(scope="module")
def server():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"no Redis answers on {REDIS_URL}: {exc}")
    return client


@pytest.fixture(scope="module")
def site():
    site = BulkSite(ARTICLES).start()
    yield site
    site.stop()


@pytest.fixture
def prefix(server):
    name = f"ecotest-{uuid.uuid4().hex[:10]}"
    yield name
    for key in server.scan_iter(match=f"{name}:*", count=1000):
        server.delete(key)


def crawl_command(site: BulkSite, output: Path, prefix: str, *extra: str) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("ECOPOLICY_REDIS_URL", None)
    sources = write_source_file(site, output.parent / f"{output.name}-sources.toml")
    command = [
        sys.executable, "-m", "crawler.cli", "crawl", "--sources", str(sources), "--source", "bulk",
        "--output", str(output),
        "--redis", REDIS_URL, "--loglevel", "WARNING",
        "-s", f"ECOPOLICY_REDIS_PREFIX={prefix}",
        "-s", "ECOPOLICY_REDIS_HEARTBEAT=0.5", "-s", "ECOPOLICY_REDIS_WORKER_TTL=3",
        # The distributed path (seen-store in Redis, finalise, schema) without the CPU-heavy
        # cleaning and near-duplicate steps, which these tests are not about.
        "-s", "ITEM_PIPELINES=" + repr(PIPELINES),
        "-s", "SCHEDULER_IDLE_BEFORE_CLOSE=0.5",
        "-s", "LOGSTATS_INTERVAL=0", "-s", "TELNETCONSOLE_ENABLED=False",
        *extra,
    ]  # fmt: skip
    return command, env


def run_crawl(site: BulkSite, output: Path, prefix: str, *extra: str) -> subprocess.CompletedProcess[str]:
    command, env = crawl_command(site, output, prefix, *extra)
    done = subprocess.run(
        command, env=env, cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def emitted(output: Path) -> Counter[str]:
    """Canonical URLs of every record in the finished output files (no hidden .part files)."""
    urls: Counter[str] = Counter()
    for path in output.rglob("*.jsonl"):
        with path.open(encoding="utf-8") as lines:
            urls.update(json.loads(line)["canonical_url"] for line in lines)
    return urls


def assert_exactly_once(site: BulkSite, urls: Counter[str]) -> None:
    repeated = {url: n for url, n in urls.items() if n > 1}
    assert not repeated, (
        f"{len(repeated)} article(s) emitted more than once, e.g. {list(repeated.items())[:3]}"
    )
    missing = site.expected_urls() - set(urls)
    assert not missing, f"{len(missing)} article(s) never emitted, e.g. {sorted(missing)[:3]}"
    assert len(urls) == site.articles


@pytest.mark.parametrize("workers", [2, 4])
def test_workers_emit_every_article_once_and_a_rerun_nothing(site, server, prefix, tmp_path, workers):
    output = tmp_path / "out"
    run_crawl(site, output, prefix, "--workers", str(workers))
    files = list(output.rglob("*.jsonl"))
    assert len(files) == workers, f"one file per worker expected, got {[f.name for f in files]}"
    assert_exactly_once(site, emitted(output))
    assert not server.exists(f"{prefix}:bulk:requests"), "the queue should be empty at the end"
    assert not server.hlen(f"{prefix}:bulk:workers"), "every worker should have left the crawl"
    assert not list(server.scan_iter(match=f"{prefix}:bulk:inflight:*")), "no task may stay in flight"

    again = tmp_path / "again"
    rerun = run_crawl(site, again, prefix, "--workers", str(workers))
    assert not emitted(again), f"a second run emitted records:\n{rerun.stdout}"


def test_a_killed_worker_loses_nothing(site, server, prefix, tmp_path):
    output = tmp_path / "out"
    processes = []
    for index in range(3):
        command, env = crawl_command(site, output, prefix, "--worker-id", f"w{index}")
        processes.append(
            subprocess.Popen(
                command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        )
    victim = processes[0]
    inflight = f"{prefix}:bulk:inflight:w0"
    deadline = time.monotonic() + 120
    while server.hlen(inflight) < ARTICLES // 6:  # about half of its share taken
        assert victim.poll() is None, "the worker to kill finished before it was killed"
        assert time.monotonic() < deadline, "the worker never took its share of the work"
        time.sleep(0.05)
    taken = server.hlen(inflight)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    for process in processes[1:]:
        _out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-3000:]
    for process in processes:
        process.stdout.close() if process.stdout and not process.stdout.closed else None
        process.stderr.close() if process.stderr and not process.stderr.closed else None
    assert taken > 0
    assert not any(output.rglob("*w0.jsonl")), "the killed worker cannot have finished a file"
    assert_exactly_once(site, emitted(output))
    assert not server.exists(inflight), "the killed worker's tasks must have been given back"


def test_articles_whose_requests_meet_a_redis_error_are_fetched_again_not_lost(
    site, server, prefix, tmp_path
):
    from crawler import settings as project

    seam = "tests.faults.redis_seam.RedisFailsOnceForSomeArticles"
    middlewares = {**project.DOWNLOADER_MIDDLEWARES, seam: 586}
    output = tmp_path / "out"
    done = run_crawl(
        site, output, prefix, "-s", f"DOWNLOADER_MIDDLEWARES={middlewares!r}", "--loglevel", "INFO"
    )
    assert_exactly_once(site, emitted(output))
    assert f"'distributed/rescheduled_after_redis_error': {site.articles // 10}," in done.stderr
    (summary,) = output.rglob("*.summary.json")
    assert json.loads(summary.read_text(encoding="utf-8"))["errors"]["fetch_failed"] == {}
