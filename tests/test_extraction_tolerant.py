"""Markup libxml2 gives up on still yields the article, through BeautifulSoup's parser."""

import pytest

from crawler.extraction import EmptyPageError, extract_article

BODY = (
    "<p>The provincial department issued the clean-air action plan for 2024, covering twelve cities.</p>"
    "<p>The plan sets a PM2.5 target of 35 micrograms per cubic metre by the end of 2025.</p>"
)


def nested(depth: int) -> str:
    wrapped = "<div>" * depth + BODY + "</div>" * depth
    return f"<html><body><h1>Clean-air action plan issued</h1>{wrapped}</body></html>"


def test_shallow_page_needs_no_fallback():
    record = extract_article(nested(50), "http://example.gov/a.html")
    assert "soup_fallback" not in record["events"]
    assert len(record["paragraphs"]) == 2


def test_nesting_past_libxml2_depth_limit_is_read_by_the_tolerant_parser():
    record = extract_article(nested(400), "http://example.gov/a.html")
    assert "soup_fallback" in record["events"]
    assert record["paragraphs"][1].startswith("The plan sets a PM2.5 target")


def test_absurd_nesting_is_a_counted_drop_not_a_crash():
    with pytest.raises(EmptyPageError):
        extract_article(nested(5000), "http://example.gov/a.html")
