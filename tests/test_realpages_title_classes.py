"""Title failure classes shown by development-part real pages, asserted on those pages (the
floors in ``test_realpages_extraction`` hold each page's title match; these say what was fixed)."""

from __future__ import annotations

import functools
import logging

import pytest

from benchmarks._realpages import RealPage, load_pages
from crawler.extraction import extract_article


@functools.cache
def _pages() -> dict[str, RealPage]:
    return {p.key: p for p in load_pages(part="dev")}


def title(key: str) -> str:
    page = _pages().get(key)
    if page is None:
        pytest.skip(f"real page {key} is not in the development part")
    logging.disable(logging.WARNING)
    try:
        return extract_article(page.raw, page.url)["title"]
    finally:
        logging.disable(logging.NOTSET)


def test_an_empty_head_title_gives_way_to_the_filled_one() -> None:
    """The template leaves ``<head><title></title>`` empty and prints the real ``<title>`` in the
    body, before a sprite of icons that each carry a ``<title>``: the headline agrees with the
    filled one, not with a differing ``og:title``."""
    assert title("readability/article-author-tag") == "The Deck of Cards That Made Tarot A Global Phenomenon"


def test_a_headings_permalink_symbol_is_not_part_of_the_title_or_the_body() -> None:
    """Sphinx ends every heading with ``<a class="headerlink" href="#...">¶</a>``: the symbol
    stuck to the headline taken from the first heading and to every section heading."""
    page = _pages().get("readability/mercurial")
    if page is None:
        pytest.skip("real page readability/mercurial is not in the development part")
    record = extract_article(page.raw, page.url)
    assert record["title"] == "Evolve: Shared Mutable History"
    assert "Sharing with a single developer" in record["paragraphs"]
    assert not [p for p in record["paragraphs"] if p.endswith("¶")]


def test_a_headline_equal_to_one_piece_of_the_title_beats_a_longer_site_name() -> None:
    """``„Unermüdlicher Einsatz“ - Die Neue Südtiroler Tageszeitung``: the site's name is the
    longer piece, so the suffix is not stripped, and a sidebar shows it as a line of its own; the
    ``h1`` equal to the other piece is the headline."""
    assert title("fundus/Tageszeitung_V1") == "„Unermüdlicher Einsatz“"


def test_a_product_name_before_a_tagline_is_not_the_headline() -> None:
    """``Firefox — Customize and make it your own — The most flexible browser on the Web``: the
    navigation shows "Firefox" alone, which is no headline; the page's title is the whole phrase."""
    assert title("readability/mozilla-1") == (
        "Firefox — Customize and make it your own — The most flexible browser on the Web"
    )


def test_a_one_word_headline_next_to_a_code_stays() -> None:
    """``draft-dejong-remotestorage-04 - remoteStorage``: the shown word is the headline."""
    assert title("readability/ietf-1") == "remoteStorage"
