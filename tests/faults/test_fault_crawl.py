"""A real crawl against a server that misbehaves on purpose (see ``server.FAULTS``).

Every article the server eventually serves is emitted exactly once; every other article is
accounted for with a reason, in the stats and in a log line naming its URL; nothing crashes.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

import pytest

from crawler.commands.validate import check_file
from tests.faults.server import BY_NAME, EITHER, EMIT, FAULTS, REFUSE, article_path, page_title

pytestmark = pytest.mark.slow

CRASH_MARKERS = ("Traceback", "Unhandled error", "Error processing", "Error caught on signal handler")


def _served_path(fault: str) -> str:
    """Where the article finally lives (a redirect chain ends on its last hop)."""
    return article_path(fault, 4) if fault == "chain" else article_path(fault)


def _emitted(crawl) -> Counter[str]:
    return Counter(urlsplit(r["url"]).path for r in crawl.records)


def test_crawl_finishes_cleanly(fault_crawl):
    assert fault_crawl.returncode == 0, fault_crawl.log[-3000:]
    assert fault_crawl.stats.get("finish_reason") == "finished"


def test_no_exception_escapes_to_the_log(fault_crawl):
    found = [line for line in fault_crawl.log.splitlines() if any(m in line for m in CRASH_MARKERS)]
    assert found == []


@pytest.mark.parametrize("fault", [f.name for f in FAULTS if f.outcome == EMIT])
def test_every_eventually_served_article_is_emitted_once(fault_crawl, fault):
    emitted = _emitted(fault_crawl)
    assert emitted[_served_path(fault)] == 1, f"{fault}: {BY_NAME[fault].note}"


@pytest.mark.parametrize("fault", ["gbk_as_utf8", "gb18030", "utf8_bom", "utf8_bom_says_gbk", "malformed"])
def test_wrong_or_missing_charset_still_gives_the_right_text(fault_crawl, fault):
    (record,) = [r for r in fault_crawl.records if urlsplit(r["url"]).path == article_path(fault)]
    assert record["title"] == page_title(fault)
    assert record["paragraphs"]
    assert not any("\ufffd" in p for p in record["paragraphs"])


def test_no_article_is_emitted_twice(fault_crawl):
    assert {p: n for p, n in _emitted(fault_crawl).items() if n > 1} == {}


@pytest.mark.parametrize("fault", [f.name for f in FAULTS if f.outcome != EMIT])
def test_every_other_article_is_accounted_for_with_its_url(fault_crawl, fault):
    url = fault_crawl.server.base_url + article_path(fault)
    emitted = _emitted(fault_crawl)[article_path(fault)]
    if BY_NAME[fault].outcome == EITHER and emitted == 1:
        return
    assert emitted == 0, f"{fault} must not give a record"
    reasons = [
        line
        for line in fault_crawl.log.splitlines()
        if url in line and ("Could not fetch " in line or "No record from " in line)
    ]  # (a redirect refused on a later hop names the first URL in its reason)
    assert len(reasons) == 1, f"{fault}: expected one line naming {url} with its reason"


def test_stats_count_one_reason_per_missing_article(fault_crawl):
    stats = fault_crawl.stats
    failed = sum(v for k, v in stats.items() if k.startswith(("fetch/failed/", "extraction/dropped/")))
    reasons = failed - stats.get("start/failed", 0)  # start points count under fetch/failed too
    emitted = _emitted(fault_crawl)
    missing = [f.name for f in FAULTS if f.outcome != EMIT and emitted[article_path(f.name)] == 0]
    assert reasons == len(missing), {k: v for k, v in stats.items() if "/failed/" in k or "/dropped/" in k}


def test_a_feed_that_does_not_parse_is_a_named_start_point_failure_not_an_empty_feed(fault_crawl):
    """The XXE feed declares two DOCTYPEs: no XML parser reads it, so it gave no links."""
    assert fault_crawl.stats.get("start/failed/not_a_feed") == 1
    assert fault_crawl.stats.get("start/failed") == 1
    assert "/xxe-feed.xml: not a feed (root element none" in fault_crawl.log


def test_offsite_and_looping_redirects_are_refused_and_counted(fault_crawl):
    stats = fault_crawl.stats
    assert stats.get("redirect/refused/offsite") == 3
    assert stats.get("fetch/failed/OffsiteRedirect") == 3
    assert stats.get("redirect/refused/loop") == 1
    # Nothing was ever requested from the other host names: no record, no server hit.
    assert all(urlsplit(r["url"]).hostname == "127.0.0.1" for r in fault_crawl.records)
    assert article_path("ok", 9) not in fault_crawl.server.attempts


def test_size_limits_stop_the_huge_page_and_the_gzip_bomb(fault_crawl):
    stats = fault_crawl.stats
    assert stats.get("fetch/failed/DownloadCancelledError") == 2  # 50 MB with and without length
    assert "gzip_bomb" in next(
        line for line in fault_crawl.log.splitlines() if "exceeded DOWNLOAD_MAXSIZE" in line
    )


def test_transient_errors_were_retried(fault_crawl):
    attempts = fault_crawl.server.attempts
    for fault in ("e500", "e502", "e429", "reset", "timeout", "truncated_once"):
        assert attempts[article_path(fault)] == 2, fault
    assert attempts[article_path("e503")] == 3
    assert attempts[article_path("always500")] == 3


def test_xml_entities_are_never_resolved_or_fetched(fault_crawl):
    assert not [path for path in fault_crawl.server.attempts if path.startswith("/probe/")]
    text = "\n".join(p for r in fault_crawl.records for p in [r["title"], *r["paragraphs"]])
    assert "root:" not in text
    assert "lollol" not in text
    for xml in ("/laughs.xml", "/xxe-feed.xml", "/xxe-sitemap.xml"):
        assert fault_crawl.server.attempts[xml] == 1


def test_output_validates_against_the_schema(fault_crawl):
    (path,) = list(fault_crawl.output.rglob("*.jsonl"))
    assert check_file(path).problems == []


def test_refused_outcomes_are_declared_for_every_fault():
    assert {f.outcome for f in FAULTS} == {EMIT, REFUSE, EITHER}
