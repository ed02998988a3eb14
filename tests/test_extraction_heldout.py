"""Quality floors on the held-out pages (families ``heldout_*``).

These pages were written apart from the extractor, in batches, each batch measured before any
change it prompted (``python -m benchmarks.extraction_quality --families heldout_``). Unlike the
development set they are not pinned field by field: what is held here is the level a change must
not fall below, with the pages that pull it down named in the failure.
"""

from __future__ import annotations

import pytest

from crawler.extraction import ExtractionError, extract_article
from tests.extraction_fixtures import HELD_OUT_PREFIX, StoredPage, load_pages, token_scores

PAGES = load_pages((HELD_OUT_PREFIX,))
CHROME = [
    "相关阅读",
    "相关新闻",
    "相关链接",
    "延伸阅读",
    "热点推荐",
    "版权所有",
    "ICP备",
    "分享到",
    "打印本页",
    "责任编辑",
    "您现在的位置",
    "当前位置",
    "Related articles",
    "Related content",
    "Related Stories",
    "More on this topic",
    "You may also like",
    "cookies",
    "All rights reserved",
    "Share this page",
    "Share on Facebook",
    "Sign up for our newsletter",
    "Open Government Licence",
    "Trending",
    "Most popular",
    "Contact us to ask a question",
]


def _f1(got: list[str], page: StoredPage) -> float:
    language = page.expected["language"]
    return token_scores("\n".join(got), "\n".join(page.expected["paragraphs"]), language)[2]


def _extract(page: StoredPage) -> dict:
    """The record, or an empty one when the page is dropped (it then fails the floors by name)."""
    try:
        return extract_article(page.raw, page.url, page.source, now=page.now)
    except ExtractionError as exc:
        return {"title": f"<dropped: {exc.reason}>", "paragraphs": [], "published": None}


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    return {p.case_id: _extract(p) for p in PAGES}


def test_held_out_set_covers_both_languages_and_many_families():
    assert len(PAGES) >= 25
    assert {p.expected["language"] for p in PAGES} == {"zh", "en"}
    assert len({p.case_id.split("/")[0] for p in PAGES}) >= 6


def test_body_f1_floor(results: dict[str, dict]):
    scores = {p.case_id: _f1(results[p.case_id]["paragraphs"], p) for p in PAGES}
    mean = sum(scores.values()) / len(scores)
    weak = {case: round(score, 3) for case, score in scores.items() if score < 0.9}
    assert not weak, f"held-out pages with body F1 under 0.9: {weak}"
    assert mean >= 0.98, f"held-out body F1 {mean:.3f}, scores: {scores}"


def test_no_chrome_in_held_out_bodies(results: dict[str, dict]):
    leaks = {}
    for p in PAGES:
        body = "\n".join(results[p.case_id]["paragraphs"])
        found = [c for c in CHROME if c in body]
        if found:
            leaks[p.case_id] = found
    assert not leaks, f"page chrome reached held-out bodies: {leaks}"


def test_published_and_title_floors(results: dict[str, dict]):
    wrong_day = {
        p.case_id: (results[p.case_id]["published"], p.expected["published"])
        for p in PAGES
        if (results[p.case_id]["published"] or "")[:10] != p.expected["published"][:10]
    }
    wrong_minute = [p.case_id for p in PAGES if results[p.case_id]["published"] != p.expected["published"]]
    wrong_title = {
        p.case_id: results[p.case_id]["title"]
        for p in PAGES
        if results[p.case_id]["title"] != p.expected["title"]
    }
    assert not wrong_day, f"published day wrong: {wrong_day}"
    assert len(wrong_minute) <= 0.05 * len(PAGES), f"published wrong to the minute/offset: {wrong_minute}"
    assert len(wrong_title) <= 0.05 * len(PAGES), f"titles wrong: {wrong_title}"
