"""Extraction in worker processes gives the records in-process extraction gives, and survives a crash."""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from crawler.extraction import extract_article
from crawler.offline import OfflineExtractor
from crawler.pool import AheadTask, _placed_tasks, _step, _work, clean_ahead, default_workers, extract_outcome
from crawler.records import build_record
from crawler.state.neardup import minhash_signature, signature_ahead
from pipelines._step import _PRECOMPUTED, AHEAD_TAKEN, CleaningPipeline, StepResult, precompute
from pipelines.finalise import hash_ahead
from pipelines.furniture import judged_keys, learned_keys, learned_keys_ahead

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
    (status, fields, _), ahead = _work(PAGE, "http://x.test/news/t1.html", b"", "utf-8")
    assert status == "ok"
    assert {k: v for k, v in fields.items() if k != "events"} == {
        k: v for k, v in expected.items() if k != "events"
    }
    assert ahead == []  # no cleaning steps were sent
    assert default_workers() == max(0, (os.cpu_count() or 1) - 1)


def test_an_extraction_failure_crosses_the_process_boundary_as_its_reason():
    status, reason, message = extract_outcome(b"<html><body></body></html>", "http://x.test/a", None, None)
    assert status == "error"
    assert reason == "empty_page"
    assert message


NOISY = (
    b"<html><head><title>Permit notice</title></head><body><h1>Ecology notice on emission permits</h1>"
    b"<p>Source: Ministry of Ecology</p>"
    b"<p>The bureau issued notice 7 on emission permits for the northern district this week.</p>"
    b"<p>The department reviewed 259 applications this quarter and refused eleven of them.</p>"
    b"<p>The bureau issued notice 7 on emission permits for the northern district this week.</p>"
    b"<p>Share: Facebook | X</p></body></html>"
)


def _cleaned(extractor: OfflineExtractor, fields: dict, url: str) -> dict:
    item = build_record(dict(fields), url=url, source_key="local", crawled_at=datetime.datetime(2024, 1, 6))
    for pipeline in extractor._pipelines:
        item = pipeline.process_item(item)
    return dict(item)


def test_cleaning_ahead_in_a_worker_gives_the_record_in_process_cleaning_gives():
    url = "http://x.test/news/t2.html"
    extractor = OfflineExtractor()
    fields = extract_article(NOISY, url, None, encoding="utf-8")
    fields.pop("events")
    expected = _cleaned(extractor, fields, url)
    assert expected["removed"]  # the page has something to clean: the test compares real work
    steps = [
        _step(type(p), p.options)
        for p in extractor._pipelines
        if isinstance(p, CleaningPipeline) and p.stateless
    ]
    ahead = clean_ahead(fields, url, None, steps)
    assert [key[0] for key, _ in ahead] == ["normalise", "boilerplate", "paywall", "dedupe", "repair"]
    _PRECOMPUTED.clear()
    precompute(ahead)
    assert _cleaned(extractor, fields, url) == expected
    assert not _PRECOMPUTED  # every step took its result
    assert extractor.stats["extraction/pool/cleaned_ahead/dedupe"] == 1


def test_a_result_computed_ahead_is_not_used_for_other_inputs():
    url = "http://x.test/news/t2.html"
    fields = extract_article(NOISY, url, None, encoding="utf-8")
    extractor = OfflineExtractor()
    steps = [_step(type(p), p.options) for p in extractor._pipelines if isinstance(p, CleaningPipeline)]
    _PRECOMPUTED.clear()
    precompute(clean_ahead(fields, url, None, steps))
    changed = {**fields, "paragraphs": fields["paragraphs"][:-1]}  # as a stateful step in between would
    dedupe = next(p for p in extractor._pipelines if p.step == "dedupe")
    result = dedupe.run_core(lambda paragraphs, **_: StepResult(["computed here"]), changed["paragraphs"])
    assert result.paragraphs == ["computed here"]
    _PRECOMPUTED.clear()


