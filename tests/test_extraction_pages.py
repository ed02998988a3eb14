"""Every stored evaluation page extracts to its expected.json, field by field."""

from __future__ import annotations

import json

import pytest

from crawler.extraction import RECORD_KEYS, extract_article
from tests.extraction_fixtures import COMPARED_FIELDS, PAGES, StoredPage, load_pages

PAGES_LIST = load_pages()
FIX = (
    "fix the extractor, or if the page changed on purpose regenerate the set with "
    "`python tests/fixtures/make_pages.py` and review the expected.json diff"
)


@pytest.fixture(scope="module")
def extracted() -> dict[str, dict]:
    return {p.case_id: extract_article(p.raw, p.url, p.source, now=p.now) for p in PAGES_LIST}


def test_evaluation_set_is_large_and_varied():
    families = {p.case_id.split("/")[0] for p in PAGES_LIST}
    assert len(PAGES_LIST) >= 60, f"only {len(PAGES_LIST)} pages under {PAGES}"
    assert len(families) >= 12, f"only {len(families)} page families: {sorted(families)}"
    assert {p.expected["language"] for p in PAGES_LIST} == {"zh", "en"}


@pytest.mark.parametrize("page", PAGES_LIST, ids=[p.case_id for p in PAGES_LIST])
def test_expected_file_is_well_formed(page: StoredPage):
    text = (page.folder / "expected.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", (
        f"{page.case_id}: expected.json must be sorted, indent 2, ensure_ascii false, newline at EOF"
    )
    missing = set(COMPARED_FIELDS) - set(data)
    assert not missing, f"{page.case_id}: missing {missing}"
    assert data["title"], f"{page.case_id}: empty title"
    assert data["paragraphs"], f"{page.case_id}: empty paragraphs"


@pytest.mark.parametrize("field", COMPARED_FIELDS)
@pytest.mark.parametrize("page", PAGES_LIST, ids=[p.case_id for p in PAGES_LIST])
def test_field_matches_expected(page: StoredPage, field: str, extracted: dict[str, dict]):
    got = extracted[page.case_id]
    assert tuple(got) == RECORD_KEYS
    if field == "paragraphs":
        expected = page.expected["paragraphs"]
        missing = [p for p in expected if p not in got["paragraphs"]]
        extra = [p for p in got["paragraphs"] if p not in expected]
        assert got["paragraphs"] == expected, (
            f"{page.case_id}: paragraphs differ; missing {missing[:3]}, extra {extra[:3]}; {FIX}"
        )
        for needle in page.expected.get("_contains", []):
            assert any(needle in p for p in got["paragraphs"]), (
                f"{page.case_id}: body lacks {needle!r}; {FIX}"
            )
        for needle in page.expected.get("_not_contains", []):
            assert not any(needle in p for p in got["paragraphs"]), (
                f"{page.case_id}: body has {needle!r}; {FIX}"
            )
    else:
        assert got[field] == page.expected[field], (
            f"{page.case_id}: {field} is {got[field]!r}, expected {page.expected[field]!r}; {FIX}"
        )


@pytest.mark.parametrize("page", PAGES_LIST, ids=[p.case_id for p in PAGES_LIST])
def test_no_chrome_reaches_the_body(page: StoredPage, extracted: dict[str, dict]):
    """Nav, footer, related lists, cookie banners and share bars stay out of every body."""
    body = "\n".join(extracted[page.case_id]["paragraphs"])
    chrome = [
        "相关阅读",
        "相关新闻",
        "相关链接",
        "延伸阅读",
        "热点推荐",
        "版权所有",
        "ICP备",
        "分享到",
        "打印本页",
        "Related articles",
        "Related content",
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
    leaked = [c for c in chrome if c in body]
    assert not leaked, (
        f"{page.case_id}: page chrome reached the body: {leaked}; tighten crawler/extraction/body.py"
    )
