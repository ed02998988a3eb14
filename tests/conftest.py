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


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


@pytest.fixture(scope="session")
def demo_manifest() -> list[dict]:
    return json.loads((REPO / "crawler" / "sources" / "demo" / "expected.json").read_text(encoding="utf-8"))