def test_later_pipelines_take_the_hash_signature_and_keys_a_worker_computed():
    url = "http://x.test/news/t2.html"
    extractor = OfflineExtractor()
    fields = extract_article(NOISY, url, None, encoding="utf-8")
    fields.pop("events")
    steps = [
        _step(type(p), p.options)
        for p in extractor._pipelines
        if isinstance(p, CleaningPipeline) and p.stateless
    ]
    perm = (("num_perm", 128), ("shingle", 5))
    tasks = [AheadTask("extracted", learned_keys_ahead), AheadTask("cleaned", hash_ahead),
             AheadTask("cleaned", signature_ahead, perm)]  # fmt: skip
    _PRECOMPUTED.clear()
    expected = _cleaned(extractor, fields, url)
    ahead = clean_ahead(fields, url, None, steps, tasks)
    names = [key[0] for key, _ in ahead]
    assert names == ["furniture_learn", "normalise", "boilerplate", "paywall", "dedupe", "repair",
                     "content_hash", "neardup_signature"]  # fmt: skip
    precompute(ahead)
    taken = Counter(AHEAD_TAKEN)
    assert _cleaned(extractor, fields, url) == expected  # finalise took the hash
    extracted = build_record(
        dict(fields), url=url, source_key="local", crawled_at=datetime.datetime(2024, 1, 6)
    )
    keys = learned_keys(extracted["paragraphs"])
    signature = minhash_signature(expected["text"], num_perm=128, shingle=5)
    assert not _PRECOMPUTED  # every result computed ahead was taken
    assert AHEAD_TAKEN - taken == Counter({"content_hash": 1, "neardup_signature": 1, "furniture_learn": 1})
    assert keys == learned_keys(list(extracted["paragraphs"]))  # the same as computed here
    assert keys
    assert (signature == minhash_signature(expected["text"], num_perm=128, shingle=5)).all()


def test_work_offered_for_a_place_in_the_chain_runs_after_the_stateless_step_before_it():
    """The furniture step sits between paywall and dedupe: its keys are those of paywall's output."""
    from crawler.offline import project_settings
    from pipelines.dedupe import DedupePipeline
    from pipelines.furniture import FurniturePipeline
    from pipelines.paywall import PaywallPipeline

    furniture = FurniturePipeline(None, settings=project_settings({}), read_only=True)
    chain = [PaywallPipeline(None), furniture, DedupePipeline(None)]
    assert _placed_tasks(chain) == [AheadTask("after:paywall", judged_keys)]
    assert _placed_tasks([furniture]) == [AheadTask("extracted", judged_keys)]


def run_demo(tmp: Path, workers: int, state: bool = False) -> dict:
    settings = {
        "ECOPOLICY_EXTRACT_WORKERS": workers,
        "ECOPOLICY_EXTRACT_QUEUE_DEPTH": 0,  # every page to the workers: the counts below are exact
        "ECOPOLICY_OUTPUT_ENABLED": False,
        "LOG_LEVEL": "WARNING",
    }
    if state:
        settings["ECOPOLICY_STATE_DIR"] = str(tmp / f"state{workers}")
    spec = {"settings": settings, "crawls": [{"source": "demo"}]}
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


def _comparable(run: dict) -> list[dict]:
    # The bundled site is served on a new port each run: the port and the URL hash differ.
    items = [{k: v for k, v in item.items() if k not in VOLATILE} for item in run["items"]]
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", json.dumps(items, ensure_ascii=False))
    # record ids hash the URL, port included: so do the ids that link articles and attachments
    text = re.sub(r'"[0-9a-f]{40}"', '"ID"', text)
    return sorted(json.loads(text), key=lambda item: item["url"])


def test_a_crawl_with_two_workers_emits_the_records_of_an_in_process_crawl(tmp_path):
    in_process, pooled = run_demo(tmp_path, 0), run_demo(tmp_path, 2)
    assert _comparable(pooled) == _comparable(in_process)
    assert len(in_process["items"]) > 3
    assert pooled["stats"]["extraction/pool/computed_ahead/content_hash"] >= len(pooled["items"]) // 2
    assert pooled["stats"]["extraction/pool/workers"] == 2
    articles = [item for item in pooled["items"] if item.get("kind", "article") == "article"]
    assert pooled["stats"]["extraction/pool/pages"] >= len(articles)  # documents are read apart
    assert "extraction/pool/pages" not in in_process["stats"]
    assert pooled["stats"]["extraction/pool/cleaned_ahead/dedupe"] >= len(articles) - 1
    assert "extraction/pool/cleaned_ahead/dedupe" not in in_process["stats"]


def test_a_scheduled_crawl_with_a_worker_emits_the_records_of_an_in_process_one(tmp_path):
    """With a state folder the furniture keys and the near-duplicate signature come from the worker."""
    in_process, pooled = run_demo(tmp_path, 0, state=True), run_demo(tmp_path, 1, state=True)
    assert _comparable(pooled) == _comparable(in_process)
    assert pooled["stats"]["extraction/pool/computed_ahead/furniture_learn"] >= 3
    assert pooled["stats"]["extraction/pool/computed_ahead/neardup_signature"] >= 3
    assert pooled["stats"]["extraction/pool/computed_ahead/furniture_judged"] >= 3
    assert pooled["stats"]["neardup/checked"] == in_process["stats"]["neardup/checked"]


