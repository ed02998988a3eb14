"""Extraction in worker processes gives the records in-process extraction gives, and survives a crash."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crawler.extraction import extract_article
from crawler.pool import _work, default_workers, extract_outcome

from .conftest import REPO

pytestmark = pytest.mark.slow

PAGE = (
    b"<html><head><title>Permit notice</title>"
    b'<meta name="PubDate" content="2024-01-05 09:30"></head>'
    b"<body><h1>Ecology notice on emission permits</h1>"
    b"<p>The bureau issued notice 7 on emission permits for the northern district this week.</p>"
    b"<p>The department reviewed 259 applications this quarter and refused eleven of them.</p></body></html>"
)
VOLATILE = ("crawled_at", "id")


def test_a_worker_task_answers_what_in_process_extraction_answers():
    expected = extract_article(PAGE, "http://x.test/news/t1.html", None, encoding="utf-8")
    status, fields, _ = _work(PAGE, "http://x.test/news/t1.html", b"", "utf-8")
    assert status == "ok"
    assert {k: v for k, v in fields.items() if k != "events"} == {
        k: v for k, v in expected.items() if k != "events"
    }
    assert default_workers() >= 1


def test_an_extraction_failure_crosses_the_process_boundary_as_its_reason():
    status, reason, message = extract_outcome(b"<html><body></body></html>", "http://x.test/a", None, None)
    assert status == "error"
    assert reason == "empty_page"
    assert message


def run_demo(tmp: Path, workers: int) -> dict:
    spec = {"settings": {"ECOPOLICY_EXTRACT_WORKERS": workers, "ECOPOLICY_OUTPUT_ENABLED": False,
                         "LOG_LEVEL": "WARNING"}, "crawls": [{"source": "demo"}]}  # fmt: skip
    (tmp / f"spec{workers}.json").write_text(json.dumps(spec), encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "tests.crawl_runner",
        str(tmp / f"spec{workers}.json"),
        str(tmp / f"out{workers}.json"),
    ]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=240, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads((tmp / f"out{workers}.json").read_text(encoding="utf-8"))["demo"]


def test_a_crawl_with_two_workers_emits_the_records_of_an_in_process_crawl(tmp_path):
    in_process, pooled = run_demo(tmp_path, 0), run_demo(tmp_path, 2)

    def comparable(run: dict) -> list[dict]:
        # The bundled site is served on a new port each run: the port and the URL hash differ.
        items = [{k: v for k, v in item.items() if k not in VOLATILE} for item in run["items"]]
        text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", json.dumps(items, ensure_ascii=False))
        # record ids hash the URL, port included: so do the ids that link articles and attachments
        text = re.sub(r'"[0-9a-f]{40}"', '"ID"', text)
        return sorted(json.loads(text), key=lambda item: item["url"])

    assert comparable(pooled) == comparable(in_process)
    assert len(in_process["items"]) > 3
    assert pooled["stats"]["extraction/pool/workers"] == 2
    articles = [item for item in pooled["items"] if item.get("kind", "article") == "article"]
    assert pooled["stats"]["extraction/pool/pages"] >= len(articles)  # documents are read apart
    assert "extraction/pool/pages" not in in_process["stats"]


CRASH = textwrap.dedent(
    """
    import asyncio, json, os, signal, sys
    from scrapy.utils.reactor import install_reactor
    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from twisted.internet import defer, task
    from collections import Counter
    from crawler.pool import ExtractionPool

    PAGE = bytes.fromhex(sys.argv[1])

    async def crawl():
        counts = Counter()
        stats = type("Stats", (), {"inc_value": lambda self, k, n=1, start=0: counts.update({k: n}),
                                   "set_value": lambda self, k, v: counts.update({k: v})})()
        pool = ExtractionPool(2, stats)
        pool.open()
        first = await pool.extract(PAGE, "http://x.test/0", None, "utf-8")
        pids = list(pool._executor._processes)
        urls = [f"http://x.test/{n}" for n in range(1, 40)]
        jobs = [asyncio.ensure_future(pool.extract(PAGE, url, None, "utf-8")) for url in urls]
        os.kill(pids[0], signal.SIGKILL)
        outcomes = [first, *await asyncio.gather(*jobs)]
        outcomes.append(await pool.extract(PAGE, "http://x.test/after", None, "utf-8"))
        pool.close()
        print(json.dumps({"ok": sum(o[0] == "ok" for o in outcomes), "stats": counts}))

    task.react(lambda reactor: defer.Deferred.fromFuture(asyncio.ensure_future(crawl())))
    """
)


def test_a_killed_worker_loses_no_page_and_is_counted():
    result = subprocess.run(
        [sys.executable, "-c", CRASH, PAGE.hex()],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["ok"] == 41
    assert answer["stats"]["extraction/pool/worker_crashed"] == 1
    assert answer["stats"]["extraction/pool/retried_in_process"] >= 1
