"""One crawl of the misbehaving site per test session; the tests read what it left behind."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, read_jsonl
from tests.faults.server import FaultServer


@dataclass
class FaultCrawl:
    server: FaultServer
    records: list[dict]
    stats: dict
    log: str
    output: Path
    returncode: int


@pytest.fixture(scope="session")
def fault_crawl(tmp_path_factory) -> FaultCrawl:
    output = tmp_path_factory.mktemp("fault-output")
    server = FaultServer().start()
    try:
        env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
        done = subprocess.run(
            [sys.executable, "-m", "tests.faults.crawl", server.base_url, str(output)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=150,
            check=False,
        )
    finally:
        server.stop()
    records = [r for path in sorted(output.rglob("*.jsonl")) for r in read_jsonl(path)]
    stats_path = output / "stats.json"
    stats = json.loads(stats_path.read_text(encoding="utf-8")) if stats_path.exists() else {}
    log = (output / "crawl.log").read_text(encoding="utf-8", errors="replace")
    return FaultCrawl(server, records, stats, log + done.stderr, output, done.returncode)