_POOL_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, os, signal, sys
    from scrapy.utils.reactor import install_reactor
    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from twisted.internet import defer, task
    from collections import Counter
    from crawler.pool import ExtractionPool, extract_outcome

    PAGE = bytes.fromhex(sys.argv[1])
    counts = Counter()
    stats = type("Stats", (), {"inc_value": lambda self, k, n=1, start=0: counts.update({k: n}),
                               "set_value": lambda self, k, v: counts.update({k: v})})()

    def run(crawl):
        task.react(lambda reactor: defer.Deferred.fromFuture(asyncio.ensure_future(crawl())))
    """
)
"""A pool driven on a real reactor in a subprocess: the page, a stats sink and ``run(crawl)``."""


def _run_pool_script(body: str) -> dict:
    script = _POOL_SCRIPT + textwrap.dedent(body)
    result = subprocess.run([sys.executable, "-c", script, PAGE.hex()], cwd=REPO, capture_output=True,
                            text=True, timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


CRASH = """
    async def crawl():
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

    run(crawl)
"""


BUSY = """
    async def crawl():
        pool = ExtractionPool(1, stats, queue_depth=1)
        pool.open()
        await pool.extract(PAGE, "http://x.test/warm", None, "utf-8")
        counts.clear()
        urls = [f"http://x.test/{n}" for n in range(12)]
        outcomes = await asyncio.gather(*[pool.extract(PAGE, url, None, "utf-8") for url in urls])
        pool.close()

        def fields(outcome):
            return {k: v for k, v in outcome[1].items() if k != "events"}

        expected = [fields(extract_outcome(PAGE, url, None, "utf-8")) for url in urls]
        same = sum(fields(o) == e for o, e in zip(outcomes, expected))
        print(json.dumps({"same": same, "stats": counts}))

    run(crawl)
"""


def test_pages_beyond_the_queue_depth_are_extracted_in_process_with_the_same_outcome():
    """A busy worker does not leave the crawl process idle: it extracts what would queue deeper."""
    answer = _run_pool_script(BUSY)
    assert answer["same"] == 12  # every page gave the fields in-process extraction gives, wherever it ran
    stats = answer["stats"]
    assert stats["extraction/pool/pages"] >= 1
    assert stats["extraction/pool/in_process_while_busy"] >= 1
    assert stats["extraction/pool/pages"] + stats["extraction/pool/in_process_while_busy"] == 12


def test_a_killed_worker_loses_no_page_and_is_counted():
    answer = _run_pool_script(CRASH)
    assert answer["ok"] == 41
    assert answer["stats"]["extraction/pool/worker_crashed"] == 1
    assert answer["stats"]["extraction/pool/retried_in_process"] >= 1


ORPHAN = """
    import time

    async def crawl():
        pool = ExtractionPool(1, stats)
        pool.open()
        await pool.extract(PAGE, "http://x.test/0", None, "utf-8")
        print(json.dumps({"workers": list(pool._executor._processes)}), flush=True)
        time.sleep(120)  # killed here, the pool never closed

    run(crawl)
"""


def test_a_crawl_killed_outright_leaves_no_worker_behind():
    """SIGKILL skips the pool's shutdown: the worker must notice its parent is gone and exit,
    or every killed scheduled run would leave an idle process on the machine."""
    psutil = pytest.importorskip("psutil")
    script = _POOL_SCRIPT + textwrap.dedent(ORPHAN)
    crawl = subprocess.Popen([sys.executable, "-c", script, PAGE.hex()], cwd=REPO, stdout=subprocess.PIPE,
                             text=True)  # fmt: skip
    try:
        assert crawl.stdout is not None
        workers = json.loads(crawl.stdout.readline())["workers"]
        assert len(workers) == 1
        assert psutil.pid_exists(workers[0])
    finally:
        crawl.kill()
        crawl.wait(timeout=30)
        if crawl.stdout is not None:
            crawl.stdout.close()
    still_there = [psutil.Process(pid) for pid in workers if psutil.pid_exists(pid)]
    _, alive = psutil.wait_procs(still_there, timeout=20)
    assert not alive, f"worker {[p.pid for p in alive]} outlived its killed crawl"
