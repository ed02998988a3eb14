"""Shared test helpers: running the CLI in a subprocess (a Twisted reactor runs once per process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 240, **kwargs
) -> subprocess.CompletedProcess[str]:
    """Run ``ecopolicy ARGS`` as ``python -m crawler.cli`` with the repo importable."""
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=cwd or REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **kwargs,
    )


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under *folder* with its size and modification time."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


@pytest.fixture(scope="session", autouse=True)
def output_folder_untouched():
    """The suite writes nothing into the repository's ./output: runs of tests are not crawls."""
    folder = REPO / "output"
    before = _tree(folder) if folder.is_dir() else {}
    yield
    after = _tree(folder) if folder.is_dir() else {}
    changed = sorted(name for name in after.keys() | before.keys() if after.get(name) != before.get(name))
    assert not changed, f"the tests wrote into {folder}: {changed[:10]}"


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


@pytest.fixture(scope="session")
def demo_manifest() -> list[dict]:
    return json.loads((REPO / "crawler" / "sources" / "demo" / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def redis_prefixed():
    """A client of Redis db 15 on 127.0.0.1:6379 and a key prefix of the test's own, whose keys are
    deleted afterwards; the test is skipped with the reason when no Redis answers."""
    import uuid

    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"no Redis answers on 127.0.0.1:6379: {exc}")
    prefix = f"ecotest-{uuid.uuid4().hex[:10]}"
    yield client, prefix
    for key in client.scan_iter(match=f"{prefix}*", count=1000):
        client.delete(key)
