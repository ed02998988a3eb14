"""The labelled pages (English and Chinese), cleaned by the real pipelines, against their labels."""

from __future__ import annotations

import pytest

from pipelines import clean_paragraphs
from tests.cleaning_support import FIXTURES, build_chain, load_json, record, run_chain

PAGES = sorted((FIXTURES / "labelled").glob("*.json"))
FIX = "check the page's labels; regenerate with: python -m tests.fixtures.cleaning.build_labelled"


def test_the_labelled_set_is_large_and_mixed():
    pages = [load_json(p) for p in PAGES]
    assert len(pages) >= 60
    assert sum(p["language"] == "zh" for p in pages) >= 25
    assert sum(p["language"] == "en" for p in pages) >= 25
    assert sum(bool(p.get("clean")) for p in pages) >= 10
    reasons = {para.get("reason") for p in pages for para in p["paragraphs"] if para["label"] != "keep"}
    assert {"paywall", "duplicate", "related", "boilerplate", "teaser", "empty"} <= reasons
    assert {"split_sentence", "split_heading"} <= reasons


@pytest.mark.parametrize("path", PAGES, ids=[p.stem for p in PAGES])
def test_page_cleans_to_its_expected_record(path):
    page = load_json(path)
    texts = [p["text"] for p in page["paragraphs"]]
    _, chain = build_chain()
    item = run_chain(chain, record(texts, language=page["language"]))
    expected = page["expected"]
    assert item["paragraphs"] == expected["paragraphs"], FIX
    assert item["paywalled"] is expected["paywalled"], FIX
    assert item["truncated"] is expected["truncated"], FIX
    assert item.get("origin") == expected["origin"], FIX
    # Every paragraph labelled drop is gone; every kept one is there, once.
    result = clean_paragraphs(texts, language=page["language"])
    for index, para in enumerate(page["paragraphs"]):
        if para["label"] == "drop":
            assert index in result.removed, f"paragraph {index} ({para['reason']}) was kept"
        else:
            assert index not in result.removed, f"paragraph {index} was removed"
    if page.get("clean"):
        assert result.paragraphs == texts
        assert not result.counts or set(result.counts) <= {"normalise/paragraphs_changed"}
