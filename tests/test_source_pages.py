"""Stored pages of every real source: discovery on its list (or feed, API, XML list), then
extraction of one article, checked against ``expected.json``.

The pages are synthetic, written in the structure that public code documents for each site
(``meta.json`` says which); they prove the registry entry and the generic machinery agree on
that structure. Whether the live site still has it is what ``ecopolicy sources --check`` tells.
To add a source: ``tests/fixtures/pages/sources/<key>/`` with the list file, ``article.html``,
``meta.json`` and ``expected.json``.
"""

from __future__ import annotations

import datetime
import json

import pytest

from crawler.discovery import is_attachment, parse_api, parse_feed, parse_hanweb, parse_list_page
from crawler.extraction import extract_article
from crawler.sources.registry import load_registry

from .conftest import FIXTURES

PAGES = FIXTURES / "pages" / "sources"
REGISTRY = load_registry()
REAL = sorted(key for key, source in REGISTRY.items() if source.offline_site is None)


def discover(key: str, meta: dict) -> list[str]:
    source = REGISTRY[key]
    body = (PAGES / key / meta["list_file"]).read_bytes()
    url = meta["list_url"]
    kind = meta["list_kind"]
    if kind == "list":
        page = next(
            (p for p in source.list_pages if url.startswith(p.url.split("index.")[0])), source.list_pages[0]
        )
        links = parse_list_page(body, url, page.link_selector or source.selectors.list_links)
    elif kind == "feed":
        links = parse_feed(body, url)
    elif kind == "api":
        links = parse_api(body, url, source.apis[0])
    elif kind == "hanweb":
        links = parse_hanweb(body, url)[0]
    else:
        raise AssertionError(f"{key}: unknown list_kind {kind!r} in meta.json")
    kept = [link.url for link in links if source.is_article_url(link.url) and not is_attachment(link.url)]
    return list(dict.fromkeys(kept))


@pytest.mark.parametrize("key", REAL)
def test_every_real_source_has_a_marked_stored_page(key):
    folder = PAGES / key
    assert folder.is_dir(), f"{key}: add stored pages under {folder.relative_to(FIXTURES.parent)}"
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["note"].startswith("synthetic, structure from "), (
        f"{key}: meta.json note must cite the structure"
    )


@pytest.mark.parametrize("key", REAL)
def test_discovery_finds_the_listed_articles(key):
    meta = json.loads((PAGES / key / "meta.json").read_text(encoding="utf-8"))
    expected = json.loads((PAGES / key / "expected.json").read_text(encoding="utf-8"))
    assert discover(key, meta) == expected["links"], f"{key}: links found on {meta['list_file']}"


@pytest.mark.parametrize("key", REAL)
def test_extraction_gives_the_expected_record(key):
    folder = PAGES / key
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    want = json.loads((folder / "expected.json").read_text(encoding="utf-8"))["record"]
    now = datetime.datetime.fromisoformat(meta["crawl_date"])
    got = extract_article((folder / "article.html").read_bytes(), meta["article_url"], REGISTRY[key], now=now)
    assert got["title"] == want["title"], f"{key}: title"
    assert (got["published"] or "").startswith(want["published_prefix"]), (
        f"{key}: published {got['published']}"
    )
    assert got["language"] == want["language"], f"{key}: language"
    for paragraph in want["paragraphs_contain"]:
        assert paragraph in got["paragraphs"], f"{key}: body misses {paragraph[:30]!r}"
    assert not any("版权所有" in p or "Open Government Licence" in p for p in got["paragraphs"]), key
    assert [a["url"] for a in got["attachments"]] == want["attachments"], f"{key}: attachments"
    for number in want.get("doc_numbers", []):
        assert number in got["doc_numbers"], f"{key}: doc number {number}"
