"""Exactly once when Redis goes away between an output file's rename and the seen-store commit.

A private ``redis-server`` (AOF on, free loopback port) is shut down by a fault-injection
extension (:mod:`tests.faults.redis_seam`) right after the worker renamed its output file and
before the seen-store commit. Redis stays down past the worker's outage budget, then comes
back; the rerun must emit nothing twice and every article once. Skipped without ``redis-server``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.settings import EXTENSIONS
from tests.bulk_site import BulkSite, write_source_file
from tests.conftest import REPO
from tests.faults.test_redis_outage import PIPELINES, _restartable_redis, free_port

redis = pytest.importorskip("redis")
pytestmark = [pytest.mark.redis]
ARTICLES = 30


def _command(sources: Path, out: Path, url: str, *extra: str, budget: float = 2) -> list[str]:
    return [
        sys.executable, "-m", "crawler.cli", "crawl", "--sources", str(sources), "--source", "bulk",
        "--output", str(out), "--redis", url, "--loglevel", "WARNING",
        "-s", f"ITEM_PIPELINES={PIPELINES!r}", "-s", "ROBOTSTXT_OBEY=False",
        "-s", f"ECOPOLICY_REDIS_OUTAGE_TIMEOUT={budget}", "-s", "ECOPOLICY_REDIS_WORKER_TTL=1",
        "-s", "ECOPOLICY_REDIS_HEARTBEAT=0.3", *extra,
    ]  # fmt: skip


def _emitted(folder: Path) -> list[str]:
    return [
        json.loads(line)["canonical_url"]
        for path in sorted(folder.rglob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def test_redis_down_between_rename_and_commit_loses_and_doubles_nothing(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = _restartable_redis(tmp_path, port)
    site = BulkSite(ARTICLES).start()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("ECOPOLICY_REDIS_URL", None)
    try:
        sources = write_source_file(site, tmp_path / "bulk.toml")
        extensions = {**EXTENSIONS, "tests.faults.redis_seam.StopRedisAfterRename": 0}
        seam = ["-s", f"EXTENSIONS={extensions!r}",
                "-s", f"FAULT_REDIS_PID={server.pid}"]  # fmt: skip
        first = subprocess.run(_command(sources, tmp_path / "first", url, *seam), cwd=REPO, env=env,
                               capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
        assert server.wait(10) is not None, "the seam did not stop Redis"
        server = _restartable_redis(tmp_path, port)  # back, with its AOF
        second = subprocess.run(_command(sources, tmp_path / "second", url), cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
        leftovers = redis.Redis(port=port).keys("ecopolicy:seen:journal:*")
    finally:
        site.stop()
        server.kill()
        server.wait(10)
    delivered = _emitted(tmp_path / "first")
    assert len(delivered) == ARTICLES, first.stderr[-3000:]  # the file was renamed before the outage
    assert first.returncode == 0, first.stderr[-3000:]
    assert second.returncode == 0, second.stderr[-3000:]
    again = _emitted(tmp_path / "second")
    assert not again, f"{len(again)} article(s) emitted twice; first run: {first.stderr[-2000:]}"
    assert set(delivered) == site.expected_urls()
    assert not leftovers, leftovers
    summaries = sorted((tmp_path / "first").rglob("*summary*"))
    assert summaries, sorted(p.name for p in (tmp_path / "first").rglob("*"))
    summary = json.loads(summaries[0].read_text(encoding="utf-8"))
    assert summary["status"] == "partial", summary
    assert any("marked seen by the next worker" in r for r in summary["status_reasons"]), summary
    assert "1 file(s) committed" in second.stderr, second.stderr[-2000:]


def test_redis_restarted_just_before_the_rename_within_the_budget_delivers_once(tmp_path):
    """The journal entry is written before the rename: a restart there is waited out, not a loss."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = _restartable_redis(tmp_path, port)
    site = BulkSite(ARTICLES).start()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("ECOPOLICY_REDIS_URL", None)
    try:
        sources = write_source_file(site, tmp_path / "bulk.toml")
        extensions = {**EXTENSIONS, "tests.faults.redis_seam.StopRedisAfterRename": 0}
        seam = ["-s", f"EXTENSIONS={extensions!r}", "-s", f"FAULT_REDIS_PID={server.pid}",
                "-s", "FAULT_REDIS_STOP_AT=prepared"]  # fmt: skip
        first = _command(sources, tmp_path / "first", url, *seam, budget=15)
        worker = subprocess.Popen(first, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)  # fmt: skip
        server.wait(60)  # stopped by the seam, just before the rename
        time.sleep(1.0)
        server = _restartable_redis(tmp_path, port)
        _, first_err = worker.communicate(timeout=120)
        second = subprocess.run(_command(sources, tmp_path / "second", url), cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    finally:
        site.stop()
        server.kill()
        server.wait(10)
    assert worker.returncode == 0, first_err[-3000:]
    delivered = _emitted(tmp_path / "first")
    assert sorted(delivered) == sorted(site.expected_urls()), first_err[-3000:]
    summary = json.loads(next((tmp_path / "first").rglob("*.summary.json")).read_text(encoding="utf-8"))
    assert summary["status"] == "ok", summary
    assert second.returncode == 0, second.stderr[-3000:]
    assert _emitted(tmp_path / "second") == []
