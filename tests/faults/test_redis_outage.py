"""A Redis that goes away mid-crawl ends the workers with a clear failure, in bounded time.

A private ``redis-server`` on a free loopback port (not a shared one) is shut down while a
worker crawls a slow loopback site; the worker must exit non-zero naming Redis within the
outage budget (``ECOPOLICY_REDIS_OUTAGE_TIMEOUT``) instead of looping on connection refused.
Skipped when ``redis-server`` is not installed.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.commands.crawl import EXIT_SOURCE_FAILED
from tests.bulk_site import BulkSite, write_source_file
from tests.conftest import REPO

redis = pytest.importorskip("redis")
pytestmark = [pytest.mark.redis, pytest.mark.slow]
OUTAGE_TIMEOUT = 5.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def redis_server(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--dir", str(tmp_path)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield process, client, f"redis://127.0.0.1:{port}/0"
    if process.poll() is None:
        process.kill()
    process.wait(10)


class SlowBulkSite(BulkSite):
    """Articles answer after a pause, so a crawl of a few hundred is still going when Redis dies."""

    def page(self, path: str):
        if path.startswith("/news/t"):
            time.sleep(0.05)
        return super().page(path)


def test_redis_shut_down_mid_crawl_ends_the_worker_with_a_failure_in_bounded_time(redis_server, tmp_path):
    process, client, url = redis_server
    site = SlowBulkSite(400).start()
    try:
        sources = write_source_file(site, tmp_path / "bulk.toml")
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        env.pop("ECOPOLICY_REDIS_URL", None)
        command = [
            sys.executable, "-m", "crawler.cli", "crawl", "--sources", str(sources), "--source", "bulk",
            "--output", str(tmp_path / "out"), "--redis", url, "--loglevel", "WARNING",
            "-s", "ITEM_PIPELINES={'pipelines.finalise.FinalisePipeline': 600}",
            "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "-s", "ROBOTSTXT_OBEY=False",
            "-s", f"ECOPOLICY_REDIS_OUTAGE_TIMEOUT={OUTAGE_TIMEOUT}",
        ]  # fmt: skip
        worker = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 60
        while not any(k.startswith(b"ecopolicy:bulk:inflight") for k in client.keys("*")):
            assert worker.poll() is None, worker.communicate()[1][-2000:]
            assert time.monotonic() < deadline, "the worker never took a task"
            time.sleep(0.1)
        time.sleep(1.0)
        process.terminate()  # a clean redis shutdown: every later connection is refused
        process.wait(10)
        stopped = time.monotonic()
        try:
            _, stderr = worker.communicate(timeout=OUTAGE_TIMEOUT + 60)
        except subprocess.TimeoutExpired:
            worker.kill()
            _stdout, stderr = worker.communicate()
            pytest.fail(f"the worker hung after Redis went away:\n{stderr[-2000:]}")
        took = time.monotonic() - stopped
    finally:
        site.stop()
    assert worker.returncode == EXIT_SOURCE_FAILED, stderr[-3000:]
    assert took < OUTAGE_TIMEOUT + 30
    last = stderr.strip().splitlines()[-1]
    assert "redis_unavailable" in last, last
    assert stderr.count("Traceback") <= 1, stderr[-3000:]
    assert not list(Path(tmp_path / "out").rglob(".*.part"))


PIPELINES = {
    "pipelines.finalise.FinalisePipeline": 600,
    "pipelines.seen.SeenPipeline": 700,
    "pipelines.validate.SchemaValidationPipeline": 900,
}


def _restartable_redis(tmp_path: Path, port: int) -> subprocess.Popen:
    binary = shutil.which("redis-server")
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
               "--appendfsync", "always", "--dir", str(tmp_path)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            return process
        except redis.exceptions.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)


def test_redis_restarted_mid_crawl_loses_and_doubles_nothing_over_the_next_run(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = _restartable_redis(tmp_path, port)
    site = SlowBulkSite(300).start()
    try:
        sources = write_source_file(site, tmp_path / "bulk.toml")
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        env.pop("ECOPOLICY_REDIS_URL", None)

        def command(out: str) -> list[str]:
            return [
                sys.executable, "-m", "crawler.cli", "crawl", "--sources", str(sources), "--source", "bulk",
                "--output", str(tmp_path / out), "--redis", url, "--loglevel", "WARNING",
                "-s", f"ITEM_PIPELINES={PIPELINES!r}", "-s", "ROBOTSTXT_OBEY=False",
                "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "-s", "ECOPOLICY_REDIS_OUTAGE_TIMEOUT=20",
            ]  # fmt: skip

        worker = subprocess.Popen(command("first"), cwd=REPO, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)  # fmt: skip
        client = redis.Redis(port=port)
        deadline = time.monotonic() + 60
        while not any(k.startswith(b"ecopolicy:bulk:inflight") for k in client.keys("*")):
            assert worker.poll() is None, worker.communicate()[1][-2000:]
            assert time.monotonic() < deadline
            time.sleep(0.1)
        time.sleep(1.0)
        server.terminate()
        server.wait(10)
        time.sleep(1.0)
        server = _restartable_redis(tmp_path, port)
        _, first_err = worker.communicate(timeout=180)
        second = subprocess.run(command("second"), cwd=REPO, env=env, capture_output=True, text=True,
                                timeout=180, check=False)  # fmt: skip
    finally:
        site.stop()
        server.kill()
        server.wait(10)
    assert second.returncode == 0, second.stderr[-3000:]
    urls = [
        json.loads(line)["canonical_url"]
        for path in tmp_path.rglob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    doubled = {u for u in urls if urls.count(u) > 1}
    assert not doubled, f"{len(doubled)} emitted twice; first run: {first_err[-2000:]}"
    missing = site.expected_urls() - set(urls)
    assert not missing, (
        f"{len(missing)} never emitted, e.g. {sorted(missing)[:3]}; "
        f"first run: {first_err[-3000:]}\nsecond run: {second.stderr[-3000:]}"
    )


def test_a_commit_that_meets_a_redis_restart_is_retried_within_the_outage_budget():
    from redis.exceptions import ConnectionError as RedisConnectionError
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from crawler.distributed.scheduler import DistributedScheduler

    scheduler = DistributedScheduler(object(), get_crawler(Spider), outage_timeout=5.0)
    answers = [RedisConnectionError("Connection refused"), RedisConnectionError("Loading"), None]
    calls = []

    def commit() -> None:
        calls.append(time.monotonic())
        if error := answers.pop(0):
            raise error

    scheduler._commit = commit
    scheduler.commit()
    assert len(calls) == 3  # committed once Redis answered, not left in flight
    assert calls[-1] - calls[0] < 5.0


def test_a_commit_gives_up_when_the_outage_outlasts_its_budget():
    from redis.exceptions import ConnectionError as RedisConnectionError
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from crawler.distributed.scheduler import DistributedScheduler

    scheduler = DistributedScheduler(object(), get_crawler(Spider), outage_timeout=1.0)
    scheduler.worker, scheduler.keys = "w1", type("Keys", (), {"base": "ecopolicy:x"})()

    def commit() -> None:
        raise RedisConnectionError("Connection refused")

    scheduler._commit = commit
    started = time.monotonic()
    scheduler.commit()
    assert 1.0 <= time.monotonic() - started < 3.0
